/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pw_limits.h"
#include "pickle/names.h"
#include "pickle/pw_values.h"

/* Slabs grow from SLAB_FIRST cells, doubling up to SLAB_MAX: most files
 * are small, and a first slab of thousands of cells (hundreds of KB,
 * written once to build the free list and walked again at the end) cost
 * a small file more than its whole scan. */
#define SLAB_FIRST 64
#define SLAB_MAX 4096

struct pv_slab {
	struct pv_slab *next;
	size_t n;
	struct pv cells[];
};

void
pv_pool_init(struct pv_pool *pool, bool retain)
{
	unsigned k;

	memset(pool, 0, sizeof(*pool));
	pool->retain = retain;
	for (k = 0; k <= PV_MARK; k++) {
		pool->immortal[k].refs = PV_IMMORTAL;
		pool->immortal[k].kind = (uint8_t)k;
	}
}

void
pv_pool_fini(struct pv_pool *pool)
{
	struct pv_slab *s, *next;
	size_t i;

	/* Cells still in use may own heap strings or item arrays; walk every
	 * slab once rather than tracking them. Free cells have kind PV_MARK
	 * with no payload. */
	for (s = pool->slabs; s != NULL; s = next) {
		next = s->next;
		for (i = 0; i < s->n; i++) {
			struct pv *v = &s->cells[i];

			if (v->refs == 0)
				continue;
			if ((v->kind == PV_STR || v->kind == PV_BYTES) &&
			    v->count >= PV_INLINE_STR && !(v->flags & PVF_LONG))
				free(v->u.str);
			else if (v->items_cap > 0)
				free(v->u.items);
		}
		free(s);
	}
	pool->slabs = NULL;
	pool->free_list = NULL;
	pool->live = 0;
	free(pool->work);
	pool->work = NULL;
	pool->work_len = pool->work_cap = 0;
}

struct pv *
pv_new(struct pv_pool *pool, enum pv_kind kind)
{
	struct pv *v;

	if (pool->live >= PW_MAX_VALUES)
		return NULL;
	if (pool->free_list == NULL) {
		size_t i, n = pool->slabs == NULL ? SLAB_FIRST
			      : pool->slabs->n >= SLAB_MAX ? SLAB_MAX
							   : pool->slabs->n * 2;
		struct pv_slab *s =
			malloc(sizeof(*s) + n * sizeof(s->cells[0]));

		if (s == NULL)
			return NULL;
		s->next = pool->slabs;
		s->n = n;
		pool->slabs = s;
		for (i = n; i-- > 0;) {
			s->cells[i].refs = 0;
			s->cells[i].u.items = (struct pv **)pool->free_list;
			pool->free_list = &s->cells[i];
		}
	}
	v = pool->free_list;
	pool->free_list = (struct pv *)v->u.items;
	memset(v, 0, sizeof(*v));
	v->refs = 1;
	v->kind = (uint8_t)kind;
	pool->live++;
	return v;
}

struct pv *
pv_literal(struct pv_pool *pool, enum pv_kind kind)
{
	if (pool->retain)
		return pv_new(pool, kind);
	return &pool->immortal[kind];
}

struct pv *
pv_new_str(struct pv_pool *pool, enum pv_kind kind, const uint8_t *s,
	   size_t len)
{
	struct pv *v = pv_new(pool, kind);

	if (v == NULL)
		return NULL;
	if (s == NULL || len > PW_NAME_MAX) {
		v->flags |= PVF_LONG;
		v->count = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		return v;
	}
	v->count = (uint32_t)len;
	if (len < PV_INLINE_STR) {
		memcpy(v->u.inl, s, len);
		v->u.inl[len] = '\0';
	} else {
		v->u.str = malloc(len + 1);
		if (v->u.str == NULL) {
			v->kind = PV_NONE;
			v->count = 0;
			pv_unref(pool, v);
			return NULL;
		}
		memcpy(v->u.str, s, len);
		v->u.str[len] = '\0';
	}
	return v;
}

struct pv *
pv_new_int(struct pv_pool *pool, int64_t val, bool big)
{
	struct pv *v;

	if (!pool->retain)
		return &pool->immortal[PV_INT];
	v = pv_new(pool, PV_INT);
	if (v == NULL)
		return NULL;
	v->u.i = val;
	if (big)
		v->flags |= PVF_BIG;
	return v;
}

/* Drops one reference; true when it was the last. */
static bool
last_ref(struct pv *v)
{
	return v != NULL && v->refs != PV_IMMORTAL && --v->refs == 0;
}

/* Queues a dead cell for release; if the queue cannot grow, the cell is
 * kept (refs 1) for pv_pool_fini to free with the rest. */
static void
queue_dead(struct pv_pool *pool, struct pv *v)
{
	if (pool->work_len == pool->work_cap) {
		size_t ncap = pool->work_cap ? pool->work_cap * 2 : 64;
		struct pv **n = reallocarray(pool->work, ncap, sizeof(*n));

		if (n == NULL) {
			v->refs = 1;
			return;
		}
		pool->work = n;
		pool->work_cap = ncap;
	}
	pool->work[pool->work_len++] = v;
}

/*
 * Releases dead cells through a worklist, not recursion: retained values
 * nest as deep as a hostile pickle likes (a list in a list in a list ...,
 * built through the memo), and freeing the outermost would otherwise
 * recurse once per level.
 */
void
pv_release(struct pv_pool *pool, struct pv *v)
{
	size_t base = pool->work_len;

	queue_dead(pool, v);
	while (pool->work_len > base) {
		struct pv *x = pool->work[--pool->work_len];

		switch (x->kind) {
		case PV_STR:
		case PV_BYTES:
			if (x->count >= PV_INLINE_STR && !(x->flags & PVF_LONG))
				free(x->u.str);
			break;
		default:
			if (x->items_cap > 0) {
				/* Containers, and retained calls, whose items
				 * are [callee, args...]. */
				uint32_t i, n = x->count < x->items_cap ?
							x->count : x->items_cap;

				for (i = 0; i < n; i++)
					if (last_ref(x->u.items[i]))
						queue_dead(pool, x->u.items[i]);
				free(x->u.items);
			} else if (x->kind == PV_CALL &&
				   last_ref(x->u.callee)) {
				queue_dead(pool, x->u.callee);
			}
			break;
		}
		x->refs = 0;
		x->kind = PV_MARK;
		x->items_cap = 0;
		x->u.items = (struct pv **)pool->free_list;
		pool->free_list = x;
		pool->live--;
	}
}

static bool append_item(struct pv_pool *pool, struct pv *c, struct pv *item,
			bool keep);

bool
pv_append(struct pv_pool *pool, struct pv *c, struct pv *item)
{
	return append_item(pool, c, item, pool->retain);
}

bool
pv_append_keep(struct pv_pool *pool, struct pv *c, struct pv *item)
{
	return append_item(pool, c, item, true);
}

static bool
append_item(struct pv_pool *pool, struct pv *c, struct pv *item, bool keep)
{
	/* Only containers count items; a str or int's count is its length
	 * or nothing. */
	if (c->kind != PV_TUPLE && c->kind != PV_LIST && c->kind != PV_DICT &&
	    c->kind != PV_SET && c->kind != PV_FROZENSET) {
		pv_unref(pool, item);
		return true;
	}
	if (c->refs == PV_IMMORTAL || !keep ||
	    c->count >= PW_MAX_RETAINED_ITEMS || (c->flags & PVF_TRUNCATED)) {
		if (c->refs != PV_IMMORTAL) {
			if (c->count >= PW_MAX_RETAINED_ITEMS && keep)
				c->flags |= PVF_TRUNCATED;
			if (c->count < UINT32_MAX)
				c->count++;
		}
		pv_unref(pool, item);
		return true;
	}
	if (c->count == c->items_cap) {
		uint32_t ncap = c->items_cap ? c->items_cap * 2 : 4;
		struct pv **n = reallocarray(c->items_cap ? c->u.items : NULL,
					     ncap, sizeof(*n));

		if (n == NULL) {
			pv_unref(pool, item);
			return false;
		}
		c->u.items = n;
		c->items_cap = ncap;
	}
	c->u.items[c->count++] = item;
	return true;
}

/* Inspection, for containers' parsers. */
enum pv_kind
pv_kind(const struct pv *v)
{
	return v ? (enum pv_kind)v->kind : PV_NONE;
}

bool
pv_get_int(const struct pv *v, int64_t *ret)
{
	if (v == NULL || (v->kind != PV_INT && v->kind != PV_BOOL) ||
	    (v->flags & PVF_BIG) || v->refs == PV_IMMORTAL)
		return false;
	*ret = v->u.i;
	return true;
}

const char *
pv_get_str(const struct pv *v, size_t *ret_len)
{
	if (v == NULL || (v->kind != PV_STR && v->kind != PV_BYTES) ||
	    (v->flags & PVF_LONG))
		return NULL;
	if (ret_len)
		*ret_len = v->count;
	return v->count < PV_INLINE_STR ? v->u.inl : v->u.str;
}

size_t
pv_count(const struct pv *v)
{
	size_t n;

	if (v == NULL || v->items_cap == 0)
		return 0;
	n = v->count < v->items_cap ? v->count : v->items_cap;
	/* A retained call's items are its callee, then its arguments. */
	return v->kind == PV_CALL ? (n ? n - 1 : 0) : n;
}

const struct pv *
pv_item(const struct pv *v, size_t i)
{
	if (i >= pv_count(v))
		return NULL;
	return v->u.items[v->kind == PV_CALL ? i + 1 : i];
}

const struct pv *
pv_callee(const struct pv *v)
{
	if (v == NULL || v->kind != PV_CALL)
		return NULL;
	return v->items_cap ? v->u.items[0] : v->u.callee;
}

const char *
pv_global_name(const struct pv *v)
{
	if (v == NULL)
		return NULL;
	if (v->kind == PV_CALL)
		v = pv_callee(v);
	if (v != NULL && v->kind == PV_GLOBAL && v->u.imp != NULL)
		return imp_resolved_name(v->u.imp);
	return NULL;
}
