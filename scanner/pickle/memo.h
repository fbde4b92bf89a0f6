/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memo.h - the unpickler's memo: index -> value.  CPython's C unpickler
 * keeps an array sized by the largest index seen (so LONG_BINPUT 2^32-1
 * costs it gigabytes); we keep a dense array for the indexes real pickles
 * use (0, 1, 2, ...) and a hash table for anything sparse.
 */
#ifndef PW_PICKLE_MEMO_H
#define PW_PICKLE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pv;
struct pv_pool;

struct memo_slot {
	uint64_t key;
	struct pv *val;		/* NULL: empty slot */
};

struct memo {
	struct pv **dense;
	size_t dense_cap;
	struct memo_slot *sparse;
	size_t sparse_cap;	/* power of two, or 0 */
	size_t sparse_used;
	size_t count;		/* distinct indexes present: memo_len */
};

void memo_init(struct memo *m);
/* Frees the memo; with pool NULL its values are left to pv_pool_fini. */
void memo_fini(struct memo *m, struct pv_pool *pool);
/* The value at key (borrowed), or NULL. */
struct pv *memo_get(const struct memo *m, uint64_t key);
/* Stores v (taking a new reference) at key.  Returns 0, -1 when out of
 * memory, or -2 when the memo is full (PW_MAX_MEMO). */
int memo_put(struct memo *m, struct pv_pool *pool, uint64_t key,
	     struct pv *v);

#endif
