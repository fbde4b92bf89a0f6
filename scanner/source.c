/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "picklewarden.h"
#include "source.h"

void
source_init_mem(struct source *src, const void *mem, uint64_t size,
		uint64_t *bytes_read)
{
	src->mem = mem;
	src->cache = NULL;
	src->fd = -1;
	src->base = 0;
	src->size = size;
	src->bytes_read = bytes_read;
}

void
source_init_fd(struct source *src, int fd, uint64_t size, uint64_t *bytes_read)
{
	src->mem = NULL;
	src->cache = NULL;
	src->fd = fd;
	src->base = 0;
	src->size = size;
	src->bytes_read = bytes_read;
}

void
source_set_cache(struct source *src, struct source_cache *cache)
{
	if (cache != NULL)
		cache->len = 0;
	src->cache = cache;
}

static int
pread_full(int fd, uint8_t *buf, size_t want, uint64_t at, size_t *ret_got)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(at + got));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PW_ERR_IO;
		}
		if (n == 0)	/* the file shrank under us */
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return PW_OK;
}

/* A small read through the cache block; refills it at the read's offset. */
static int
cached_read(const struct source *src, uint64_t at, uint8_t *buf, size_t want,
	    size_t *ret_got)
{
	struct source_cache *c = src->cache;
	size_t got;
	int rc;

	if (!(c->len > 0 && at >= c->off && at - c->off < c->len &&
	      want <= c->len - (size_t)(at - c->off))) {
		c->len = 0;
		rc = pread_full(src->fd, c->buf, sizeof(c->buf), at, &got);
		if (rc != PW_OK)
			return rc;
		c->off = at;
		c->len = got;
		if (want > got)
			want = got;	/* the file shrank */
	}
	memcpy(buf, c->buf + (size_t)(at - c->off), want);
	*ret_got = want;
	return PW_OK;
}

bool
source_slice(const struct source *src, uint64_t off, uint64_t len,
	     struct source *ret_slice)
{
	if (off > src->size || len > src->size - off)
		return false;
	*ret_slice = *src;
	if (src->mem != NULL)
		ret_slice->mem = src->mem + off;
	else
		ret_slice->base = src->base + off;
	ret_slice->size = len;
	return true;
}

int
source_read_some(const struct source *src, uint64_t off, void *buf, size_t len,
		 size_t *ret_got)
{
	size_t want, got = 0;

	*ret_got = 0;
	if (off >= src->size)
		return PW_OK;
	want = len;
	if ((uint64_t)want > src->size - off)
		want = (size_t)(src->size - off);
	if (src->mem != NULL) {
		memcpy(buf, src->mem + off, want);
		got = want;
	} else {
		int rc;

		if (src->cache != NULL && want <= SOURCE_CACHE_SMALL)
			rc = cached_read(src, src->base + off, buf, want, &got);
		else
			rc = pread_full(src->fd, buf, want, src->base + off,
					&got);
		if (rc != PW_OK)
			return rc;
	}
	if (src->bytes_read != NULL)
		*src->bytes_read += got;
	*ret_got = got;
	return PW_OK;
}

int
source_read(const struct source *src, uint64_t off, void *buf, size_t len)
{
	size_t got;
	int rc;

	if (off > src->size || len > src->size - off)
		return PW_ERR_INVALID;
	rc = source_read_some(src, off, buf, len, &got);
	if (rc != PW_OK)
		return rc;
	return got == len ? PW_OK : PW_ERR_IO;
}
