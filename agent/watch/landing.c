/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landing.c - see landing.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/watch/landing.h"

/* Zip local file header: fixed part. */
#define ZIP_LFH_SIZE 30
#define ZIP_LFH_SIG 0x04034b50u

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

bool
landing_result_is_final(const struct pw_result *res)
{
	size_t i, n;

	if (!res || pw_result_verdict(res) != PW_VERDICT_MALICIOUS)
		return false;
	n = pw_result_finding_count(res);
	for (i = 0; i < n; i++) {
		const struct pw_finding *f = pw_result_finding(res, i);

		if (f && f->severity == PW_SEV_MALICIOUS &&
		    (f->kind == PW_KIND_IMPORT || f->kind == PW_KIND_CALL))
			return true;
	}
	return false;
}

/* Reads exactly len bytes at off (short only at EOF).  Returns bytes
 * read, or -1. */
static ssize_t
read_at(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got,
				  (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Scans bytes as a pickle stream; true when final. */
static bool
scan_bytes(const struct pw_scanner *scanner, const uint8_t *buf, size_t len,
	   struct pw_result **keep)
{
	struct pw_result *res = NULL;
	bool final;

	if (pw_scan_buffer(scanner, buf, len, &res) != PW_OK)
		return false;
	final = landing_result_is_final(res);
	if (final && keep)
		*keep = res;
	else
		pw_result_free(res);
	return final;
}

/*
 * A zip prefix: walks local headers from offset 0 (the central directory
 * is not written yet), and scans the stored bytes of members whose name
 * ends in ".pkl" (PyTorch's data.pkl, TorchScript's constants.pkl) as far
 * as they have landed.  Compressed members and data descriptors without
 * sizes end the walk: the full scan at the end covers them.
 */
static enum landing_result
check_zip(const struct pw_scanner *scanner, int fd, uint64_t size,
	  struct landing_state *st, struct pw_result **keep)
{
	uint8_t h[ZIP_LFH_SIZE], name[1024], *data = NULL;
	uint64_t off = 0;
	unsigned n;

	for (n = 0; n < LANDING_MAX_HEADERS && off + ZIP_LFH_SIZE <= size;
	     n++) {
		uint32_t csize;
		uint16_t method, flags, nlen, xlen;
		uint64_t doff, avail;
		ssize_t r;

		if (read_at(fd, h, sizeof(h), off) != (ssize_t)sizeof(h))
			return LANDING_ERROR;
		st->bytes_read += sizeof(h);
		if (le32(h) != ZIP_LFH_SIG)
			break;
		flags = le16(h + 6);
		method = le16(h + 8);
		csize = le32(h + 18);
		nlen = le16(h + 26);
		xlen = le16(h + 28);
		doff = off + ZIP_LFH_SIZE + nlen + xlen;
		if (doff > size)
			break;
		if (nlen > sizeof(name) - 1) {
			off = doff + csize;
			continue;
		}
		r = read_at(fd, name, nlen, off + ZIP_LFH_SIZE);
		if (r != nlen)
			return LANDING_ERROR;
		st->bytes_read += nlen;
		name[nlen] = '\0';
		avail = size - doff;
		if ((flags & 0x08) && csize == 0 && method != 0)
			break;	/* size unknown until the descriptor */
		if (csize && avail > csize)
			avail = csize;
		if (method == 0 && nlen >= 4 &&
		    memcmp(name + nlen - 4, ".pkl", 4) == 0 && avail > 0) {
			if (avail > LANDING_MAX_MEMBER)
				avail = LANDING_MAX_MEMBER;
			data = malloc((size_t)avail);
			if (!data)
				return LANDING_ERROR;
			r = read_at(fd, data, (size_t)avail, doff);
			if (r < 0) {
				free(data);
				return LANDING_ERROR;
			}
			st->bytes_read += (uint64_t)r;
			if (scan_bytes(scanner, data, (size_t)r, keep)) {
				free(data);
				return LANDING_FINAL;
			}
			free(data);
			data = NULL;
		}
		if (csize == 0)
			break;	/* stored with a descriptor: end unknown */
		off = doff + csize;
	}
	return LANDING_WAIT;
}

enum landing_result
landing_check(const struct pw_scanner *scanner, int fd, uint64_t size,
	      struct landing_state *st, struct pw_result **ret_result)
{
	enum landing_result rc = LANDING_WAIT;
	struct pw_result *keep = NULL;
	uint8_t magic[4];
	uint8_t *buf = NULL;
	ssize_t n;

	if (ret_result)
		*ret_result = NULL;
	if (!scanner || fd < 0 || !st || size > LANDING_MAX_PREFIX) {
		errno = EINVAL;
		return LANDING_ERROR;
	}
	if (st->next == 0)
		st->next = LANDING_FIRST;
	/* The next look when the file has doubled: the sum of all looks
	 * stays below twice the final size. */
	st->next = size * 2 > st->next ? size * 2 : st->next;
	st->looks++;
	if (read_at(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic))
		return LANDING_WAIT;
	if (le32(magic) == ZIP_LFH_SIG) {
		rc = check_zip(scanner, fd, size, st, &keep);
	} else {
		buf = malloc(size ? (size_t)size : 1);
		if (!buf)
			return LANDING_ERROR;
		n = read_at(fd, buf, (size_t)size, 0);
		if (n < 0) {
			rc = LANDING_ERROR;
		} else {
			st->bytes_read += (uint64_t)n;
			if (scan_bytes(scanner, buf, (size_t)n, &keep))
				rc = LANDING_FINAL;
		}
		free(buf);
	}
	if (rc == LANDING_FINAL) {
		st->final = true;
		if (ret_result)
			*ret_result = keep;
		else
			pw_result_free(keep);
	}
	return rc;
}
