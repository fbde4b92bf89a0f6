#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <openssl/evp.h>

#include "agent/signing/sig_limits.h"
#include "agent/signing/sig_model.h"

/* hashing.py Config.hash: ignore_git_paths defaults to true. */
static const char *const git_paths[] = {".git", ".gitattributes", ".github",
					".gitignore"};

struct walk {
	const char **ignore;
	size_t n_ignore;
	char **paths;		/* regular files, relative to the model */
	size_t n, cap;
	enum sig_model_status st;
	char *why;
	size_t why_cap;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct walk *w, enum sig_model_status st, const char *fmt, ...)
{
	va_list ap;

	if (w->st == SIG_MODEL_OK) {
		w->st = st;
		if (w->why && w->why_cap) {
			va_start(ap, fmt);
			vsnprintf(w->why, w->why_cap, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

/* serialization.py should_ignore: path.is_relative_to(ignored). */
static bool
ignored_by(const char *g, const char *rel)
{
	size_t n = strlen(g);

	if (strcmp(g, ".") == 0)
		return true;	/* the model itself */
	return strncmp(rel, g, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

static bool
ignored(const struct walk *w, const char *rel)
{
	size_t i;

	for (i = 0; i < w->n_ignore; i++)
		if (ignored_by(w->ignore[i], rel))
			return true;
	return false;
}

bool
sig_model_ignored(const struct sig_manifest *m, const char *rel,
		  const char *sig_rel)
{
	size_t i;

	for (i = 0; i < sizeof(git_paths) / sizeof(git_paths[0]); i++)
		if (ignored_by(git_paths[i], rel))
			return true;
	if (sig_rel && ignored_by(sig_rel, rel))
		return true;
	for (i = 0; i < m->n_ignore; i++)
		if (ignored_by(m->ignore[i], rel))
			return true;
	return false;
}

static int
push(struct walk *w, char *rel)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		char **np = reallocarray(w->paths, nc, sizeof(*np));

		if (!np) {
			free(rel);
			return fail(w, SIG_MODEL_NOMEM, "out of memory");
		}
		w->paths = np;
		w->cap = nc;
	}
	if (w->n >= SIG_MAX_FILES) {
		free(rel);
		return fail(w, SIG_MODEL_LIMIT, "more than %u files",
			    SIG_MAX_FILES);
	}
	w->paths[w->n++] = rel;
	return 0;
}

/* Walks the directory open as fd (closed here); rel is its path in the
 * model ("" for the model directory). */
static int
walk_dir(struct walk *w, int fd, const char *rel, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (depth > SIG_MAX_DIR_DEPTH) {
		close(fd);
		return fail(w, SIG_MODEL_LIMIT, "directories nested deeper "
			    "than %u", SIG_MAX_DIR_DEPTH);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail(w, SIG_MODEL_IO, "%s: %s", rel, strerror(errno));
	}
	while (rc == 0) {
		struct stat st;
		char *child;
		size_t rl = strlen(rel), nl;

		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno)
				rc = fail(w, SIG_MODEL_IO, "%s: %s", rel,
					  strerror(errno));
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		nl = strlen(e->d_name);
		child = malloc(rl + nl + 2);
		if (!child) {
			rc = fail(w, SIG_MODEL_NOMEM, "out of memory");
			break;
		}
		if (rl)
			snprintf(child, rl + nl + 2, "%s/%s", rel, e->d_name);
		else
			memcpy(child, e->d_name, nl + 1);
		if (ignored(w, child)) {
			free(child);
			continue;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = fail(w, SIG_MODEL_IO, "%s: %s", child,
				  strerror(errno));
			free(child);
			break;
		}
		if (S_ISREG(st.st_mode)) {
			rc = push(w, child);
		} else if (S_ISDIR(st.st_mode)) {
			int cfd = openat(dirfd(d), e->d_name, O_RDONLY |
					 O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (cfd < 0)
				rc = fail(w, SIG_MODEL_IO, "%s: %s", child,
					  strerror(errno));
			else
				rc = walk_dir(w, cfd, child, depth + 1);
			free(child);
		} else {
			rc = fail(w, SIG_MODEL_BAD_ENTRY, "%s: %s", child,
				  S_ISLNK(st.st_mode) ?
				  "a symbolic link (the reference refuses "
				  "them)" : "not a regular file or directory");
			free(child);
		}
	}
	closedir(d);
	return rc;
}

/* Opens rel below rootfd without following any symlink or leaving the
 * model (openat2), so a swap during the walk cannot redirect a read. */
static int
open_beneath(int rootfd, const char *rel)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	/* O_NONBLOCK: a FIFO swapped in after the walk must not hang the
	 * open; fstat then refuses it. */
	how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rootfd, rel, (int)how.flags);
	return fd;
}

int
sig_hash_fd(int fd, uint64_t start, uint64_t end, unsigned char out[32],
	    uint64_t *ret_bytes)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(SIG_HASH_CHUNK);
	uint64_t off = start, done = 0;
	int rc = -1, saved = ENOMEM;

	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	(void)posix_fadvise(fd, (off_t)start, 0, POSIX_FADV_SEQUENTIAL);
	while (off < end) {
		size_t want = SIG_HASH_CHUNK;
		ssize_t r;

		if (end - off < want)
			want = (size_t)(end - off);
		r = pread(fd, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			goto out;
		}
		if (r == 0) {
			if (end == UINT64_MAX)
				break;
			saved = EIO;	/* shorter than the shard says */
			goto out;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
			goto out;
		off += (uint64_t)r;
		done += (uint64_t)r;
	}
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		goto out;
	if (ret_bytes)
		*ret_bytes = done;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (rc != 0)
		errno = saved;
	return rc;
}

char *
sig_item_name(const struct sig_item *it)
{
	char *s = NULL;

	if (!it->shard)
		return strdup(it->path);
	if (asprintf(&s, "%s:%llu:%llu", it->path,
		     (unsigned long long)it->start,
		     (unsigned long long)it->end) < 0)
		return NULL;
	return s;
}

void
sig_diff_clear(struct sig_diff *d)
{
	size_t i;

	for (i = 0; i < d->n_extra; i++)
		free(d->extra[i]);
	for (i = 0; i < d->n_missing; i++)
		free(d->missing[i]);
	for (i = 0; i < d->n_mismatch; i++)
		free(d->mismatch[i]);
	free(d->extra);
	free(d->missing);
	free(d->mismatch);
	memset(d, 0, sizeof(*d));
}

static int
list_add(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -1;
	nv = reallocarray(*v, *n + 1, sizeof(*nv));
	if (!nv) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The item of path covering [start, end) among the count from first. */
static size_t
find_shard(const struct sig_manifest *m, size_t first, size_t count,
	   uint64_t start, uint64_t end)
{
	size_t i;

	for (i = first; i < first + count; i++)
		if (m->items[i].start == start && m->items[i].end == end)
			return i;
	return SIZE_MAX;
}

/* Compares one file (fd) with its items; marks the items seen. */
static int
compare_file(const struct sig_manifest *m, const char *rel, int fd,
	     bool *seen, struct sig_diff *d)
{
	unsigned char dg[32];
	uint64_t got = 0;
	size_t first, count = sig_manifest_find(m, rel, &first);
	struct stat st;

	if (m->method == SIG_METHOD_FILES) {
		const struct sig_item *it = &m->items[first];

		if (count == 0)
			return list_add(&d->extra, &d->n_extra, strdup(rel));
		if (sig_hash_fd(fd, 0, UINT64_MAX, dg, &got) != 0)
			return -1;
		d->bytes_hashed += got;
		seen[first] = true;
		if (it->digest_len != 32 || memcmp(it->digest, dg, 32) != 0)
			return list_add(&d->mismatch, &d->n_mismatch,
					strdup(rel));
		return 0;
	}
	if (fstat(fd, &st) != 0)
		return -1;
	/* file_shard.py _get_shards / _endpoints. */
	for (uint64_t s = 0; s < (uint64_t)st.st_size; s += m->shard_size) {
		uint64_t e = (uint64_t)st.st_size - s > m->shard_size ?
			s + m->shard_size : (uint64_t)st.st_size;
		size_t k = find_shard(m, first, count, s, e);
		struct sig_item tmp = {.path = (char *)rel, .shard = true,
				       .start = s, .end = e};

		if (k == SIZE_MAX) {
			if (list_add(&d->extra, &d->n_extra,
				     sig_item_name(&tmp)) != 0)
				return -1;
			continue;
		}
		if (sig_hash_fd(fd, s, e, dg, &got) != 0)
			return -1;
		d->bytes_hashed += got;
		seen[k] = true;
		if (m->items[k].digest_len != 32 ||
		    memcmp(m->items[k].digest, dg, 32) != 0) {
			if (list_add(&d->mismatch, &d->n_mismatch,
				     sig_item_name(&tmp)) != 0)
				return -1;
		}
		if (e == (uint64_t)st.st_size)
			break;
	}
	return 0;
}

/* The signature's path relative to the model, when inside it
 * (_cli.py _resolve_ignore_paths). */
static char *
sig_relative(const char *model_path, const char *sig_path)
{
	char *m = realpath(model_path, NULL), *s = realpath(sig_path, NULL);
	char *rel = NULL;
	size_t n;

	if (m && s) {
		n = strlen(m);
		if (strncmp(s, m, n) == 0 && s[n] == '/')
			rel = strdup(s + n + 1);
		else if (n == 1 && m[0] == '/' && s[0] == '/')
			rel = strdup(s + 1);
	}
	free(m);
	free(s);
	return rel;
}

enum sig_model_status
sig_model_compare(const char *model_path, const char *sig_path,
		  char *const *extra, size_t n_extra,
		  const struct sig_manifest *m, struct sig_diff *ret,
		  char *why, size_t cap)
{
	struct walk w = {.why = why, .why_cap = cap};
	struct sig_diff d;
	struct stat st;
	bool *seen = NULL;
	char *sigrel = NULL, **rels = NULL;
	int rootfd = -1;
	size_t i;

	memset(&d, 0, sizeof(d));
	w.ignore = calloc(m->n_ignore + n_extra + 6, sizeof(*w.ignore));
	rels = calloc(n_extra + 1, sizeof(*rels));
	seen = calloc(m->n + 1, sizeof(*seen));
	if (!w.ignore || !seen || !rels) {
		fail(&w, SIG_MODEL_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < 4; i++)
		w.ignore[w.n_ignore++] = git_paths[i];
	for (i = 0; i < m->n_ignore; i++)
		w.ignore[w.n_ignore++] = m->ignore[i];
	sigrel = sig_path ? sig_relative(model_path, sig_path) : NULL;
	if (sigrel)
		w.ignore[w.n_ignore++] = sigrel;
	for (i = 0; i < n_extra; i++) {
		rels[i] = sig_relative(model_path, extra[i]);
		if (rels[i])
			w.ignore[w.n_ignore++] = rels[i];
	}
	if (lstat(model_path, &st) != 0) {
		fail(&w, SIG_MODEL_IO, "%s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		int fd = open(model_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);

		rootfd = fd >= 0 ? dup(fd) : -1;
		if (fd < 0 || rootfd < 0) {
			if (fd >= 0)
				close(fd);
			fail(&w, SIG_MODEL_IO, "%s", strerror(errno));
			goto out;
		}
		if (walk_dir(&w, fd, "", 0) != 0)
			goto out;
		qsort(w.paths, w.n, sizeof(*w.paths), str_cmp);
	} else if (S_ISREG(st.st_mode)) {
		/* file.py: a single-file model is the resource ".". */
		char *dot = strdup(".");

		if (!dot || push(&w, dot) != 0) {
			fail(&w, SIG_MODEL_NOMEM, "out of memory");
			goto out;
		}
	} else {
		fail(&w, SIG_MODEL_BAD_ENTRY, "the model is %s",
		     S_ISLNK(st.st_mode) ? "a symbolic link" :
		     "not a regular file or directory");
		goto out;
	}
	for (i = 0; i < w.n; i++) {
		int fd;
		struct stat fst;

		if (rootfd >= 0)
			fd = open_beneath(rootfd, w.paths[i]);
		else
			fd = open(model_path, O_RDONLY | O_NOFOLLOW |
				  O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &fst) != 0) {
			fail(&w, SIG_MODEL_IO, "%s: %s", w.paths[i],
			     strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (!S_ISREG(fst.st_mode)) {
			fail(&w, SIG_MODEL_BAD_ENTRY, "%s: changed while "
			     "verifying", w.paths[i]);
			close(fd);
			goto out;
		}
		d.files++;
		if (compare_file(m, w.paths[i], fd, seen, &d) != 0) {
			fail(&w, errno == ENOMEM ? SIG_MODEL_NOMEM :
			     SIG_MODEL_IO, "%s: %s", w.paths[i],
			     strerror(errno));
			close(fd);
			goto out;
		}
		close(fd);
	}
	for (i = 0; i < m->n; i++) {
		if (!seen[i] && list_add(&d.missing, &d.n_missing,
					 sig_item_name(&m->items[i])) != 0) {
			fail(&w, SIG_MODEL_NOMEM, "out of memory");
			goto out;
		}
	}
	*ret = d;
	memset(&d, 0, sizeof(d));
out:
	sig_diff_clear(&d);
	for (i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	free(w.ignore);
	free(sigrel);
	for (i = 0; rels && i < n_extra; i++)
		free(rels[i]);
	free(rels);
	free(seen);
	if (rootfd >= 0)
		close(rootfd);
	return w.st;
}
