/*
 * guard_outside.c - repeated opens outside the guarded paths, made to
 * cost nothing without letting a file reach a guarded path unjudged.
 *
 * Every open on a marked filesystem is a round trip through the guard,
 * wherever the file is; the path filter (guard.c) only makes the answer
 * quick.  Two kinds of kernel ignore marks stop the round trips, each
 * placed only where it cannot hide an open that the filter would have
 * sent to a scan:
 *
 * Content rule.  A file outside the paths that is opened a second time
 * with the same stamps is scanned in the background (one low-priority
 * thread, the same sandboxed workers and verdicts as a guarded file; the
 * opener was answered already).  A clean verdict gets the same ignore
 * mark a clean guarded file gets: on the inode, for FAN_OPEN_PERM, cleared
 * by the kernel when the file is modified (no IGNORED_SURV_MODIFY),
 * evictable (it never pins the inode).  The mark follows the content, not
 * a name: the file may be renamed or linked into a guarded directory,
 * that is a file the guard would allow there too.  Why a scan and not a
 * sniff of the first bytes in the event loop: several readers do not
 * start at offset 0 (a zip appended to text is read by pandas through
 * zipfile's central directory, a tar header's checksum decides torch.load,
 * an .lzma stream has no magic), so no fixed prefix proves "no loader
 * executes this"; only the scanner's full reading is exactly as strict as
 * the guarded path, and it runs only in the sandboxed workers.  Only
 * `clean` is marked: a suspicious file stays visible (a guarded open of it
 * is logged).  Files opened once are never scanned.
 *
 * Directory rule.  A directory D is marked to ignore FAN_OPEN_PERM of its
 * direct children (FAN_MARK_IGNORE | FAN_EVENT_ON_CHILD; a directory ignore
 * mark must survive modify, by the kernel's rules) when a file in it is
 * opened outside the paths and:
 *  - D and each ancestor can be renamed only by root: for each component
 *    C of the path with parent P, P is owned by root and not writable by
 *    group or others (with POSIX ACLs the group bits are the mask, so they
 *    bound every named entry), or P is root's and sticky and C is root's;
 *    a component that is a mount point counts when the mount shows its
 *    filesystem's root (which cannot be renamed) or the directory that
 *    was there already (a bind onto itself).  A directory a user can
 *    rename could be moved, with its mark, into a guarded tree.
 *  - Only root can add entries to D (owner root, not group/other
 *    writable): no user can create, link or rename a file into D, so
 *    every file the mark covers was put there by root.
 *  - The mount table is watched; when the mounts of a filesystem holding
 *    marked directories change, every inode mark is flushed.
 *  - No guarded pattern can match a direct child of D, under D's name or
 *    under another name a mount gives it.
 *  - D is not in the quarantine store (root's and pinned, but its files
 *    are denied inodes the table answers for).
 * Children of D that are directories are judged on their own (the mark
 * covers one level).  A child renamed or linked out of D into a guarded
 * directory has that directory as its parent: its opens reach us.
 *  - D's filesystem was not seen used through another mount namespace's
 *    names (a container's volume may show D at a guarded path there):
 *    a guarded open or, while directories of it are marked, a writer's
 *    close whose name does not lead to the same inode in our namespace
 *    marks the filesystem foreign; its directory marks are flushed and
 *    none are placed on it again.
 * Known limit: a container that has not yet opened or written anything
 * on the filesystem since the guard started is not known; see the
 * README.
 *
 * Kernels without FAN_MARK_EVICTABLE (before 5.19) or FAN_MARK_IGNORE
 * (before 6.0) refuse the marks with EINVAL: the rule concerned is then
 * switched off for the rest of the run (a non-evictable mark per outside
 * file would pin inodes without bound).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent/guard/guard_int.h"

#ifndef FAN_MARK_EVICTABLE
#define FAN_MARK_EVICTABLE 0x00000200
#endif
#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE 0x00000400
#endif

/* Files seen once outside (power of two; a collision forgets one, which
 * only delays its scan). */
#define SEEN_SLOTS 4096
/* Directories found not eligible, by a hash of their name (power of two;
 * forgetting one costs a new check). */
#define REFUSED_SLOTS 4096
/* Background scans waiting; beyond this a file is simply not learnt. */
#define OUTSIDE_QUEUE_MAX 256
/* A background scan yields to guarded scans at most this long
 * (YIELD_MAX * YIELD_NS: 2 s). */
#define YIELD_MAX 400
#define YIELD_NS 5000000L
/* A directory marked this recently is not checked again. */
#define RECENT_MS 1000
/* Filesystems with directory marks remembered; beyond this any mount
 * change flushes. */
#define MARKED_DEVS_MAX 64

/* One line of /proc/self/mountinfo: the directory root of filesystem
 * dev is shown at mp. */
struct mnt {
	dev_t dev;
	char *root, *mp;
};

struct seen {
	struct guard_stamp st;
	bool queued;		/* its scan was queued (event loop only) */
};

struct guard_outside {
	struct workqueue *wq;
	struct seen seen[SEEN_SLOTS];
	uint64_t refused[REFUSED_SLOTS];
	struct {
		uint64_t hash, ms;
	} recent[REFUSED_SLOTS];	/* directories marked lately */
	struct mnt *mnts;		/* in mountinfo order (later on top) */
	size_t n_mnts;
	dev_t marked_devs[MARKED_DEVS_MAX];
	uint64_t marked_sigs[MARKED_DEVS_MAX];	/* their mounts then */
	size_t n_marked_devs;
	bool marked_overflow;
	dev_t foreign_devs[MARKED_DEVS_MAX];	/* seen through another
						   namespace's names */
	size_t n_foreign_devs;
	bool dir_rule, content_rule;	/* content_rule: atomic */
};

struct outside_job {
	int fd;
	struct guard_stamp st;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h ? h : 1;
}

static size_t
seen_slot(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h >> 32) & (SEEN_SLOTS - 1);
}

/* ---- the mount table ---------------------------------------------- */

static void
mnts_free(struct guard_outside *o)
{
	size_t i;

	for (i = 0; i < o->n_mnts; i++) {
		free(o->mnts[i].root);
		free(o->mnts[i].mp);
	}
	free(o->mnts);
	o->mnts = NULL;
	o->n_mnts = 0;
}

/* Reads our mount table.  On failure the table is left empty, and an
 * empty table refuses every directory. */
static void
mnts_load(struct guard_outside *o)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *mi = fopen("/proc/self/mountinfo", "re");

	mnts_free(o);
	if (!mi)
		return;
	while (getline(&line, &cap, mi) > 0) {
		unsigned maj, min;
		char *root = NULL, *mp = NULL;
		struct mnt *n;

		/* id parent maj:min root mountpoint ... */
		if (sscanf(line, "%*u %*u %u:%u %ms %ms", &maj, &min, &root,
			   &mp) != 4) {
			free(root);
			free(mp);
			continue;
		}
		n = reallocarray(o->mnts, o->n_mnts + 1, sizeof(*n));
		if (!n) {
			free(root);
			free(mp);
			mnts_free(o);
			break;
		}
		o->mnts = n;
		guard_mountinfo_unescape(root);
		guard_mountinfo_unescape(mp);
		o->mnts[o->n_mnts++] = (struct mnt){makedev(maj, min), root, mp};
	}
	free(line);
	fclose(mi);
}

/* Length of prefix when it is path or a directory above it (component-
 * wise), else 0 ("/" is above everything: 1). */
static size_t
under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/' ? 1 : 0;
	if (strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/'))
		return n;
	return 0;
}

/* The mount our name path is on: the topmost with the longest mount
 * point above it. */
static const struct mnt *
mnt_of(const struct guard_outside *o, const char *path)
{
	const struct mnt *best = NULL;
	size_t i, best_n = 0, n;

	for (i = 0; i < o->n_mnts; i++)
		if ((n = under(path, o->mnts[i].mp)) > 0 && n >= best_n) {
			best = &o->mnts[i];
			best_n = n;
		}
	return best;
}

/* path (a name on mount m) as a path inside m's filesystem, in buf. */
static bool
fs_path(const struct mnt *m, const char *path, char *buf, size_t cap)
{
	size_t n = under(path, m->mp);
	const char *rest = path + (strcmp(m->mp, "/") == 0 ? 0 : n);
	int len;

	if (n == 0)
		return false;
	if (strcmp(m->root, "/") == 0)
		len = snprintf(buf, cap, "%s", *rest ? rest : "/");
	else
		len = snprintf(buf, cap, "%s%s", m->root, rest);
	return len > 0 && (size_t)len < cap;
}

/* What the mounts of dev look like: any change (a new bind mount, one
 * gone) changes it. */
static uint64_t
dev_signature(const struct guard_outside *o, dev_t dev)
{
	uint64_t h = 1;
	size_t i;

	for (i = 0; i < o->n_mnts; i++)
		if (o->mnts[i].dev == dev)
			h = h * 31 + hash_str(o->mnts[i].root) * 7 +
			    hash_str(o->mnts[i].mp);
	return h;
}

void
guard_outside_mounts_changed(struct guard *g)
{
	struct guard_outside *o = g->outside;
	bool flush;
	size_t i;

	if (!o)
		return;
	flush = o->marked_overflow;
	mnts_load(o);
	for (i = 0; i < o->n_marked_devs && !flush; i++)
		if (dev_signature(o, o->marked_devs[i]) != o->marked_sigs[i])
			flush = true;
	/* Directories refused under the old table may qualify now. */
	memset(o->refused, 0, sizeof(o->refused));
	memset(o->recent, 0, sizeof(o->recent));
	if (!flush)
		return;
	/* Inode marks only: the guard's filesystem marks stay.  Clean
	 * guarded files lose their ignore marks too; their verdicts stay
	 * cached, so this costs round trips, not scans. */
	(void)fanotify_mark(g->fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	o->n_marked_devs = 0;
	o->marked_overflow = false;
	log_info("guard: the mounts of a filesystem with ignored directories "
		 "changed: ignore marks flushed");
}

/* ---- the directory rule ------------------------------------------- */

static bool
dev_in(const dev_t *v, size_t n, dev_t dev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == dev)
			return true;
	return false;
}

bool
guard_outside_has_dir_marks(const struct guard *g, dev_t dev)
{
	const struct guard_outside *o = g->outside;

	return o && (o->marked_overflow ||
		     dev_in(o->marked_devs, o->n_marked_devs, dev));
}

void
guard_outside_foreign(struct guard *g, dev_t dev)
{
	struct guard_outside *o = g->outside;

	if (!o || dev_in(o->foreign_devs, o->n_foreign_devs, dev))
		return;
	if (o->n_foreign_devs < MARKED_DEVS_MAX)
		o->foreign_devs[o->n_foreign_devs++] = dev;
	else
		o->dir_rule = false;
	if (!guard_outside_has_dir_marks(g, dev))
		return;
	(void)fanotify_mark(g->fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	o->n_marked_devs = 0;
	o->marked_overflow = false;
	memset(o->recent, 0, sizeof(o->recent));
	log_info("guard: a filesystem with ignored directories is used "
		 "through another mount namespace: ignore marks flushed, no "
		 "more directory marks on it");
}

/* Can anyone but root rename child, found in directory parent (its
 * parent on its own filesystem)? */
static bool
step_pinned(const struct stat *parent, const struct stat *child)
{
	if (child->st_dev != parent->st_dev || parent->st_uid != 0)
		return false;
	if (!(parent->st_mode & (S_IWGRP | S_IWOTH)))
		return true;
	return (parent->st_mode & S_ISVTX) && child->st_uid == 0;
}

/*
 * The component at name path (stat child, in directory parent) where
 * the walk goes from mount *cur into the mount at path, if any.  Pinned
 * when it is its filesystem's root (nothing can rename it), or when the
 * mount shows the very directory the parent mount shows there (a bind
 * mount of a directory onto itself, as ProtectSystem= makes them): then
 * parent is its parent on its filesystem and the usual rule applies.  A
 * mount that shows a directory elsewhere (a bind of a user's directory)
 * is not judged: its parent on its filesystem is not on our path.
 */
static bool
crossing_pinned(const struct guard_outside *o, const struct mnt **cur,
		const char *path, const struct stat *parent,
		const struct stat *child)
{
	const struct mnt *m = mnt_of(o, path);
	char rel[PATH_MAX];

	if (!m || !*cur)
		return false;
	if (m == *cur || strcmp(m->mp, path) != 0)
		/* No mount here: same filesystem, same parent. */
		return step_pinned(parent, child);
	if (m->dev != child->st_dev)
		return false;	/* btrfs subvolumes, overlays: unknown */
	if (strcmp(m->root, "/") == 0) {
		*cur = m;
		return true;
	}
	if (m->dev != (*cur)->dev || !fs_path(*cur, path, rel, sizeof(rel)) ||
	    strcmp(rel, m->root) != 0)
		return false;
	*cur = m;
	return step_pinned(parent, child);
}

/* Could a guarded pattern match dir or a direct child of it? */
static bool
guarded_near(const struct policy_strv *patterns, const char *dir);

/*
 * True when dir, a directory on mount m, is also shown at another name
 * (a bind mount of it or of a directory above it) where it or its
 * children could be guarded.
 */
static bool
other_views_guarded(const struct guard *g, const struct mnt *m,
		    const char *dir)
{
	const struct guard_outside *o = g->outside;
	char rel[PATH_MAX], alt[PATH_MAX];
	size_t i, n;

	if (!fs_path(m, dir, rel, sizeof(rel)))
		return true;
	for (i = 0; i < o->n_mnts; i++) {
		const struct mnt *v = &o->mnts[i];
		int len;

		if (v == m || v->dev != m->dev || (n = under(rel, v->root)) == 0)
			continue;
		len = snprintf(alt, sizeof(alt), "%s%s",
			       strcmp(v->mp, "/") == 0 ? "" : v->mp,
			       rel + (strcmp(v->root, "/") == 0 ? 0 : n));
		if (len <= 0 || (size_t)len >= sizeof(alt))
			return true;
		if (alt[0] == '\0')
			strcpy(alt, "/");
		if (strcmp(alt, dir) != 0 && guarded_near(&g->patterns, alt))
			return true;
	}
	return false;
}

/* Could a guarded pattern match a direct child of dir (k components)? */
static bool
patterns_reach_children(const struct policy_strv *patterns, const char *dir)
{
	size_t i, k = 0;
	const char *p;

	for (p = dir; *p; p++)
		k += *p == '/';
	if (strcmp(dir, "/") == 0)
		k = 0;
	for (i = 0; i < patterns->n; i++) {
		const char *pat = patterns->v[i];
		char prefix[PATH_MAX];
		size_t n = 0, comps = 0;

		if (strpbrk(pat, "[\\")) {
			/* Brackets and escapes: no component split we can
			 * trust; refuse when the glob-free prefix and dir are
			 * on one line of descent. */
			char *sp = guard_marks_static_prefix(pat);
			size_t a, b;
			bool near;

			if (!sp)
				return true;
			a = strlen(sp);
			b = strlen(dir);
			near = strcmp(sp, "/") == 0 || strcmp(dir, "/") == 0 ||
			       (strncmp(sp, dir, a < b ? a : b) == 0 &&
				(a == b || (a < b ? dir[a] : sp[b]) == '/'));
			free(sp);
			if (near)
				return true;
			continue;
		}
		for (p = pat; *p; p++) {
			if (*p == '/' && ++comps == k + 1) {
				/* pat[0..n) is its first k components */
				break;
			}
			n++;
		}
		if (comps < k + 1 || !*p)
			/* The pattern ends at or above dir's depth: it does
			 * not reach dir's children (files under it are in
			 * paths, and this one is not). */
			continue;
		if (n >= sizeof(prefix))
			return true;
		memcpy(prefix, pat, n);
		prefix[n] = '\0';
		if (n == 0)
			strcpy(prefix, "/");
		if (fnmatch(prefix, dir, FNM_PATHNAME) == 0)
			return true;
	}
	return false;
}

static bool
guarded_near(const struct policy_strv *patterns, const char *dir)
{
	char child[PATH_MAX + 2];

	snprintf(child, sizeof(child), "%s/x", strcmp(dir, "/") == 0 ? "" : dir);
	return policy_paths_match(patterns, dir) ||
	       policy_paths_match(patterns, child) ||
	       patterns_reach_children(patterns, dir);
}

/*
 * Opens dir (O_PATH: no event) when it is eligible for a directory mark;
 * -1 otherwise.  The walk goes component by component from "/" with
 * O_NOFOLLOW, so what is checked is what gets marked.
 */
static int
eligible_dir(struct guard *g, const char *dir)
{
	struct guard_outside *o = g->outside;
	char buf[PATH_MAX], *save = NULL, *comp;
	struct stat pst, cst;
	int fd, nfd;

	const struct mnt *cur = mnt_of(o, "/");
	char name[PATH_MAX];
	size_t nlen = 0;

	/* The quarantine store is root's: its files are denied inodes the
	 * table still answers for (an open under their new name). */
	if (strlen(dir) >= sizeof(buf) ||
	    patterns_reach_children(&g->patterns, dir) ||
	    (g->store && under(dir, quarantine_dir(g->store)) > 0))
		return -1;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &pst) != 0 || !cur ||
	    strcmp(cur->root, "/") != 0)
		goto fail;
	strcpy(buf, dir);
	for (comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		/* name: the components walked so far */
		nlen += (size_t)snprintf(name + nlen, sizeof(name) - nlen,
					 "/%s", comp);
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd < 0 || fstat(fd, &cst) != 0 ||
		    !crossing_pinned(o, &cur, name, &pst, &cst))
			goto fail;
		pst = cst;
	}
	/* Only root adds entries to D; D shown nowhere it could be guarded;
	 * its filesystem not seen used through another namespace. */
	if (pst.st_uid != 0 || (pst.st_mode & (S_IWGRP | S_IWOTH)) ||
	    other_views_guarded(g, cur, dir) ||
	    dev_in(o->foreign_devs, o->n_foreign_devs, pst.st_dev))
		goto fail;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
note_marked_dev(struct guard_outside *o, dev_t dev)
{
	if (dev_in(o->marked_devs, o->n_marked_devs, dev))
		return;
	if (o->n_marked_devs < MARKED_DEVS_MAX) {
		o->marked_sigs[o->n_marked_devs] = dev_signature(o, dev);
		o->marked_devs[o->n_marked_devs++] = dev;
	} else
		o->marked_overflow = true;
}

/* True when dir got (or has) its mark. */
static bool
dir_rule(struct guard *g, const char *path)
{
	struct guard_outside *o = g->outside;
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;
	uint64_t h;
	struct stat st;
	int fd;
	__typeof__(&o->recent[0]) r;

	if (!slash)
		return false;
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof(dir))
		return false;
	memcpy(dir, path, len);
	dir[len] = '\0';
	h = hash_str(dir);
	if (o->refused[h & (REFUSED_SLOTS - 1)] == h)
		return false;
	/* Opens that were queued before the mark took effect (the opener is
	 * answered before we learn): the mark is there.  Later, an evicted
	 * mark is placed again. */
	r = &o->recent[h & (REFUSED_SLOTS - 1)];
	if (r->hash == h && guard_now_ms() - r->ms < RECENT_MS)
		return true;
	fd = eligible_dir(g, dir);	/* O_PATH: marked through "." */
	if (fd < 0) {
		o->refused[h & (REFUSED_SLOTS - 1)] = h;
		return false;
	}
	if (fanotify_mark(g->fan_fd, FAN_MARK_ADD | FAN_MARK_IGNORE |
			  FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_EVICTABLE,
			  FAN_OPEN_PERM | FAN_EVENT_ON_CHILD, fd, ".") != 0) {
		if (errno == EINVAL) {
			o->dir_rule = false;
			log_info("guard: this kernel has no FAN_MARK_IGNORE/"
				 "FAN_MARK_EVICTABLE: outside directories "
				 "are filtered at each open");
		}
		o->refused[h & (REFUSED_SLOTS - 1)] = h;
		close(fd);
		return false;
	}
	if (fstat(fd, &st) == 0)
		note_marked_dev(o, st.st_dev);
	close(fd);
	r->hash = h;
	r->ms = guard_now_ms();
	guard_count(&g->n_dir_marks);
	return true;
}

/* ---- the content rule --------------------------------------------- */

static void
job_drop(void *vjob)
{
	struct outside_job *job = vjob;

	if (!job)
		return;
	if (job->fd >= 0)
		close(job->fd);
	free(job);
}

/* True unless nobody has the file open for writing (see guard_job.c). */
static bool
being_written(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
		return true;
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
	return false;
}

static void
job_run(void *vjob, void *arg)
{
	struct guard *g = arg;
	struct guard_outside *o = g->outside;
	struct outside_job *job = vjob;
	struct scan_result *res = NULL;
	struct guard_stamp st1;
	struct stat sb;
	int flags = FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_EVICTABLE;
	unsigned i;

	if (!__atomic_load_n(&o->content_rule, __ATOMIC_RELAXED) ||
	    being_written(job->fd) || fstat(job->fd, &sb) != 0)
		goto out;
	guard_stamp_from_stat(&sb, &st1);
	if (!guard_stamp_equal(&st1, &job->st))
		goto out;
	/* Guarded files first: this scan waits while theirs run (they hold
	 * openers), for a bounded time. */
	for (i = 0; i < YIELD_MAX && guard_table_scanning(g->table) > 0; i++)
		nanosleep(&(struct timespec){0, YIELD_NS}, NULL);
	guard_count(&g->n_outside_scans);
	if (scan_client_scan(g->client, job->fd, &res) != PW_OK ||
	    scan_result_verdict(res) != PW_VERDICT_CLEAN)
		goto out;
	/* An existing non-evictable mark (the file was judged in a guarded
	 * directory) cannot be made evictable: keep it as it is. */
	if (fanotify_mark(g->fan_fd, flags, FAN_OPEN_PERM, job->fd, NULL) != 0 &&
	    (errno != EEXIST ||
	     fanotify_mark(g->fan_fd, flags & ~FAN_MARK_EVICTABLE,
			   FAN_OPEN_PERM, job->fd, NULL) != 0)) {
		if (errno == EINVAL) {
			__atomic_store_n(&o->content_rule, false,
					 __ATOMIC_RELAXED);
			log_info("guard: this kernel has no FAN_MARK_EVICTABLE: "
				 "outside files are filtered at each open");
		}
		goto out;
	}
	/* As for a guarded file: a change between the scan's stamps and the
	 * mark would escape the kernel's clearing, so compare again. */
	if (fstat(job->fd, &sb) == 0) {
		guard_stamp_from_stat(&sb, &st1);
		if (guard_stamp_equal(&st1, &job->st)) {
			guard_count(&g->n_content_marks);
			goto out;
		}
	}
	(void)fanotify_mark(g->fan_fd, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK,
			    FAN_OPEN_PERM, job->fd, NULL);
out:
	scan_result_free(res);
	job_drop(job);
}

static void
content_rule(struct guard *g, int fd, const struct stat *st)
{
	struct guard_outside *o = g->outside;
	struct guard_stamp stamp;
	struct seen *s;
	struct outside_job *job;

	if (!__atomic_load_n(&o->content_rule, __ATOMIC_RELAXED))
		return;
	guard_stamp_from_stat(st, &stamp);
	s = &o->seen[seen_slot(st->st_dev, st->st_ino)];
	if (!guard_stamp_equal(&s->st, &stamp)) {
		/* First sighting: files opened once are never scanned. */
		s->st = stamp;
		s->queued = false;
		return;
	}
	/* Scanned once per content: a file that is not clean keeps paying
	 * the filter rather than being scanned again and again. */
	if (s->queued)
		return;
	s->queued = true;
	job = calloc(1, sizeof(*job));
	if (!job)
		return;
	job->st = stamp;
	job->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (job->fd < 0 || !workqueue_try_push(o->wq, job))
		job_drop(job);
}

/* ---- entry points -------------------------------------------------- */

int
guard_outside_new(struct guard *g)
{
	struct guard_outside *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	o->dir_rule = true;
	o->content_rule = true;
	mnts_load(o);
	if (workqueue_new(OUTSIDE_QUEUE_MAX, 1, job_run, job_drop, g,
			  &o->wq) != 0) {
		mnts_free(o);
		free(o);
		return -1;
	}
	g->outside = o;
	return 0;
}

void
guard_outside_stop(struct guard *g)
{
	if (g->outside) {
		workqueue_free(g->outside->wq);
		g->outside->wq = NULL;
	}
}

void
guard_outside_free(struct guard *g)
{
	struct guard_outside *o = g->outside;

	if (!o)
		return;
	workqueue_free(o->wq);
	mnts_free(o);
	free(o);
	g->outside = NULL;
}

void
guard_outside_learn(struct guard *g, int fd, const struct stat *st,
		    const char *path)
{
	struct guard_outside *o = g->outside;

	if (!o)
		return;
	if (o->dir_rule && dir_rule(g, path))
		return;
	content_rule(g, fd, st);
}
