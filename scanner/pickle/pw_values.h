/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pw_values.h - symbolic values of the pickle machine and their allocator.
 *
 * Values are refcounted cells from a per-machine pool.  To keep memory flat
 * on pickles of millions of objects, literals whose content cannot matter
 * (numbers, containers whose items are not retained) are shared immortal
 * cells, one per kind; only strings (which may become module or attribute
 * names), imports, calls and persistent ids get cells of their own - and
 * everything does when the run retains items.
 */
#ifndef PW_PICKLE_VALUES_H
#define PW_PICKLE_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pickle/pickle.h"

#define PV_IMMORTAL UINT32_MAX
#define PV_INLINE_STR 8		/* strings shorter than this live inline */

enum {
	PVF_LONG = 1,		/* string content not kept (too long) */
	PVF_BIG = 2,		/* int does not fit in 64 bits */
	PVF_TRUNCATED = 4,	/* retained items were capped */
	PVF_BYTES_STR = 8,	/* a str decoded from an 8-bit STRING */
	PVF_DUNDER = 32,	/* a dict given a "__dunder__" key */
	PVF_EXTENT = 16,	/* bytes whose place in the source is known:
				   u.i indexes the machine's extent table */
};

struct imp;

struct pv {
	uint32_t refs;
	uint8_t kind;
	uint8_t flags;
	uint32_t count;		/* string length, or number of items */
	uint32_t items_cap;	/* allocated items (retain mode) */
	union {
		int64_t i;
		char inl[PV_INLINE_STR];
		char *str;
		struct pv **items;
		struct imp *imp;	/* PV_GLOBAL */
		struct pv *callee;	/* PV_CALL: what was called */
	} u;
};

struct pv_pool {
	struct pv *free_list;
	struct pv_slab *slabs;
	size_t live;		/* cells handed out and not freed */
	struct pv immortal[PV_MARK + 1];
	bool retain;		/* give every value a cell of its own */
	struct pv **work;	/* dead cells waiting to be released */
	size_t work_len, work_cap;
};

void pv_pool_init(struct pv_pool *pool, bool retain);
void pv_pool_fini(struct pv_pool *pool);

/* A new cell with one reference, or NULL when out of memory or over
 * PW_MAX_VALUES (the caller reports which). */
struct pv *pv_new(struct pv_pool *pool, enum pv_kind kind);
/* A literal of a kind whose content does not matter: the shared cell, or
 * a fresh one in retain mode. */
struct pv *pv_literal(struct pv_pool *pool, enum pv_kind kind);
/* A string value; content is copied when len <= PW_NAME_MAX. */
struct pv *pv_new_str(struct pv_pool *pool, enum pv_kind kind,
		      const uint8_t *s, size_t len);
struct pv *pv_new_int(struct pv_pool *pool, int64_t v, bool big);

static inline struct pv *
pv_ref(struct pv *v)
{
	if (v->refs != PV_IMMORTAL)
		v->refs++;
	return v;
}

/* Frees a cell whose last reference went (and what only it held). */
void pv_release(struct pv_pool *pool, struct pv *v);

static inline void
pv_unref(struct pv_pool *pool, struct pv *v)
{
	/* The hot path of the machine: most drops are not the last. */
	if (v != NULL && v->refs != PV_IMMORTAL && --v->refs == 0)
		pv_release(pool, v);
}
/* What a PV_CALL called (its arguments, when retained, are its items). */
const struct pv *pv_callee(const struct pv *v);

/* Appends item (taking over the caller's reference) to a container in
 * retain mode; otherwise just counts it. Returns false when out of memory. */
bool pv_append(struct pv_pool *pool, struct pv *container, struct pv *item);
/* The same, keeping the item even outside retain mode (small tuples that
 * carry an embedded payload to a nested loader). */
bool pv_append_keep(struct pv_pool *pool, struct pv *container,
		    struct pv *item);

#endif
