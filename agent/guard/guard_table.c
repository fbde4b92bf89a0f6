/*
 * guard_table.c - files being scanned (with the openers waiting for them)
 * and the verdict cache, in one hash table keyed by device and inode, so
 * that twenty processes opening one file cause one scan.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/guard/guard_int.h"

/* Power of two; chains stay short up to GUARD_CACHE_MAX entries. */
#define TABLE_BUCKETS 16384

struct entry {
	struct guard_stamp st;		/* key (dev, ino) and stamps */
	bool scanning;
	bool answered;			/* waiters answered before the scan
					   ended (timeout, shutdown) */
	bool stale;			/* a writer closed it mid-scan */
	enum guard_answer answer;	/* cached answer (not scanning) */
	int verdict;			/* cached verdict (not scanning) */
	uint64_t deadline_ms;
	struct guard_waiter *waiters;
	size_t n_waiters;
	struct entry *next;		/* bucket chain */
	struct entry *sprev, *snext;	/* list of scanning entries */
};

struct guard_table {
	pthread_mutex_t lock;
	struct entry *bucket[TABLE_BUCKETS];
	struct entry *scanning;		/* head of the scanning list */
	size_t n_done, n_scanning;
	bool stopping;
};

void
guard_stamp_from_stat(const struct stat *st, struct guard_stamp *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->dev = st->st_dev;
	ret->ino = st->st_ino;
	ret->size = st->st_size;
	ret->mtime = st->st_mtim;
	ret->ctime = st->st_ctim;
}

bool
guard_stamp_equal(const struct guard_stamp *a, const struct guard_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static size_t
hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h >> 20) & (TABLE_BUCKETS - 1);
}

int
guard_table_new(struct guard_table **ret)
{
	struct guard_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	pthread_mutex_init(&t->lock, NULL);
	*ret = t;
	return 0;
}

void
guard_waiters_free(struct guard_waiter *w)
{
	while (w) {
		struct guard_waiter *next = w->next;

		if (w->fd >= 0)
			close(w->fd);
		free(w->path);
		free(w);
		w = next;
	}
}

void
guard_table_free(struct guard_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < TABLE_BUCKETS; i++) {
		struct entry *e = t->bucket[i];

		while (e) {
			struct entry *next = e->next;

			guard_waiters_free(e->waiters);
			free(e);
			e = next;
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct entry *
find(struct guard_table *t, dev_t dev, ino_t ino, struct entry ***ret_link)
{
	struct entry **link = &t->bucket[hash(dev, ino)];

	for (; *link; link = &(*link)->next) {
		if ((*link)->st.dev == dev && (*link)->st.ino == ino) {
			if (ret_link)
				*ret_link = link;
			return *link;
		}
	}
	return NULL;
}

static void
scan_list_remove(struct guard_table *t, struct entry *e)
{
	if (e->sprev)
		e->sprev->snext = e->snext;
	else
		t->scanning = e->snext;
	if (e->snext)
		e->snext->sprev = e->sprev;
	e->sprev = e->snext = NULL;
	t->n_scanning--;
}

/* Unlinks and frees an entry found through link (its waiters must have
 * been taken). */
static void
remove_entry(struct guard_table *t, struct entry **link)
{
	struct entry *e = *link;

	*link = e->next;
	if (e->scanning)
		scan_list_remove(t, e);
	else
		t->n_done--;
	guard_waiters_free(e->waiters);
	free(e);
}

/* Forgets every verdict (a full cache empties; a rescan is the price). */
static void
evict_done(struct guard_table *t)
{
	size_t i;

	for (i = 0; i < TABLE_BUCKETS; i++) {
		struct entry **link = &t->bucket[i];

		while (*link) {
			if (!(*link)->scanning)
				remove_entry(t, link);
			else
				link = &(*link)->next;
		}
	}
}

enum guard_open_result
guard_table_open(struct guard *g, const struct guard_stamp *st,
		 struct guard_waiter *w, uint64_t deadline_ms,
		 enum guard_answer *ret_answer,
		 int *ret_verdict)
{
	struct guard_table *t = g->table;
	enum guard_answer on_error = g->policy->guard_on_error ==
		POLICY_ANSWER_ALLOW ? GUARD_ALLOW : GUARD_DENY;
	enum guard_answer on_timeout = g->policy->guard_on_timeout ==
		POLICY_ANSWER_ALLOW ? GUARD_ALLOW : GUARD_DENY;
	enum guard_open_result res;
	struct entry *e, **link = NULL;

	*ret_verdict = -1;
	pthread_mutex_lock(&t->lock);
	if (t->stopping) {
		*ret_answer = on_error;
		res = GUARD_OPEN_REFUSED;
		goto out;
	}
	e = find(t, st->dev, st->ino, &link);
	if (e && !e->scanning) {
		/* A denied file stays denied while its bytes may be the
		 * same: its ctime moves when it is renamed (our own
		 * quarantine does that) or chmod'ed, its content does not. */
		bool same_bytes = e->st.size == st->size &&
			e->st.mtime.tv_sec == st->mtime.tv_sec &&
			e->st.mtime.tv_nsec == st->mtime.tv_nsec;

		if (guard_stamp_equal(&e->st, st) ||
		    (e->answer == GUARD_DENY && same_bytes)) {
			*ret_answer = e->answer;
			*ret_verdict = e->verdict;
			res = GUARD_OPEN_CACHED;
			goto out;
		}
		/* Same inode, new content: the old verdict is void. */
		remove_entry(t, link);
		e = NULL;
	}
	if (e) {
		if (e->answered) {
			/* Its scan overran: everyone gets on_timeout until
			 * it ends, rather than a second wait. */
			*ret_answer = on_timeout;
			res = GUARD_OPEN_REFUSED;
		} else if (e->n_waiters >= GUARD_WAITERS_MAX) {
			*ret_answer = on_error;
			res = GUARD_OPEN_REFUSED;
		} else {
			w->next = e->waiters;
			e->waiters = w;
			e->n_waiters++;
			res = GUARD_OPEN_JOINED;
		}
		goto out;
	}
	if (t->n_done >= GUARD_CACHE_MAX)
		evict_done(t);
	e = calloc(1, sizeof(*e));
	if (!e) {
		*ret_answer = on_error;
		res = GUARD_OPEN_REFUSED;
		goto out;
	}
	e->st = *st;
	e->scanning = true;
	e->deadline_ms = deadline_ms;
	w->next = NULL;
	e->waiters = w;
	e->n_waiters = 1;
	link = &t->bucket[hash(st->dev, st->ino)];
	e->next = *link;
	*link = e;
	e->snext = t->scanning;
	if (t->scanning)
		t->scanning->sprev = e;
	t->scanning = e;
	t->n_scanning++;
	res = GUARD_OPEN_START;
out:
	pthread_mutex_unlock(&t->lock);
	return res;
}

void
guard_table_forget(struct guard_table *t, dev_t dev, ino_t ino)
{
	struct entry *e, **link = NULL;

	pthread_mutex_lock(&t->lock);
	e = find(t, dev, ino, &link);
	if (e && e->scanning)
		e->stale = true;
	else if (e)
		remove_entry(t, link);
	pthread_mutex_unlock(&t->lock);
}

bool
guard_table_known_bad(struct guard_table *t, dev_t dev, ino_t ino)
{
	struct entry *e;
	bool bad;

	pthread_mutex_lock(&t->lock);
	e = find(t, dev, ino, NULL);
	bad = e && (e->scanning || e->answer == GUARD_DENY);
	pthread_mutex_unlock(&t->lock);
	return bad;
}

bool
guard_table_take_stale(struct guard_table *t, const struct guard_stamp *st)
{
	struct entry *e;
	bool stale = false;

	pthread_mutex_lock(&t->lock);
	e = find(t, st->dev, st->ino, NULL);
	if (e && e->scanning && e->stale) {
		e->stale = false;
		stale = true;
	}
	pthread_mutex_unlock(&t->lock);
	return stale;
}

struct guard_waiter *
guard_table_finish(struct guard_table *t, const struct guard_stamp *st,
		   bool cache, enum guard_answer answer, int verdict)
{
	struct guard_waiter *list = NULL;
	struct entry *e, **link = NULL;

	pthread_mutex_lock(&t->lock);
	e = find(t, st->dev, st->ino, &link);
	if (!e || !e->scanning)
		goto out;
	list = e->waiters;
	e->waiters = NULL;
	e->n_waiters = 0;
	if (!cache || e->stale || t->stopping) {
		remove_entry(t, link);
		goto out;
	}
	scan_list_remove(t, e);
	e->scanning = false;
	e->answered = false;
	e->st = *st;
	e->answer = answer;
	e->verdict = verdict;
	t->n_done++;
out:
	pthread_mutex_unlock(&t->lock);
	return list;
}

/* Appends list b at *tail (the next pointer of the last node, or the
 * head pointer of an empty list) and moves tail to b's end: linear in b,
 * not in what was appended before. */
static void
append(struct guard_waiter ***tail, struct guard_waiter *b)
{
	**tail = b;
	while (**tail)
		*tail = &(**tail)->next;
}

struct guard_waiter *
guard_table_expire(struct guard_table *t, uint64_t now_ms,
		   uint64_t *ret_next_ms)
{
	struct guard_waiter *out = NULL, **tail = &out;
	uint64_t next = UINT64_MAX;
	struct entry *e;

	pthread_mutex_lock(&t->lock);
	for (e = t->scanning; e; e = e->snext) {
		if (e->answered)
			continue;
		if (e->deadline_ms <= now_ms) {
			append(&tail, e->waiters);
			e->waiters = NULL;
			e->n_waiters = 0;
			e->answered = true;
		} else if (e->deadline_ms < next) {
			next = e->deadline_ms;
		}
	}
	pthread_mutex_unlock(&t->lock);
	*ret_next_ms = next;
	return out;
}

struct guard_waiter *
guard_table_drain(struct guard_table *t)
{
	struct guard_waiter *out = NULL, **tail = &out;
	struct entry *e;

	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	for (e = t->scanning; e; e = e->snext) {
		append(&tail, e->waiters);
		e->waiters = NULL;
		e->n_waiters = 0;
		e->answered = true;
	}
	pthread_mutex_unlock(&t->lock);
	return out;
}

size_t
guard_table_scanning(struct guard_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->n_scanning;
	pthread_mutex_unlock(&t->lock);
	return n;
}

size_t
guard_table_cached(struct guard_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->n_done;
	pthread_mutex_unlock(&t->lock);
	return n;
}
