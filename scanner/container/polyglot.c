/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polyglot.c - a file that does not start with PK\3\4 but ends with a zip.
 *
 * torch.load decides "zip or not" from the first four bytes, so it unpickles
 * the head of such a file; zip tools (and scanners built on them) find the
 * end-of-central-directory record at the end and see only the zip.  The head
 * has already been scanned by the dispatcher; here we find the zip, scan it
 * too, and report the file as a polyglot.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "result.h"

#define EOCD_LEN 22
#define EOCD64_LEN 56
#define EOCD64_LOC_LEN 20

struct embedded_zip {
	uint64_t start;		/* offset of the zip's byte 0 in the file */
	uint64_t entries;
};

/* Checks an EOCD candidate at file offset e (rec points at its bytes, with
 * avail bytes readable); fills ez when it describes a plausible zip. */
static int
check_eocd(const struct source *src, uint64_t e, const uint8_t *rec,
	   size_t avail, struct embedded_zip *ez, bool *ret_ok)
{
	uint64_t cd_size, cd_off, entries, cd_end = e, cd_pos;
	uint8_t buf[EOCD64_LEN], sig[4];
	int rc;

	*ret_ok = false;
	if (avail < EOCD_LEN)
		return PW_OK;
	/* The comment must reach exactly to the end of the file. */
	if (e + EOCD_LEN + le16(rec + 20) != src->size)
		return PW_OK;
	entries = le16(rec + 10);
	cd_size = le32(rec + 12);
	cd_off = le32(rec + 16);
	if (cd_off == 0xffffffffu || cd_size == 0xffffffffu ||
	    entries == 0xffff) {
		/* zip64: the locator precedes the EOCD, the zip64 EOCD
		 * precedes the locator. */
		if (e < EOCD64_LOC_LEN + EOCD64_LEN)
			return PW_OK;
		rc = source_read(src, e - EOCD64_LOC_LEN - EOCD64_LEN, buf,
				 sizeof(buf));
		if (rc != PW_OK)
			return rc == PW_ERR_IO ? rc : PW_OK;
		if (memcmp(buf, "PK\006\006", 4) != 0)
			return PW_OK;
		entries = le64(buf + 32);
		cd_size = le64(buf + 40);
		cd_off = le64(buf + 48);
		cd_end = e - EOCD64_LOC_LEN - EOCD64_LEN;
	}
	if (entries == 0 || cd_size > cd_end)
		return PW_OK;
	cd_pos = cd_end - cd_size;
	if (cd_off > cd_pos)
		return PW_OK;
	rc = source_read(src, cd_pos, sig, sizeof(sig));
	if (rc != PW_OK)
		return rc == PW_ERR_IO ? rc : PW_OK;
	if (memcmp(sig, "PK\001\002", 4) != 0)
		return PW_OK;
	ez->start = cd_pos - cd_off;
	ez->entries = entries;
	*ret_ok = true;
	return PW_OK;
}

/* Finds the last plausible EOCD record in the file's tail. */
static int
find_zip(const struct source *src, struct embedded_zip *ez, bool *ret_found)
{
	uint64_t tail_off;
	size_t tail_len, got, i;
	uint8_t *tail;
	int rc;

	*ret_found = false;
	if (src->size < EOCD_LEN)
		return PW_OK;
	tail_len = src->size < PW_POLYGLOT_TAIL ? (size_t)src->size
						 : PW_POLYGLOT_TAIL;
	tail_off = src->size - tail_len;
	tail = malloc(tail_len);
	if (tail == NULL)
		return PW_ERR_NOMEM;
	rc = source_read_some(src, tail_off, tail, tail_len, &got);
	if (rc == PW_OK && got == tail_len) {
		for (i = tail_len - EOCD_LEN + 1; i-- > 0;) {
			if (memcmp(tail + i, "PK\005\006", 4) != 0)
				continue;
			rc = check_eocd(src, tail_off + i, tail + i,
					tail_len - i, ez, ret_found);
			if (rc != PW_OK || *ret_found)
				break;
		}
	}
	free(tail);
	return rc;
}

int
container_polyglot_scan(struct scan_ctx *ctx, const struct source *src)
{
	struct embedded_zip ez;
	struct source slice;
	char name[64];
	size_t saved;
	uint64_t before;
	bool found, head_exec, zip_exec;
	uint8_t head[4];
	size_t got;
	int rc;

	rc = source_read_some(src, 0, head, sizeof(head), &got);
	if (rc != PW_OK)
		return rc;
	if (got == 4 && memcmp(head, "PK\003\004", 4) == 0)
		return PW_OK;	/* a plain zip: container_zip_scan's */
	rc = find_zip(src, &ez, &found);
	if (rc != PW_OK || !found)
		return rc;
	if (!source_slice(src, ez.start, src->size - ez.start, &slice))
		return PW_OK;
	head_exec = scan_executed_here(ctx);
	snprintf(name, sizeof(name), "[zip@%llu]",
		 (unsigned long long)ez.start);
	before = scan_exec_mark(ctx);
	if (!scan_enter(ctx, name, &saved))
		return PW_OK;
	rc = container_zip_scan(ctx, &slice);
	zip_exec = scan_executed_since(ctx, before);
	scan_leave(ctx, saved);
	if (rc != PW_OK)
		return rc;
	if (head_exec || zip_exec)
		scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_CONTAINER, NULL,
			    ez.start,
			    "polyglot: a zip archive is appended at offset %llu "
			    "to data that is not a zip; torch.load unpickles "
			    "the head, zip tools see only the archive, and "
			    "%s imports or calls",
			    (unsigned long long)ez.start,
			    head_exec && zip_exec ? "both parts"
			    : head_exec ? "the head" : "the archive");
	else
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
			    ez.start,
			    "polyglot: a zip archive is appended at offset %llu "
			    "to data that is not a zip (loaders and tools see "
			    "different files)", (unsigned long long)ez.start);
	return PW_OK;
}
