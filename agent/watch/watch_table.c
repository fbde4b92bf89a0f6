/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_table.c - see watch_table.h.  Two chained hash tables over the
 * same entries; both grow together at a load factor of 1.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/watch/watch_table.h"

#define WT_MIN_BUCKETS 64u

struct watch_table {
	struct watch_dir **by_wd, **by_ino;
	size_t nbuckets, count;
};

static size_t
hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ULL;
	v ^= v >> 33;
	return (size_t)v;
}

static size_t
wd_bucket(const struct watch_table *t, int wd)
{
	return hash_u64((uint64_t)(unsigned)wd) & (t->nbuckets - 1);
}

static size_t
ino_bucket(const struct watch_table *t, uint64_t dev, uint64_t ino)
{
	return hash_u64(ino ^ hash_u64(dev)) & (t->nbuckets - 1);
}

int
watch_table_new(struct watch_table **ret)
{
	struct watch_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	t->nbuckets = WT_MIN_BUCKETS;
	t->by_wd = calloc(t->nbuckets, sizeof(*t->by_wd));
	t->by_ino = calloc(t->nbuckets, sizeof(*t->by_ino));
	if (t->by_wd == NULL || t->by_ino == NULL) {
		watch_table_free(t);
		errno = ENOMEM;
		return -1;
	}
	*ret = t;
	return 0;
}

void
watch_table_free(struct watch_table *t)
{
	struct watch_dir *d, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->by_wd != NULL && i < t->nbuckets; i++) {
		for (d = t->by_wd[i]; d != NULL; d = next) {
			next = d->next_wd;
			free(d->path);
			free(d);
		}
	}
	free(t->by_wd);
	free(t->by_ino);
	free(t);
}

/* Doubles the buckets; on allocation failure the table just stays
 * slower. */
static void
grow(struct watch_table *t)
{
	struct watch_dir **by_wd, **by_ino, *d, *next;
	size_t i, old = t->nbuckets, n;

	if (__builtin_mul_overflow(old, 2, &n))
		return;
	by_wd = calloc(n, sizeof(*by_wd));
	by_ino = calloc(n, sizeof(*by_ino));
	if (by_wd == NULL || by_ino == NULL) {
		free(by_wd);
		free(by_ino);
		return;
	}
	t->nbuckets = n;
	for (i = 0; i < old; i++) {
		for (d = t->by_wd[i]; d != NULL; d = next) {
			size_t b = wd_bucket(t, d->wd);

			next = d->next_wd;
			d->next_wd = by_wd[b];
			by_wd[b] = d;
		}
		for (d = t->by_ino[i]; d != NULL; d = next) {
			size_t b = ino_bucket(t, d->dev, d->ino);

			next = d->next_ino;
			d->next_ino = by_ino[b];
			by_ino[b] = d;
		}
	}
	free(t->by_wd);
	free(t->by_ino);
	t->by_wd = by_wd;
	t->by_ino = by_ino;
}

struct watch_dir *
watch_table_by_wd(struct watch_table *t, int wd)
{
	struct watch_dir *d;

	for (d = t->by_wd[wd_bucket(t, wd)]; d != NULL; d = d->next_wd)
		if (d->wd == wd)
			return d;
	return NULL;
}

struct watch_dir *
watch_table_by_inode(struct watch_table *t, uint64_t dev, uint64_t ino)
{
	struct watch_dir *d;

	for (d = t->by_ino[ino_bucket(t, dev, ino)]; d != NULL;
	     d = d->next_ino)
		if (d->dev == dev && d->ino == ino)
			return d;
	return NULL;
}

int
watch_table_set_path(struct watch_table *t, struct watch_dir *d,
		     const char *path)
{
	char *copy;

	(void)t;
	if (strcmp(d->path, path) == 0)
		return 0;
	copy = strdup(path);
	if (copy == NULL)
		return -1;
	free(d->path);
	d->path = copy;
	return 0;
}

static void
unlink_ino(struct watch_table *t, struct watch_dir *d)
{
	struct watch_dir **pp = &t->by_ino[ino_bucket(t, d->dev, d->ino)];

	for (; *pp != NULL; pp = &(*pp)->next_ino) {
		if (*pp == d) {
			*pp = d->next_ino;
			return;
		}
	}
}

struct watch_dir *
watch_table_add(struct watch_table *t, int wd, uint64_t dev, uint64_t ino,
		const char *path, enum watch_dir_kind kind)
{
	struct watch_dir *d = watch_table_by_wd(t, wd);
	size_t b;

	if (d != NULL) {
		if (watch_table_set_path(t, d, path) != 0)
			return NULL;
		if (d->dev != dev || d->ino != ino) {
			unlink_ino(t, d);
			d->dev = dev;
			d->ino = ino;
			b = ino_bucket(t, dev, ino);
			d->next_ino = t->by_ino[b];
			t->by_ino[b] = d;
		}
		d->kind = kind;
		return d;
	}
	if (t->count >= t->nbuckets)
		grow(t);
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->path = strdup(path);
	if (d->path == NULL) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->wd = wd;
	d->dev = dev;
	d->ino = ino;
	d->kind = kind;
	b = wd_bucket(t, wd);
	d->next_wd = t->by_wd[b];
	t->by_wd[b] = d;
	b = ino_bucket(t, dev, ino);
	d->next_ino = t->by_ino[b];
	t->by_ino[b] = d;
	t->count++;
	return d;
}

void
watch_table_remove(struct watch_table *t, int wd)
{
	struct watch_dir **pp = &t->by_wd[wd_bucket(t, wd)], *d;

	for (; *pp != NULL; pp = &(*pp)->next_wd) {
		if ((*pp)->wd == wd)
			break;
	}
	if (*pp == NULL)
		return;
	d = *pp;
	*pp = d->next_wd;
	unlink_ino(t, d);
	free(d->path);
	free(d);
	t->count--;
}

size_t
watch_table_count(const struct watch_table *t)
{
	return t->count;
}

static bool
is_under(const char *path, const char *prefix, size_t plen)
{
	return strncmp(path, prefix, plen) == 0 &&
	       (path[plen] == '\0' || path[plen] == '/');
}

/* Collects wds of entries matching (prefix, kind) into a new array. */
static int
collect(struct watch_table *t, const char *prefix, int kind, int **ret_wds,
	size_t *ret_n)
{
	struct watch_dir *d;
	int *wds = NULL;
	size_t i, n = 0, plen = prefix != NULL ? strlen(prefix) : 0;

	*ret_wds = NULL;
	*ret_n = 0;
	if (t->count == 0)
		return 0;
	wds = calloc(t->count, sizeof(*wds));
	if (wds == NULL)
		return -1;
	for (i = 0; i < t->nbuckets; i++) {
		for (d = t->by_wd[i]; d != NULL; d = d->next_wd) {
			if (prefix != NULL && !is_under(d->path, prefix, plen))
				continue;
			if (kind >= 0 && (int)d->kind != kind)
				continue;
			wds[n++] = d->wd;
		}
	}
	if (n == 0) {
		free(wds);
		wds = NULL;
	}
	*ret_wds = wds;
	*ret_n = n;
	return 0;
}

int
watch_table_under(struct watch_table *t, const char *path, int **ret_wds,
		  size_t *ret_n)
{
	return collect(t, path, -1, ret_wds, ret_n);
}

int
watch_table_of_kind(struct watch_table *t, enum watch_dir_kind kind,
		    int **ret_wds, size_t *ret_n)
{
	return collect(t, NULL, (int)kind, ret_wds, ret_n);
}
