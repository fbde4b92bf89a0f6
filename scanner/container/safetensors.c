/* SPDX-License-Identifier: Apache-2.0 */
/*
 * safetensors.c - safetensors files: an 8-byte little-endian header length,
 * a JSON header, then raw tensor bytes.  Nothing in the format executes.
 *
 * A safe-format claim is checked by parsing the format as its loader does
 * (issue 9): the header is JSON of the right shape - an object whose
 * "__metadata__" maps strings to strings and whose every other member is
 * {"dtype": a known dtype, "shape": [non-negative ints], "data_offsets":
 * [begin, end]} - each tensor's bytes match its shape and dtype, and the
 * tensors tile the data region exactly (the safetensors crate refuses
 * gaps, overlaps and trailing bytes).  A file that fails is not a
 * safetensors file (the loader refuses it) and loses the label.  Either
 * way the dispatcher still reads the bytes as a raw pickle when the first
 * one is an opcode: a valid-looking header is no proof of anything else.
 */
#include "config.h"

#include <stdlib.h>
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

/* Headers fully parsed in memory; larger ones (no real file has one:
 * tens of thousands of tensors take a few MB) keep the structural check. */
#define ST_PARSE_MAX (16U << 20)
/* Tensors whose offsets are checked for tiling. */
#define ST_MAX_TENSORS (1U << 20)

struct st_parse {
	const uint8_t *p;
	size_t len, off;
	unsigned depth;
	uint64_t (*ranges)[2];
	size_t nranges, cap;
	const char *why;
};

static void
st_ws(struct st_parse *j)
{
	while (j->off < j->len && (j->p[j->off] == ' ' || j->p[j->off] == '\t' ||
				   j->p[j->off] == '\n' || j->p[j->off] == '\r'))
		j->off++;
}

static bool
st_lit(struct st_parse *j, char c)
{
	st_ws(j);
	if (j->off < j->len && j->p[j->off] == (uint8_t)c) {
		j->off++;
		return true;
	}
	return false;
}

/* A JSON string; its raw bytes (escapes kept) in *ret and *ret_len. */
static bool
st_string(struct st_parse *j, const uint8_t **ret, size_t *ret_len)
{
	size_t b;

	if (!st_lit(j, '"'))
		return false;
	b = j->off;
	while (j->off < j->len && j->p[j->off] != '"') {
		if (j->p[j->off] < 0x20)
			return false;
		if (j->p[j->off] == '\\') {
			j->off++;
			if (j->off >= j->len)
				return false;
			if (j->p[j->off] == 'u') {
				size_t k;

				for (k = 1; k <= 4; k++)
					if (j->off + k >= j->len ||
					    !strchr("0123456789abcdefABCDEF",
						    j->p[j->off + k]) ||
					    j->p[j->off + k] == 0)
						return false;
				j->off += 4;
			} else if (!strchr("\"\\/bfnrt", j->p[j->off]) ||
				   j->p[j->off] == 0) {
				return false;
			}
		}
		j->off++;
	}
	if (j->off >= j->len)
		return false;
	*ret = j->p + b;
	*ret_len = j->off - b;
	j->off++;
	return true;
}

/* A non-negative JSON integer that fits 64 bits. */
static bool
st_uint(struct st_parse *j, uint64_t *ret)
{
	uint64_t v = 0;
	size_t b;

	st_ws(j);
	b = j->off;
	while (j->off < j->len && j->p[j->off] >= '0' && j->p[j->off] <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(j->p[j->off] - '0'), &v))
			return false;
		j->off++;
	}
	if (j->off == b || (j->p[b] == '0' && j->off - b > 1))
		return false;
	*ret = v;
	return true;
}

static unsigned
st_dtype_size(const uint8_t *s, size_t n)
{
	static const struct { const char *name; unsigned size; } dt[] = {
		{"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E5M2", 1},
		{"F8_E4M3", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
		{"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4}, {"F64", 8},
		{"I64", 8}, {"U64", 8}, {"C64", 8}, {"F8_E8M0", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(dt) / sizeof(dt[0]); i++)
		if (strlen(dt[i].name) == n && memcmp(dt[i].name, s, n) == 0)
			return dt[i].size;
	return 0;
}

static bool
st_key_is(const uint8_t *k, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(k, name, n) == 0;
}

/* {"dtype": ..., "shape": [...], "data_offsets": [b, e]} */
static bool
st_tensor(struct st_parse *j)
{
	const uint8_t *k, *dt = NULL;
	size_t kl, dtl = 0;
	uint64_t numel = 1, b = 0, e = 0, v, bytes;
	bool have_shape = false, have_off = false, first = true;
	unsigned size;

	if (!st_lit(j, '{'))
		return false;
	while (!st_lit(j, '}')) {
		if (!first && !st_lit(j, ','))
			return false;
		first = false;
		if (!st_string(j, &k, &kl) || !st_lit(j, ':'))
			return false;
		if (st_key_is(k, kl, "dtype")) {
			if (!st_string(j, &dt, &dtl))
				return false;
		} else if (st_key_is(k, kl, "shape")) {
			bool f = true;

			if (!st_lit(j, '['))
				return false;
			while (!st_lit(j, ']')) {
				if ((!f && !st_lit(j, ',')) || !st_uint(j, &v) ||
				    __builtin_mul_overflow(numel, v, &numel))
					return false;
				f = false;
			}
			have_shape = true;
		} else if (st_key_is(k, kl, "data_offsets")) {
			if (!st_lit(j, '[') || !st_uint(j, &b) ||
			    !st_lit(j, ',') || !st_uint(j, &e) ||
			    !st_lit(j, ']') || e < b)
				return false;
			have_off = true;
		} else {
			return false;	/* no other field is written */
		}
	}
	if (dt == NULL || !have_shape || !have_off)
		return false;
	size = st_dtype_size(dt, dtl);
	if (size == 0 || __builtin_mul_overflow(numel, size, &bytes) ||
	    bytes != e - b) {
		j->why = "a tensor's bytes do not match its shape and dtype";
		return false;
	}
	if (j->nranges == j->cap) {
		size_t ncap = j->cap ? j->cap * 2 : 64;
		uint64_t (*n)[2];

		if (ncap > ST_MAX_TENSORS)
			return false;
		n = reallocarray(j->ranges, ncap, sizeof(*n));
		if (n == NULL)
			return false;
		j->ranges = n;
		j->cap = ncap;
	}
	j->ranges[j->nranges][0] = b;
	j->ranges[j->nranges][1] = e;
	j->nranges++;
	return true;
}

/* "__metadata__": {"k": "v", ...} */
static bool
st_metadata(struct st_parse *j)
{
	const uint8_t *k;
	size_t kl;
	bool first = true;

	if (!st_lit(j, '{'))
		return false;
	while (!st_lit(j, '}')) {
		if ((!first && !st_lit(j, ',')) || !st_string(j, &k, &kl) ||
		    !st_lit(j, ':') || !st_string(j, &k, &kl))
			return false;
		first = false;
	}
	return true;
}

static int
cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	/* Empty tensors sit at the offset where the next one begins. */
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Parses the whole header; NULL when it is a valid safetensors header
 * whose tensors tile data_len bytes, else why not. */
static const char *
st_validate(const uint8_t *p, size_t len, uint64_t data_len)
{
	struct st_parse j;
	const uint8_t *k;
	size_t kl, i;
	bool first = true;
	uint64_t at = 0;
	const char *why = "the header is not JSON of the safetensors shape";

	memset(&j, 0, sizeof(j));
	j.p = p;
	j.len = len;
	if (!st_lit(&j, '{'))
		goto out;
	while (!st_lit(&j, '}')) {
		if ((!first && !st_lit(&j, ',')) || !st_string(&j, &k, &kl) ||
		    !st_lit(&j, ':'))
			goto out;
		first = false;
		if (st_key_is(k, kl, "__metadata__") ? !st_metadata(&j)
						       : !st_tensor(&j))
			goto out;
	}
	st_ws(&j);
	if (j.off != j.len)
		goto out;	/* only whitespace may pad the header */
	if (j.nranges > 1)
		qsort(j.ranges, j.nranges, sizeof(*j.ranges), cmp_range);
	for (i = 0; i < j.nranges; i++) {
		if (j.ranges[i][0] != at) {
			why = "tensor offsets leave a gap or overlap";
			goto out;
		}
		at = j.ranges[i][1];
	}
	why = at == data_len ? NULL
			     : "tensor offsets do not cover the data exactly";
out:
	if (why != NULL && j.why != NULL)
		why = j.why;
	free(j.ranges);
	return why;
}

int
container_safetensors_scan(struct scan_ctx *ctx, const struct source *src)
{
	uint8_t buf[ST_CHUNK];
	uint8_t *whole = NULL;
	uint64_t hlen, off = 8;
	struct json_check j;
	const char *why = NULL;
	int rc;

	rc = source_read(src, 0, buf, 9);
	if (rc != PW_OK)
		return rc == PW_ERR_IO ? rc : PW_OK;
	hlen = le64(buf);
	if (hlen > src->size - 8 || hlen > ST_HEADER_MAX || buf[8] != '{') {
		why = "its header length does not fit the file";
		goto refused;
	}
	if (hlen <= ST_PARSE_MAX) {
		whole = malloc(hlen ? (size_t)hlen : 1);
		if (whole == NULL)
			return PW_ERR_NOMEM;
		rc = source_read(src, 8, whole, (size_t)hlen);
		if (rc != PW_OK) {
			free(whole);
			return rc;
		}
		why = st_validate(whole, (size_t)hlen, src->size - 8 - hlen);
		free(whole);
		if (why != NULL)
			goto refused;
		return PW_OK;
	}
	/* Past ST_PARSE_MAX: the structural check only. */
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
	if (!j.bad && j.closed)
		return PW_OK;
	why = "its header is not a JSON object";
refused:
	scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 0,
		    "not a safetensors file (%s): the safetensors loader "
		    "refuses it", why);
	scan_relabel(ctx, FMT_SAFETENSORS, FMT_UNKNOWN);
	return PW_OK;
}
