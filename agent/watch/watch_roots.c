/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_roots.c - roots that exist, roots that do not exist yet, and the
 * quarantine directory.
 *
 * A root that does not exist yet (no model was ever downloaded) is picked
 * up when it appears by watching its nearest existing parent: creating
 * ~/.cache/huggingface/hub gives a CREATE event in ~/.cache (or whichever
 * parent exists), and we look again.  We chose this over polling so that an
 * idle agent has no timer besides the watchdog.  Those parent watches see
 * files that are not ours: their file events are ignored, and the watches
 * are dropped as soon as no missing root needs them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/watch/watch_int.h"

/* A root is re-examined at most this many times in one check when its
 * parents keep appearing under us (mkdir -p racing the check). */
#define ROOTS_MAX_RETRIES 64
/* A root on a network or FUSE filesystem without a rescan_interval of its
 * own is rescanned this often: inotify sees only this host's writes. */
#define ROOTS_REMOTE_RESCAN_SEC 300u

/* Filesystems whose files can change without a local inotify event. */
static bool
fs_is_remote(int64_t type)
{
	switch ((uint32_t)type) {
	case 0x6969u:		/* NFS */
	case 0x517Bu:		/* SMB */
	case 0xFF534D42u:	/* CIFS */
	case 0xFE534D42u:	/* SMB2 */
	case 0x65735546u:	/* FUSE */
	case 0x01021997u:	/* 9P / virtiofs-like */
	case 0x00C36400u:	/* Ceph */
	case 0x5346414Fu:	/* AFS */
	case 0x6B414653u:	/* kAFS */
	case 0x73757245u:	/* Coda */
	case 0x47504653u:	/* GPFS */
	case 0x0BD00BD0u:	/* Lustre */
	case 0x19830326u:	/* FhGFS/BeeGFS */
	case 0x013111A8u:	/* IBRIX */
	case 0x564C0000u:	/* OCFS2-ish (shared disk) */
		return true;
	default:
		return false;
	}
}

/* Looks at the filesystem of a present root; logs a change of kind. */
static void
root_check_fs(struct watcher *w, struct watch_root *r)
{
	struct statfs sf;
	char esc[512];
	bool remote;
	unsigned want;

	if (statfs(r->real, &sf) != 0)
		return;
	remote = fs_is_remote((int64_t)sf.f_type);
	want = policy_rescan_interval(w->sh.cfg->policy, r->path);
	if (remote && want == 0)
		want = ROOTS_REMOTE_RESCAN_SEC;
	if (remote && !r->remote) {
		escape_text_buf(r->real, esc, sizeof(esc));
		log_warning("root is on a network or FUSE filesystem path=\"%s\" "
			    "type=0x%llx: inotify sees only this host's "
			    "writes; rescanning every %us",
			    esc, (unsigned long long)(uint32_t)sf.f_type, want);
	}
	r->remote = remote;
	if (want != r->rescan_sec) {
		r->rescan_sec = want;
		r->next_rescan_ms = 0;
	}
}

void
watch_roots_recheck_fs(struct watcher *w)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].present)
			root_check_fs(w, &w->roots[i]);
}

int
watch_roots_set(struct watcher *w, const struct policy *policy)
{
	struct watch_root *roots;
	size_t i;

	watch_roots_free(w);
	if (policy->roots.n == 0)
		return 0;
	roots = calloc(policy->roots.n, sizeof(*roots));
	if (roots == NULL)
		return -1;
	w->roots = roots;
	for (i = 0; i < policy->roots.n; i++) {
		roots[i].path = strdup(policy->roots.v[i]);
		if (roots[i].path == NULL)
			return -1;
		roots[i].rescan_sec =
		    policy_rescan_interval(policy, policy->roots.v[i]);
		w->nroots++;
	}
	w->missing = w->nroots;
	return 0;
}

void
watch_roots_free(struct watcher *w)
{
	size_t i;

	for (i = 0; i < w->nroots; i++) {
		free(w->roots[i].path);
		free(w->roots[i].real);
	}
	free(w->roots);
	w->roots = NULL;
	w->nroots = 0;
	w->missing = 0;
}

struct watch_root *
watch_root_at(struct watcher *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].present && strcmp(w->roots[i].real, path) == 0)
			return &w->roots[i];
	return NULL;
}

void
watch_qdir_refresh(struct watcher *w, const struct policy *policy)
{
	struct stat st;

	free(w->qdir_real);
	w->qdir_real = NULL;
	w->qdir_known = false;
	if (policy->quarantine_dir == NULL)
		return;
	w->qdir_real = realpath(policy->quarantine_dir, NULL);
	if (w->qdir_real != NULL && stat(w->qdir_real, &st) == 0) {
		w->qdir_dev = (uint64_t)st.st_dev;
		w->qdir_ino = (uint64_t)st.st_ino;
		w->qdir_known = true;
	}
}

bool
watch_is_qdir(const struct watcher *w, const char *path, const struct stat *st)
{
	const char *q = w->sh.cfg->policy->quarantine_dir;
	const char *slash = strrchr(path, '/');

	/* The store's stage directory (quarantine_stage.c) holds files
	 * being moved to the store: ours, 0700, by name. */
	if (st != NULL && slash != NULL && S_ISDIR(st->st_mode) &&
	    strcmp(slash + 1, QUARANTINE_STAGE_DIR_NAME) == 0 &&
	    st->st_uid == geteuid() && (st->st_mode & 07777) == 0700)
		return true;
	if (w->qdir_known && st != NULL && (uint64_t)st->st_dev == w->qdir_dev &&
	    (uint64_t)st->st_ino == w->qdir_ino)
		return true;
	/* Before the store exists, know it by name. */
	return (q != NULL && strcmp(path, q) == 0) ||
	       (w->qdir_real != NULL && strcmp(path, w->qdir_real) == 0);
}

/* Puts an ancestor watch on the directory open at fd (real path real). */
static void
watch_ancestor(struct watcher *w, int fd, const char *real)
{
	struct stat st;
	int wd;

	if (fstat(fd, &st) != 0)
		return;
	if (watch_table_by_inode(w->table, (uint64_t)st.st_dev,
				 (uint64_t)st.st_ino) != NULL)
		return;	/* already watched, as a tree or an ancestor */
	if (inotify_backend_watch_dirfd(fd, &wd) != 0)
		return;
	if (watch_table_add(w->table, wd, (uint64_t)st.st_dev,
			    (uint64_t)st.st_ino, real,
			    WATCH_DIR_ANCESTOR) == NULL)
		(void)inotify_backend_unwatch(wd);
}

/*
 * For a missing root: watches its nearest existing parent and records the
 * parent's real path in needed[].  Returns true when, meanwhile, the root
 * itself came to exist (the caller looks again).
 */
static bool
watch_missing(struct watcher *w, const char *root, char **ret_needed)
{
	char *p = strdup(root), *slash, *real;
	int fd = -1;
	bool appeared = false;

	*ret_needed = NULL;
	if (p == NULL)
		return false;
	for (;;) {
		slash = strrchr(p, '/');
		if (slash == NULL)
			goto out;
		if (slash == p)
			slash[1] = '\0';	/* "/" */
		else
			*slash = '\0';
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (slash == p)
			goto out;
	}
	real = realpath(p, NULL);
	if (real == NULL)
		goto out;
	watch_ancestor(w, fd, real);
	*ret_needed = real;
	/* The next component may have been created between our open and
	 * the watch: then no event will tell us.  Look once more.  p is root
	 * cut at a '/', so the next component starts after it. */
	{
		size_t plen = strlen(p);
		const char *start = root + (plen == 1 ? 1 : plen + 1);
		const char *next = strchr(start, '/');
		char *probe = strndup(root, next != NULL
						? (size_t)(next - root)
						: strlen(root));

		appeared = probe != NULL && access(probe, F_OK) == 0;
		free(probe);
	}
out:
	if (fd >= 0)
		close(fd);
	free(p);
	return appeared;
}

/*
 * A root reached through a symlink: the symlink can be pointed elsewhere
 * (ln -sfn) without any event in the directory it pointed to, so the
 * directory holding the symlink is watched as an ancestor too; any new
 * name there makes us look at the roots again.  Returns its real path (for
 * needed[]) or NULL.
 */
static char *
watch_link_parent(struct watcher *w, const char *root)
{
	char *p = strdup(root), *slash, *real = NULL;
	int fd;

	if (p == NULL)
		return NULL;
	slash = strrchr(p, '/');
	if (slash != NULL && slash != p) {
		*slash = '\0';
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			real = realpath(p, NULL);
			if (real != NULL)
				watch_ancestor(w, fd, real);
			close(fd);
		}
	}
	free(p);
	return real;
}

static bool
in_list(char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] != NULL && strcmp(list[i], s) == 0)
			return true;
	return false;
}

void
watch_roots_check(struct watcher *w)
{
	struct watch_root *r;
	struct watch_dir *d;
	struct stat st;
	char **needed = NULL, *real, esc[512];
	int *wds = NULL;
	size_t i, n = 0, nneeded = 0;
	int tries;

	w->roots_check_pending = false;
	if (w->nroots > 0)
		needed = calloc(w->nroots, sizeof(*needed));
	w->missing = 0;
	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		for (tries = 0; tries < ROOTS_MAX_RETRIES; tries++) {
			/* Symlinks in a root's own path are followed on
			 * purpose: a cache moved to a bigger disk and linked
			 * back is common.  Inside the root, none is. */
			real = realpath(r->path, NULL);
			if (real != NULL && stat(real, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				if (!r->present || strcmp(real, r->real) != 0 ||
				    r->dev != (uint64_t)st.st_dev ||
				    r->ino != (uint64_t)st.st_ino) {
					if (r->present)
						watch_unwatch_under(w, r->real);
					free(r->real);
					r->real = real;
					real = NULL;
					r->present = true;
					r->dev = (uint64_t)st.st_dev;
					r->ino = (uint64_t)st.st_ino;
					escape_text_buf(r->real, esc,
							sizeof(esc));
					r->via_symlink =
					    strcmp(r->real, r->path) != 0;
					log_info("watching root path=\"%s\"%s",
						 esc,
						 r->via_symlink
						     ? " (reached through a "
						       "symlink)"
						     : "");
					root_check_fs(w, r);
					r->pushed = watch_walk_push(
					    w->walk, r->real, true) == 0;
				}
				free(real);
				break;
			}
			free(real);
			if (r->present) {
				escape_text_buf(r->real, esc, sizeof(esc));
				log_warning("root gone path=\"%s\": watching "
					    "for it to come back", esc);
				watch_unwatch_under(w, r->real);
				free(r->real);
				r->real = NULL;
				r->present = false;
			}
			if (needed == NULL)
				break;
			free(needed[i]);
			if (!watch_missing(w, r->path, &needed[i]))
				break;
		}
		if (!r->present)
			w->missing++;
		else if (r->via_symlink && needed != NULL && needed[i] == NULL)
			needed[i] = watch_link_parent(w, r->path);
	}
	nneeded = needed != NULL ? w->nroots : 0;
	/* Drop parent watches no missing root needs any more. */
	if (watch_table_of_kind(w->table, WATCH_DIR_ANCESTOR, &wds, &n) == 0) {
		for (i = 0; i < n; i++) {
			d = watch_table_by_wd(w->table, wds[i]);
			if (d == NULL || in_list(needed, nneeded, d->path))
				continue;
			(void)inotify_backend_unwatch(wds[i]);
			watch_table_remove(w->table, wds[i]);
		}
		free(wds);
	}
	for (i = 0; i < nneeded; i++)
		free(needed[i]);
	free(needed);
}
