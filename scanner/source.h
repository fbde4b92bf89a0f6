/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.h - random-access bytes: a memory buffer or a range of a file
 * descriptor read with pread.  Every read is bounds-checked against the
 * source's size and counted, so a scan can report how much it read.
 */
#ifndef PW_SOURCE_H
#define PW_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read-ahead block for small reads of a descriptor: a zip of a hundred
 * thousand members costs several small reads per member (local header,
 * first bytes, name), one pread each without it.  Owned by the scan and
 * shared by every slice of its source; never shared between threads.
 */
#define SOURCE_CACHE_BLOCK 65536
#define SOURCE_CACHE_SMALL 4096	/* reads up to this go through the block */
struct source_cache {
	uint64_t off;		/* file offset of buf[0] */
	size_t len;		/* valid bytes in buf (0: empty) */
	uint8_t buf[SOURCE_CACHE_BLOCK];
};

struct source {
	const uint8_t *mem;	/* memory source, or NULL for a descriptor */
	struct source_cache *cache;	/* descriptor sources; may be NULL */
	int fd;			/* descriptor source when mem is NULL */
	uint64_t base;		/* offset of byte 0 of this source in fd */
	uint64_t size;		/* bytes in this source */
	uint64_t *bytes_read;	/* counter to add to, may be NULL */
};

void source_init_mem(struct source *src, const void *mem, uint64_t size,
		     uint64_t *bytes_read);
void source_init_fd(struct source *src, int fd, uint64_t size,
		    uint64_t *bytes_read);
/* Small reads of src (and of its slices made after this) go through
 * cache, which the caller owns and keeps alive while they are used. */
void source_set_cache(struct source *src, struct source_cache *cache);
/* A sub-range [off, off+len) of src; false if it does not fit. */
bool source_slice(const struct source *src, uint64_t off, uint64_t len,
		  struct source *ret_slice);
/*
 * Reads exactly len bytes at off into buf.  Returns PW_OK, PW_ERR_IO, or
 * PW_ERR_INVALID when [off, off+len) is not inside the source (nothing is
 * read then).
 */
int source_read(const struct source *src, uint64_t off, void *buf,
		size_t len);
/* Reads up to len bytes at off; *ret_got says how many (0 at the end). */
int source_read_some(const struct source *src, uint64_t off, void *buf,
		     size_t len, size_t *ret_got);

#endif
