/* SPDX-License-Identifier: Apache-2.0 */
/*
 * safetensors.c - safetensors files: an 8-byte little-endian header length,
 * a JSON header, then raw tensor bytes.  Nothing in the format executes.
 *
 * We check what the safetensors loader checks first: the header length
 * fits the file and the header is a JSON object (a structural check:
 * balanced braces and brackets outside strings, well-formed string escapes,
 * nothing but padding spaces after the object).  The tensor data is never
 * read.  Read as a pickle (torch.load on a non-zip file), the first eight
 * bytes are a small integer followed by '{' and a '"': no opcode sequence
 * in them can import anything, so there is no second interpretation to scan.
 */
#include "config.h"

#include <string.h>

#include "container/container.h"
#include "container/internal.h"

/* The safetensors crate refuses headers over 100 MB. */
#define ST_HEADER_MAX 100000000ULL
/* Nesting of the header's JSON (it is two levels deep in practice). */
#define ST_MAX_DEPTH 64
#define ST_CHUNK 65536

struct json_check {
	unsigned depth;
	bool in_string, escape, closed, bad;
};

static void
json_feed(struct json_check *j, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !j->bad; i++) {
		uint8_t c = p[i];

		if (j->closed) {
			if (c != ' ')
				j->bad = true;	/* only padding may follow */
			continue;
		}
		if (j->in_string) {
			if (j->escape)
				j->escape = false;
			else if (c == '\\')
				j->escape = true;
			else if (c == '"')
				j->in_string = false;
			else if (c < 0x20)
				j->bad = true;
			continue;
		}
		switch (c) {
		case '"':
			j->in_string = true;
			break;
		case '{': case '[':
			if (++j->depth > ST_MAX_DEPTH)
				j->bad = true;
			break;
		case '}': case ']':
			if (j->depth == 0)
				j->bad = true;
			else if (--j->depth == 0)
				j->closed = true;
			break;
		default:
			break;
		}
	}
}

int
container_safetensors_scan(struct scan_ctx *ctx, const struct source *src)
{
	uint8_t buf[ST_CHUNK];
	uint64_t hlen, off = 8;
	struct json_check j;
	int rc;

	rc = source_read(src, 0, buf, 9);
	if (rc != PW_OK)
		return rc == PW_ERR_IO ? rc : PW_OK;
	hlen = le64(buf);
	if (hlen > src->size - 8 || hlen > ST_HEADER_MAX || buf[8] != '{') {
		scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 0,
			    "safetensors header length does not fit the file");
		return PW_OK;
	}
	memset(&j, 0, sizeof(j));
	while (off < 8 + hlen && !j.bad) {
		size_t n = sizeof(buf);

		if ((uint64_t)n > 8 + hlen - off)
			n = (size_t)(8 + hlen - off);
		rc = source_read(src, off, buf, n);
		if (rc != PW_OK)
			return rc;
		json_feed(&j, buf, n);
		off += n;
	}
	if (j.bad || !j.closed)
		scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 8,
			    "safetensors header is not a JSON object; the "
			    "loader refuses the file");
	return PW_OK;
}
