/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pw_limits.h"
#include "pickle/memo.h"
#include "pickle/pw_values.h"

void
memo_init(struct memo *m)
{
	memset(m, 0, sizeof(*m));
}

void
memo_fini(struct memo *m, struct pv_pool *pool)
{
	size_t i;

	/* When the whole pool is about to go, its cells need no unref one
	 * by one (a million-entry memo made this a visible cost). */
	if (pool != NULL) {
		for (i = 0; i < m->dense_cap; i++)
			if (m->dense[i] != NULL)
				pv_unref(pool, m->dense[i]);
		for (i = 0; i < m->sparse_cap; i++)
			if (m->sparse[i].val != NULL)
				pv_unref(pool, m->sparse[i].val);
	}
	free(m->dense);
	free(m->sparse);
	memset(m, 0, sizeof(*m));
}

static size_t
slot_of(const struct memo *m, uint64_t key)
{
	/* Fibonacci hashing; the table is a power of two. */
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	size_t mask = m->sparse_cap - 1;
	size_t i = (size_t)(h >> 32) & mask;

	while (m->sparse[i].val != NULL && m->sparse[i].key != key)
		i = (i + 1) & mask;
	return i;
}

struct pv *
memo_get(const struct memo *m, uint64_t key)
{
	if (key < m->dense_cap)
		return m->dense[key];
	if (m->sparse_cap == 0)
		return NULL;
	return m->sparse[slot_of(m, key)].val;
}

static int
sparse_grow(struct memo *m)
{
	size_t ncap = m->sparse_cap ? m->sparse_cap * 2 : 64, i;
	struct memo_slot *old = m->sparse;
	size_t old_cap = m->sparse_cap;

	m->sparse = calloc(ncap, sizeof(*m->sparse));
	if (m->sparse == NULL) {
		m->sparse = old;
		return -1;
	}
	m->sparse_cap = ncap;
	for (i = 0; i < old_cap; i++)
		if (old[i].val != NULL)
			m->sparse[slot_of(m, old[i].key)] = old[i];
	free(old);
	return 0;
}

int
memo_put(struct memo *m, struct pv_pool *pool, uint64_t key, struct pv *v)
{
	struct pv **cell;

	if (key >= m->dense_cap) {
		/* Grow the dense part only while indexes stay dense, so a
		 * hostile index cannot make us allocate by its value. */
		size_t want = m->dense_cap ? m->dense_cap : 64;

		while (want <= key && want < (size_t)PW_MAX_MEMO * 2)
			want *= 2;
		if (key < want && key <= m->count * 2 + 1024) {
			struct pv **n = reallocarray(m->dense, want,
						     sizeof(*n));
			size_t i;

			if (n == NULL)
				return -1;
			memset(n + m->dense_cap, 0,
			       (want - m->dense_cap) * sizeof(*n));
			m->dense = n;
			m->dense_cap = want;
			/* Move sparse entries that now fall in the array. */
			for (i = 0; i < m->sparse_cap; i++) {
				struct memo_slot *s = &m->sparse[i];

				if (s->val != NULL && s->key < want) {
					m->dense[s->key] = s->val;
					s->val = NULL;
					m->sparse_used--;
				}
			}
			if (m->sparse_cap > 0) {
				/* Rehash to drop the holes we just made. */
				struct memo_slot *old = m->sparse;
				size_t oc = m->sparse_cap;

				m->sparse = calloc(oc, sizeof(*m->sparse));
				if (m->sparse == NULL) {
					m->sparse = old;
				} else {
					for (i = 0; i < oc; i++)
						if (old[i].val != NULL)
							m->sparse[slot_of(m, old[i].key)] = old[i];
					free(old);
				}
			}
		}
	}
	if (key < m->dense_cap) {
		cell = &m->dense[key];
	} else {
		size_t i;

		if ((m->sparse_used + 1) * 2 > m->sparse_cap &&
		    sparse_grow(m) != 0)
			return -1;
		i = slot_of(m, key);
		if (m->sparse[i].val == NULL) {
			m->sparse[i].key = key;
			m->sparse_used++;
		}
		cell = &m->sparse[i].val;
	}
	if (*cell == NULL) {
		if (m->count >= PW_MAX_MEMO) {
			if (key >= m->dense_cap) {
				/* undo the slot claim */
				m->sparse_used--;
			}
			return -2;
		}
		m->count++;
	} else {
		pv_unref(pool, *cell);
	}
	*cell = pv_ref(v);
	return 0;
}
