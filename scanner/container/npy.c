/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npy.c - NumPy .npy files (format versions 1, 2 and 3).
 *
 * numpy.load reads the magic, the version, a header length and a header
 * that is a Python dict literal ({'descr': ..., 'fortran_order': ...,
 * 'shape': ...}) evaluated with ast.literal_eval.  With an object dtype the
 * rest of the file is unpickled (allow_pickle=True); otherwise it is raw
 * array data that nothing executes.
 *
 * We never evaluate anything: a small strict parser accepts the literal
 * shapes numpy writes (strings, True/False, tuples of ints, lists of field
 * tuples).  A header we cannot read is inconclusive, never clean, because
 * numpy's evaluator accepts forms ours does not.
 */
#include "config.h"

#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "pickle/pickle.h"

#define NPY_MAGIC_LEN 6
/* Nesting of lists/tuples in a structured descr. */
#define NPY_MAX_NEST 32

struct lit {
	const uint8_t *p;
	size_t len, off;
	unsigned depth;
	bool has_object;	/* a type string with kind 'O' was seen */
	bool failed;
};

static void
skip_ws(struct lit *l)
{
	while (l->off < l->len &&
	       (l->p[l->off] == ' ' || l->p[l->off] == '\t' ||
		l->p[l->off] == '\n' || l->p[l->off] == '\r'))
		l->off++;
}

static bool
eat(struct lit *l, char c)
{
	skip_ws(l);
	if (l->off < l->len && l->p[l->off] == c) {
		l->off++;
		return true;
	}
	return false;
}

/* A quoted string without escapes (numpy never writes any); copies up to
 * cap-1 bytes into out.  Escapes and prefixes make the header unreadable
 * for us, hence inconclusive. */
static bool
parse_str(struct lit *l, char *out, size_t cap)
{
	uint8_t q;
	size_t n = 0;

	skip_ws(l);
	if (l->off >= l->len || (l->p[l->off] != '\'' && l->p[l->off] != '"'))
		return false;
	q = l->p[l->off++];
	while (l->off < l->len && l->p[l->off] != q) {
		uint8_t c = l->p[l->off++];

		if (c == '\\' || c == '\n')
			return false;
		if (n + 1 < cap)
			out[n++] = (char)c;
		else
			return false;
	}
	if (l->off >= l->len)
		return false;
	l->off++;
	out[n] = '\0';
	/* Adjacent literals concatenate in Python: refuse them. */
	skip_ws(l);
	if (l->off < l->len && (l->p[l->off] == '\'' || l->p[l->off] == '"'))
		return false;
	return true;
}

static bool
parse_int(struct lit *l)
{
	size_t start;

	skip_ws(l);
	start = l->off;
	while (l->off < l->len && l->p[l->off] >= '0' && l->p[l->off] <= '9')
		l->off++;
	if (l->off == start || l->off - start > 20)
		return false;
	/* Python 2 headers may carry an 'L' suffix; numpy filters it. */
	if (l->off < l->len && l->p[l->off] == 'L')
		l->off++;
	return true;
}

/* (int, int, ...) with optional trailing comma, or () */
static bool
parse_shape(struct lit *l)
{
	if (!eat(l, '('))
		return false;
	if (eat(l, ')'))
		return true;
	for (;;) {
		if (!parse_int(l))
			return false;
		if (eat(l, ')'))
			return true;
		if (!eat(l, ','))
			return false;
		if (eat(l, ')'))
			return true;
	}
}

static bool
parse_bool(struct lit *l, bool *ret)
{
	skip_ws(l);
	if (l->len - l->off >= 4 && memcmp(l->p + l->off, "True", 4) == 0) {
		l->off += 4;
		*ret = true;
		return true;
	}
	if (l->len - l->off >= 5 && memcmp(l->p + l->off, "False", 5) == 0) {
		l->off += 5;
		*ret = false;
		return true;
	}
	return false;
}

/* A type string: an optional byte-order char, a kind letter, digits, and
 * for datetimes a [unit].  'O' is an object (pickled) array; any other
 * spelling numpy might accept ("object", "float64") is not guessed at:
 * the header is then unreadable for us, hence inconclusive. */
static void
note_type(struct lit *l, const char *t)
{
	if (*t == '<' || *t == '>' || *t == '|' || *t == '=')
		t++;
	if (*t == 'O') {
		l->has_object = true;
		return;
	}
	if (*t == '\0' || strchr("biufcmMSaUV?", *t) == NULL) {
		l->failed = true;
		return;
	}
	t++;
	while (*t >= '0' && *t <= '9')
		t++;
	if (*t == '[') {
		while (*t != '\0' && *t != ']')
			t++;
		if (*t == ']')
			t++;
	}
	if (*t != '\0')
		l->failed = true;
}

static bool parse_descr(struct lit *l);

/* A field: ('name', descr) or ('name', descr, shape); the name may be a
 * (title, name) pair. */
static bool
parse_field(struct lit *l)
{
	char buf[PW_NAME_MAX];

	if (!eat(l, '('))
		return false;
	skip_ws(l);
	if (l->off < l->len && l->p[l->off] == '(') {
		l->off++;
		if (!parse_str(l, buf, sizeof(buf)) || !eat(l, ',') ||
		    !parse_str(l, buf, sizeof(buf)) || !eat(l, ')'))
			return false;
	} else if (!parse_str(l, buf, sizeof(buf))) {
		return false;
	}
	if (!eat(l, ',') || !parse_descr(l))
		return false;
	if (eat(l, ',')) {
		if (eat(l, ')'))
			return true;
		if (!parse_shape(l) && !parse_int(l))
			return false;
	}
	return eat(l, ')');
}

static bool
parse_descr(struct lit *l)
{
	char type[64];
	bool ok = true;

	if (++l->depth > NPY_MAX_NEST)
		return false;
	skip_ws(l);
	if (eat(l, '[')) {
		if (!eat(l, ']')) {
			for (;;) {
				if (!parse_field(l)) {
					ok = false;
					break;
				}
				if (eat(l, ']'))
					break;
				if (!eat(l, ',')) {
					ok = false;
					break;
				}
				if (eat(l, ']'))
					break;
			}
		}
	} else if (parse_str(l, type, sizeof(type))) {
		note_type(l, type);
	} else {
		ok = false;
	}
	l->depth--;
	return ok;
}

/* The header dict: exactly the three keys, in any order. */
static bool
parse_header(struct lit *l)
{
	char key[32];
	unsigned seen = 0;
	bool b;

	if (!eat(l, '{'))
		return false;
	while (!eat(l, '}')) {
		if (!parse_str(l, key, sizeof(key)) || !eat(l, ':'))
			return false;
		if (strcmp(key, "descr") == 0 && !(seen & 1)) {
			if (!parse_descr(l))
				return false;
			seen |= 1;
		} else if (strcmp(key, "fortran_order") == 0 && !(seen & 2)) {
			if (!parse_bool(l, &b))
				return false;
			seen |= 2;
		} else if (strcmp(key, "shape") == 0 && !(seen & 4)) {
			if (!parse_shape(l))
				return false;
			seen |= 4;
		} else {
			return false;	/* numpy refuses other keys */
		}
		if (!eat(l, ',')) {
			if (!eat(l, '}'))
				return false;
			break;
		}
	}
	skip_ws(l);
	return seen == 7 && l->off == l->len && !l->failed;
}

/* numpy.load(allow_pickle=True) calls pickle.load: no persistent_load. */
static const struct pickle_opts npy_load = { .no_persistent_load = true };

int
container_npy_scan(struct scan_ctx *ctx, struct stream *st)
{
	const uint8_t *p, *hdr, *next;
	uint8_t major;
	uint64_t hlen, hdr_off;
	struct lit l;

	if (!stream_read(st, NPY_MAGIC_LEN + 2, &p)) {
		scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 0,
			    "truncated .npy file (numpy.load fails)");
		return PW_OK;
	}
	major = p[6];
	if (major == 1) {
		if (!stream_read(st, 2, &p))
			goto truncated;
		hlen = le16(p);
	} else if (major == 2 || major == 3) {
		if (!stream_read(st, 4, &p))
			goto truncated;
		hlen = le32(p);
	} else {
		/* numpy.load refuses unknown versions before reading on. */
		scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 6,
			    ".npy format version %u is not one numpy reads",
			    major);
		return PW_OK;
	}
	hdr_off = stream_offset(st);
	if (hlen > PW_NPY_HEADER_MAX) {
		scan_limit(ctx, hdr_off, "npy header too long");
		return PW_OK;
	}
	if (!stream_read(st, (size_t)hlen, &hdr))
		goto truncated;
	memset(&l, 0, sizeof(l));
	l.p = hdr;
	l.len = (size_t)hlen;
	if (!parse_header(&l)) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL, hdr_off,
			    ".npy header is not a dict literal this scanner "
			    "can read; numpy might still load it");
		/* If what follows announces itself as a pickle, look at it
		 * anyway: numpy may well have read an object dtype. */
		if (stream_peek(st, 3, &next) &&
		    container_strong_pickle(next, 3))
			return pickle_scan_stream(ctx, st, &npy_load);
		return PW_OK;
	}
	if (!l.has_object)
		return PW_OK;	/* raw numbers: nothing to execute */
	/* Object arrays: numpy.load(allow_pickle=True) unpickles the rest. */
	scan_report(ctx, PW_SEV_INFO, PW_KIND_CONTAINER, NULL, hdr_off,
		    ".npy object array: the data is a pickle");
	return pickle_scan_stream(ctx, st, &npy_load);
truncated:
	scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, stream_offset(st),
		    "truncated .npy header (numpy.load fails before "
		    "unpickling anything)");
	return PW_OK;
}
