/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landing.c - see landing.h.  No file is read here: the looks are prefix
 * scans in the sandboxed workers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent/watch/landing.h"

void
landing_init(struct landing_state *st)
{
	memset(st, 0, sizeof(*st));
	st->next = LANDING_FIRST;
}

bool
landing_due(const struct landing_state *st, uint64_t size)
{
	uint64_t next = st->next ? st->next : LANDING_FIRST;

	return !st->final && size >= next && size <= LANDING_MAX_PREFIX;
}

void
landing_seen(struct landing_state *st, uint64_t size)
{
	if (st->looks > 0 && size < st->last)
		landing_init(st);
}

void
landing_looked(struct landing_state *st, uint64_t size)
{
	uint64_t next;

	/* The next look when the file has doubled: the looks together
	 * stay below twice the final size. */
	if (__builtin_mul_overflow(size, 2, &next))
		next = UINT64_MAX;
	if (next > st->next)
		st->next = next;
	if (__builtin_add_overflow(st->asked, size, &st->asked))
		st->asked = UINT64_MAX;
	st->last = size;
	st->looks++;
}

void
landing_final(struct landing_state *st)
{
	st->final = true;
}

struct landing_entry {
	char *path;		/* NULL: free */
	uint64_t used_ms;
	struct landing_state st;
};

struct landing_table {
	struct landing_entry *e;
	size_t max, count;
};

struct landing_table *
landing_table_new(size_t max)
{
	struct landing_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->max = max ? max : LANDING_TABLE_MAX;
	t->e = calloc(t->max, sizeof(*t->e));
	if (t->e == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
landing_table_free(struct landing_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->max; i++)
		free(t->e[i].path);
	free(t->e);
	free(t);
}

static struct landing_entry *
find(struct landing_table *t, const char *path)
{
	size_t i;

	/* A linear walk: at most a few hundred entries, one walk per
	 * MODIFY event of a file being written. */
	for (i = 0; i < t->max; i++)
		if (t->e[i].path != NULL && strcmp(t->e[i].path, path) == 0)
			return &t->e[i];
	return NULL;
}

struct landing_state *
landing_table_get(struct landing_table *t, const char *path, uint64_t now_ms)
{
	struct landing_entry *e = find(t, path), *victim = NULL;
	char *copy;
	size_t i;

	if (e != NULL) {
		e->used_ms = now_ms;
		return &e->st;
	}
	copy = strdup(path);
	if (copy == NULL)
		return NULL;
	for (i = 0; i < t->max; i++) {
		if (t->e[i].path == NULL) {
			victim = &t->e[i];
			break;
		}
		if (victim == NULL || t->e[i].used_ms < victim->used_ms)
			victim = &t->e[i];
	}
	if (victim->path != NULL) {
		free(victim->path);	/* full: the stalest file goes */
		t->count--;
	}
	victim->path = copy;
	victim->used_ms = now_ms;
	landing_init(&victim->st);
	t->count++;
	return &victim->st;
}

void
landing_table_forget(struct landing_table *t, const char *path)
{
	struct landing_entry *e = t ? find(t, path) : NULL;

	if (e == NULL)
		return;
	free(e->path);
	memset(e, 0, sizeof(*e));
	t->count--;
}

size_t
landing_table_count(const struct landing_table *t)
{
	return t ? t->count : 0;
}
