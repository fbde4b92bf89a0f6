/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_walk.c - see watch_walk.h.  A LIFO stack of directories to list
 * (depth-first, so the newest directory, the one files are landing in
 * right now, is listed first) and at most one open DIR.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/watch/watch_fdpath.h"
#include "agent/watch/watch_walk.h"

struct walk_item {
	char *path;
	bool recursive;
};

struct watch_walk {
	struct watch_walk_ops ops;
	void *arg;
	struct walk_item *stack;
	size_t n, cap;
	DIR *cur;
	struct walk_item cur_item;
	const char *cur_base;	/* last component of cur_item.path */
	char *pending;		/* full path of a refused file */
};

static char *
join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name), len;
	char *p;

	if (__builtin_add_overflow(a, b, &len) ||
	    __builtin_add_overflow(len, 2, &len))
		return NULL;
	p = malloc(len);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

int
watch_walk_new(const struct watch_walk_ops *ops, void *arg,
	       struct watch_walk **ret)
{
	struct watch_walk *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->ops = *ops;
	w->arg = arg;
	*ret = w;
	return 0;
}

static void
close_current(struct watch_walk *w)
{
	if (w->cur != NULL)
		closedir(w->cur);
	w->cur = NULL;
	free(w->cur_item.path);
	w->cur_item.path = NULL;
	free(w->pending);
	w->pending = NULL;
}

void
watch_walk_clear(struct watch_walk *w)
{
	close_current(w);
	while (w->n > 0)
		free(w->stack[--w->n].path);
}

void
watch_walk_free(struct watch_walk *w)
{
	if (w == NULL)
		return;
	watch_walk_clear(w);
	free(w->stack);
	free(w);
}

int
watch_walk_push(struct watch_walk *w, const char *path, bool recursive)
{
	struct walk_item *grown;
	size_t cap;
	char *copy;

	if (w->n == w->cap) {
		cap = w->cap == 0 ? 64 : w->cap;
		if (__builtin_mul_overflow(cap, 2, &cap))
			goto nomem;
		grown = reallocarray(w->stack, cap, sizeof(*grown));
		if (grown == NULL)
			goto nomem;
		w->stack = grown;
		w->cap = cap;
	}
	copy = strdup(path);
	if (copy == NULL)
		goto nomem;
	w->stack[w->n].path = copy;
	w->stack[w->n].recursive = recursive;
	w->n++;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

bool
watch_walk_idle(const struct watch_walk *w)
{
	return w->n == 0 && w->cur == NULL;
}

/* Pops directories until one opens and the caller wants it listed. */
static bool
open_next(struct watch_walk *w)
{
	struct stat st;
	const char *slash;
	int fd;

	while (w->n > 0) {
		w->cur_item = w->stack[--w->n];
		/* O_NOFOLLOW: a directory swapped for a symlink since it was
		 * listed is not entered. */
		fd = watch_open_dir(w->cur_item.path, O_RDONLY, 0);
		if (fd >= 0 && fstat(fd, &st) == 0 &&
		    w->ops.on_dir(w->arg, fd, w->cur_item.path, &st)) {
			w->cur = fdopendir(fd);
			if (w->cur != NULL) {
				slash = strrchr(w->cur_item.path, '/');
				w->cur_base = slash != NULL ? slash + 1
							    : w->cur_item.path;
				return true;
			}
		}
		if (fd >= 0 && w->cur == NULL)
			close(fd);
		free(w->cur_item.path);
		w->cur_item.path = NULL;
	}
	return false;
}

enum watch_walk_state
watch_walk_step(struct watch_walk *w, size_t budget)
{
	struct dirent *e;
	struct stat st;
	unsigned char type;
	char *path;

	while (budget > 0) {
		if (w->cur == NULL && !open_next(w))
			return WATCH_WALK_IDLE;
		if (w->pending != NULL) {
			if (!w->ops.on_file(w->arg, w->pending))
				return WATCH_WALK_PAUSED;
			free(w->pending);
			w->pending = NULL;
		}
		errno = 0;
		e = readdir(w->cur);
		if (e == NULL) {
			close_current(w);
			continue;
		}
		budget--;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		type = e->d_type;
		if (type == DT_UNKNOWN) {
			/* Some filesystems do not fill d_type. */
			if (fstatat(dirfd(w->cur), e->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = S_ISDIR(st.st_mode)   ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
			       : S_ISLNK(st.st_mode) ? DT_LNK
						     : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			if (!w->cur_item.recursive)
				continue;
			path = join(w->cur_item.path, e->d_name);
			/* Out of memory: this subtree is walked at the next
			 * full rescan. */
			if (path != NULL)
				(void)watch_walk_push(w, path, true);
			free(path);
			continue;
		}
		if (type == DT_LNK && w->ops.on_symlink != NULL) {
			path = join(w->cur_item.path, e->d_name);
			if (path != NULL)
				w->ops.on_symlink(w->arg, path);
			free(path);
			continue;
		}
		if (type != DT_REG)
			continue;
		path = join(w->cur_item.path, e->d_name);
		if (path == NULL)
			continue;
		if (!w->ops.on_file(w->arg, path)) {
			w->pending = path;
			return WATCH_WALK_PAUSED;
		}
		free(path);
	}
	return WATCH_WALK_MORE;
}
