/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcache.c - see vcache.h.  An open-addressing hash table (linear
 * probing, power-of-two size, at most half full) behind one mutex.  The
 * file format is a local cache, so it uses the host's byte order:
 *   "PWVC" u32 version, u64 tag, u64 count, count * struct vc_rec.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/watch/vcache.h"

#define VC_MAGIC "PWVC"
#define VC_VERSION 2u	/* 2: content digest and flags */
/* A cap on entries: 64 bytes each, twice that in table slots. */
#define VC_MAX_ENTRIES ((size_t)1 << 24)
/* The table starts small: a handful of files should cost a few KB. */
#define VC_MIN_SLOTS 256u

struct vc_rec {
	struct vcache_key key;
	uint8_t verdict;
	uint8_t used;	/* looked up or inserted since loading */
	uint8_t full;	/* slot in use */
	uint8_t verified; /* digest checked (or computed) in this run; never
			     set in the file */
	uint8_t flags;	/* VCACHE_F_* */
	uint8_t pad[3];
	uint64_t digest; /* vcache_digest_fd of the bytes judged */
};

struct vc_header {
	char magic[4];
	uint32_t version;
	uint64_t tag;
	uint64_t count;
};

struct vcache {
	pthread_mutex_t lock;
	struct vc_rec *slots;
	size_t nslots, count, max_entries;
	uint64_t tag;
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
	/* splitmix64 finaliser over an xor-accumulated state. */
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static uint64_t
key_hash(const struct vcache_key *k)
{
	return mix(mix(mix(0, k->dev), k->ino), k->size);
}

static bool
key_eq(const struct vcache_key *a, const struct vcache_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->ctime_sec == b->ctime_sec &&
	       a->mtime_nsec == b->mtime_nsec && a->ctime_nsec == b->ctime_nsec;
}

void
vcache_key_from_stat(const struct stat *st, struct vcache_key *ret_key)
{
	memset(ret_key, 0, sizeof(*ret_key));
	ret_key->dev = (uint64_t)st->st_dev;
	ret_key->ino = (uint64_t)st->st_ino;
	ret_key->size = (uint64_t)st->st_size;
	ret_key->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	ret_key->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	ret_key->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	ret_key->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

/* The slot holding key, or the empty slot where it would go.  The table
 * is never full (at most half), so the probe ends. */
static struct vc_rec *
find_slot(struct vc_rec *slots, size_t nslots, const struct vcache_key *k)
{
	size_t i = (size_t)key_hash(k) & (nslots - 1);

	while (slots[i].full && !key_eq(&slots[i].key, k))
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

static int
grow(struct vcache *c)
{
	size_t i, nslots;
	struct vc_rec *slots, *s;

	if (__builtin_mul_overflow(c->nslots, 2, &nslots))
		goto nomem;
	slots = calloc(nslots, sizeof(*slots));
	if (slots == NULL)
		goto nomem;
	for (i = 0; i < c->nslots; i++) {
		if (!c->slots[i].full)
			continue;
		s = find_slot(slots, nslots, &c->slots[i].key);
		*s = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->nslots = nslots;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

static void
clear_locked(struct vcache *c)
{
	memset(c->slots, 0, c->nslots * sizeof(*c->slots));
	c->count = 0;
}

int
vcache_new(uint64_t tag, size_t max_entries, struct vcache **ret)
{
	struct vcache *c;

	if (max_entries == 0 || max_entries > VC_MAX_ENTRIES) {
		errno = EINVAL;
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -1;
	c->slots = calloc(VC_MIN_SLOTS, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		errno = ENOMEM;
		return -1;
	}
	c->nslots = VC_MIN_SLOTS;
	c->max_entries = max_entries;
	c->tag = tag;
	pthread_mutex_init(&c->lock, NULL);
	*ret = c;
	return 0;
}

void
vcache_free(struct vcache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

bool
vcache_lookup(struct vcache *c, const struct vcache_key *key,
	      struct vcache_entry *ret)
{
	struct vc_rec *s;
	bool hit;

	pthread_mutex_lock(&c->lock);
	s = find_slot(c->slots, c->nslots, key);
	hit = s->full;
	if (hit) {
		s->used = 1;
		ret->verdict = s->verdict;
		ret->digest = s->digest;
		ret->verified = s->verified != 0;
		ret->flags = s->flags;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* Caller holds the lock. */
static int
insert_locked(struct vcache *c, const struct vcache_key *key, int verdict,
	      uint64_t digest, unsigned flags, bool used)
{
	struct vc_rec *s;

	s = find_slot(c->slots, c->nslots, key);
	if (!s->full) {
		if (c->count >= c->max_entries)
			clear_locked(c);
		/* Keep the table at most half full so probes stay short. */
		if ((c->count + 1) * 2 > c->nslots && grow(c) != 0)
			return -1;
		s = find_slot(c->slots, c->nslots, key);
		s->key = *key;
		s->full = 1;
		c->count++;
	}
	s->verdict = (uint8_t)verdict;
	s->digest = digest;
	s->flags = (uint8_t)flags;
	/* Inserted now: the digest was just computed from the file.  Loaded
	 * from disk: the file may have changed under its timestamps while we
	 * were not running. */
	s->verified = used ? 1 : 0;
	s->used = used ? 1 : 0;
	return 0;
}

int
vcache_insert(struct vcache *c, const struct vcache_key *key,
	      const struct vcache_entry *e)
{
	int rc;

	if (e->verdict < 0 || e->verdict > UINT8_MAX || e->flags > UINT8_MAX) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	rc = insert_locked(c, key, e->verdict, e->digest, e->flags, true);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
vcache_set_verified(struct vcache *c, const struct vcache_key *key)
{
	struct vc_rec *s;

	pthread_mutex_lock(&c->lock);
	s = find_slot(c->slots, c->nslots, key);
	if (s->full)
		s->verified = 1;
	pthread_mutex_unlock(&c->lock);
}

void
vcache_forget(struct vcache *c, const struct vcache_key *key)
{
	struct vc_rec *s;

	/* Linear probing: re-insert the rest of the cluster after removing
	 * one slot, so no later key becomes unreachable. */
	pthread_mutex_lock(&c->lock);
	s = find_slot(c->slots, c->nslots, key);
	if (s->full) {
		size_t i = (size_t)(s - c->slots);

		memset(s, 0, sizeof(*s));
		c->count--;
		for (i = (i + 1) & (c->nslots - 1); c->slots[i].full;
		     i = (i + 1) & (c->nslots - 1)) {
			struct vc_rec r = c->slots[i], *t;

			memset(&c->slots[i], 0, sizeof(c->slots[i]));
			t = find_slot(c->slots, c->nslots, &r.key);
			*t = r;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

void
vcache_mark_unused(struct vcache *c)
{
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nslots; i++)
		c->slots[i].used = 0;
	pthread_mutex_unlock(&c->lock);
}

size_t
vcache_prune_unused(struct vcache *c)
{
	struct vc_rec *old, *s;
	size_t i, nslots, dropped = 0;

	pthread_mutex_lock(&c->lock);
	/* Rebuild in place through a copy: removing from a linear-probing
	 * table slot by slot would break probe chains. */
	nslots = c->nslots;
	old = malloc(nslots * sizeof(*old));
	if (old != NULL) {
		memcpy(old, c->slots, nslots * sizeof(*old));
		clear_locked(c);
		for (i = 0; i < nslots; i++) {
			if (!old[i].full)
				continue;
			if (!old[i].used) {
				dropped++;
				continue;
			}
			s = find_slot(c->slots, c->nslots, &old[i].key);
			*s = old[i];
			c->count++;
		}
		free(old);
	}
	pthread_mutex_unlock(&c->lock);
	return dropped;
}

/* FNV-1a, 64 bits, over a buffer. */
static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Mixes the bytes of [off, off+len) of fd into h. */
static int
digest_range(int fd, uint64_t off, uint64_t len, uint64_t *h)
{
	unsigned char buf[16384];
	ssize_t n;

	while (len > 0) {
		size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*h = fnv(*h, buf, (size_t)n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

int
vcache_digest_fd(int fd, uint64_t size, uint64_t *ret)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, (const unsigned char *)&size, sizeof(size));
	if (size <= VCACHE_DIGEST_WHOLE) {
		if (digest_range(fd, 0, size, &h) != 0)
			return -1;
	} else if (digest_range(fd, 0, VCACHE_DIGEST_EDGE, &h) != 0 ||
		   digest_range(fd, size - VCACHE_DIGEST_EDGE,
				VCACHE_DIGEST_EDGE, &h) != 0) {
		return -1;
	}
	*ret = h;
	return 0;
}

void
vcache_retag(struct vcache *c, uint64_t tag)
{
	pthread_mutex_lock(&c->lock);
	if (c->tag != tag) {
		clear_locked(c);
		c->tag = tag;
	}
	pthread_mutex_unlock(&c->lock);
}

size_t
vcache_count(struct vcache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

int
vcache_load(struct vcache *c, const char *path, size_t *ret_loaded)
{
	struct vc_header h;
	struct vc_rec r;
	FILE *f = NULL;
	uint64_t i;
	size_t loaded = 0;
	int fd, rc = 0;

	*ret_loaded = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	f = fdopen(fd, "rb");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	if (fread(&h, sizeof(h), 1, f) != 1 ||
	    memcmp(h.magic, VC_MAGIC, 4) != 0 || h.version != VC_VERSION ||
	    h.tag != c->tag || h.count > c->max_entries)
		goto out;
	/* The count is checked against the cap above; each record is read
	 * and validated before it is used, so a short file loads nothing. */
	for (i = 0; i < h.count; i++) {
		if (fread(&r, sizeof(r), 1, f) != 1) {
			clear_locked(c);
			loaded = 0;
			goto out;
		}
		if (insert_locked(c, &r.key, r.verdict, r.digest, r.flags,
				  false) != 0) {
			rc = -1;
			goto out;
		}
		loaded++;
	}
out:
	pthread_mutex_unlock(&c->lock);
	fclose(f);
	*ret_loaded = loaded;
	return rc;
}

int
vcache_save(struct vcache *c, const char *path, bool only_used)
{
	struct vc_header h;
	char tmp[PATH_MAX];
	FILE *f = NULL;
	size_t i;
	uint64_t n = 0;
	int fd = -1, rc = -1, saved;
	long count_at;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
			     (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (f == NULL)
		goto out;
	fd = -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VC_MAGIC, 4);
	h.version = VC_VERSION;
	count_at = (long)offsetof(struct vc_header, count);

	pthread_mutex_lock(&c->lock);
	h.tag = c->tag;
	if (fwrite(&h, sizeof(h), 1, f) != 1) {
		pthread_mutex_unlock(&c->lock);
		goto out;
	}
	for (i = 0; i < c->nslots; i++) {
		if (!c->slots[i].full || (only_used && !c->slots[i].used))
			continue;
		struct vc_rec out = c->slots[i];

		out.verified = 0;
		if (fwrite(&out, sizeof(out), 1, f) != 1) {
			pthread_mutex_unlock(&c->lock);
			goto out;
		}
		n++;
	}
	pthread_mutex_unlock(&c->lock);
	/* The count goes in last, so a file cut short by a crash before the
	 * rename could never claim records it does not hold. */
	if (fseek(f, count_at, SEEK_SET) != 0 ||
	    fwrite(&n, sizeof(n), 1, f) != 1 || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		(void)unlink(tmp);
	errno = saved;
	return rc;
}
