/*
 * watch_fdpath.h - opening a directory by absolute path without a path
 * length limit and without following symlinks.
 *
 * Paths under a root can be longer than PATH_MAX (a 200-deep tree): the
 * kernel refuses such a path in one call (ENAMETOOLONG), so it is opened
 * one component at a time with openat(O_NOFOLLOW) from "/".  Nothing the
 * watcher does is then limited by path length.
 */
#ifndef PW_AGENT_WATCH_FDPATH_H
#define PW_AGENT_WATCH_FDPATH_H

/*
 * Opens the directory at path (absolute) with flags (O_RDONLY or O_PATH;
 * O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC are added).  No component may be
 * a symlink when the path is long; a short path is opened in one call with
 * openat2(RESOLVE_NO_SYMLINKS) when nofollow_all is set (plain O_NOFOLLOW
 * on the last component otherwise).  Returns the descriptor or -1 (errno).
 */
int watch_open_dir(const char *path, int flags, int nofollow_all);

#endif
