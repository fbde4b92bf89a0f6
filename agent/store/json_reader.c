/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.c - the strict JSON reader (json_reader.h says what it
 * refuses and why).  It reads through a bounded cursor, validates UTF-8
 * with store/utf8.c, decodes \u escapes with store/hex.c, and records the first failure in the cursor so the
 * caller learns the reason and the offset.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent/store/hex.h"
#include "agent/store/json_reader.h"
#include "agent/store/utf8.h"

/* A bounded cursor: nothing reads at or past len. */
struct cur {
	const unsigned char *p;
	size_t len, off;
	size_t values;		/* values started so far */
	enum store_json_status err;	/* the first failure */
};

static int
fail(struct cur *c, enum store_json_status why)
{
	if (c->err == STORE_JSON_OK)
		c->err = why;
	return -1;
}

static bool
at(const struct cur *c, unsigned char ch)
{
	return c->off < c->len && c->p[c->off] == ch;
}

static bool
at_digit(const struct cur *c)
{
	return c->off < c->len && c->p[c->off] >= '0' && c->p[c->off] <= '9';
}

/* RFC 8259 whitespace: exactly these four (no BOM, no NBSP, no VT/FF). */
static void
ws(struct cur *c)
{
	while (at(c, ' ') || at(c, '\t') || at(c, '\n') || at(c, '\r'))
		c->off++;
}

static bool
word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if (c->len - c->off < n || memcmp(c->p + c->off, w, n) != 0)
		return false;
	c->off += n;
	return true;
}

static int
hex4(struct cur *c, unsigned *ret)
{
	unsigned char b[2];

	if (c->len - c->off < 4 ||
	    !store_hex_decode((const char *)c->p + c->off, 4, b))
		return fail(c, STORE_JSON_ERR_SYNTAX);
	c->off += 4;
	*ret = (unsigned)b[0] << 8 | b[1];
	return 0;
}

/* The code point of a \u escape (the cursor is after "\u"), a surrogate
 * pair joined (RFC 8259 section 7).  A lone surrogate has no code point
 * and \u0000 would cut the C string two readers then disagree on: both
 * are UTF-8 errors. */
static int
escape_u(struct cur *c, unsigned *ret)
{
	unsigned cp, lo;

	if (hex4(c, &cp) != 0)
		return -1;
	if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return fail(c, STORE_JSON_ERR_UTF8);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (!word(c, "\\u"))
			return fail(c, STORE_JSON_ERR_UTF8);
		if (hex4(c, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(c, STORE_JSON_ERR_UTF8);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*ret = cp;
	return 0;
}

/*
 * A string at the cursor (on its opening quote), decoded into a new
 * NUL-terminated buffer.  The closing quote is found first: the decoded
 * text is never longer than the literal ("\uXXXX" is 6 bytes and at most 3
 * in UTF-8, a 12-byte pair 4), so one allocation of the literal's size is
 * enough.
 */
static int
string(struct cur *c, char **ret, size_t *ret_len)
{
	size_t start = c->off + 1, end = start, n = 0;
	char *out;

	while (end < c->len && c->p[end] != '"')
		end += c->p[end] == '\\' ? 2 : 1;
	if (end >= c->len) {
		c->off = c->len;
		return fail(c, STORE_JSON_ERR_SYNTAX);	/* unterminated */
	}
	out = malloc(end - start + 1);
	if (!out)
		return fail(c, STORE_JSON_ERR_NOMEM);
	c->off = start;
	while (c->off < end) {
		unsigned char ch = c->p[c->off];
		const char *simple = NULL;
		unsigned cp;
		size_t k;

		if (ch < 0x20) {
			fail(c, STORE_JSON_ERR_SYNTAX);	/* raw control */
			goto bad;
		}
		if (ch != '\\') {
			/* Bounded by end: a sequence cut by the quote is
			 * invalid (a continuation byte is never '"'). */
			k = store_utf8_valid_len_n(c->p + c->off, end - c->off);
			if (k == 0) {
				fail(c, STORE_JSON_ERR_UTF8);
				goto bad;
			}
			memcpy(out + n, c->p + c->off, k);
			n += k;
			c->off += k;
			continue;
		}
		c->off++;
		switch (c->p[c->off++]) {
		case '"': simple = "\""; break;
		case '\\': simple = "\\"; break;
		case '/': simple = "/"; break;
		case 'b': simple = "\b"; break;
		case 'f': simple = "\f"; break;
		case 'n': simple = "\n"; break;
		case 'r': simple = "\r"; break;
		case 't': simple = "\t"; break;
		case 'u': break;
		default:
			fail(c, STORE_JSON_ERR_SYNTAX);
			goto bad;
		}
		if (simple) {
			out[n++] = simple[0];
			continue;
		}
		/* The escape's digits lie before end: the scan above
		 * stepped over every backslash pair, so a quote inside
		 * "\u12" ends the string and hex4 finds it. */
		if (escape_u(c, &cp) != 0 || c->off > end) {
			fail(c, STORE_JSON_ERR_SYNTAX);
			goto bad;
		}
		n += store_utf8_encode(out + n, cp);
	}
	c->off = end + 1;
	out[n] = '\0';
	*ret = out;
	*ret_len = n;
	return 0;
bad:
	free(out);
	return -1;
}

/* RFC 8259 number grammar, at most STORE_JSON_MAX_NUMBER characters; the
 * literal is kept as text for the typed getters. */
static int
number(struct cur *c, struct store_json_value *v)
{
	size_t s = c->off;

	if (at(c, '-'))
		c->off++;
	if (at(c, '0')) {
		c->off++;
	} else if (at_digit(c)) {
		while (at_digit(c))
			c->off++;
	} else {
		return fail(c, STORE_JSON_ERR_SYNTAX);
	}
	if (at(c, '.')) {
		c->off++;
		if (!at_digit(c))
			return fail(c, STORE_JSON_ERR_SYNTAX);
		while (at_digit(c))
			c->off++;
	}
	if (at(c, 'e') || at(c, 'E')) {
		c->off++;
		if (at(c, '+') || at(c, '-'))
			c->off++;
		if (!at_digit(c))
			return fail(c, STORE_JSON_ERR_SYNTAX);
		while (at_digit(c))
			c->off++;
	}
	if (c->off - s > STORE_JSON_MAX_NUMBER)
		return fail(c, STORE_JSON_ERR_LIMIT);
	v->text = strndup((const char *)c->p + s, c->off - s);
	if (!v->text)
		return fail(c, STORE_JSON_ERR_NOMEM);
	v->text_len = c->off - s;
	v->type = STORE_JSON_NUMBER;
	return 0;
}

/* Appends a zeroed slot to v's items (and keys, for an object). */
static int
grow(struct store_json_value *v, size_t *cap, bool with_keys)
{
	if (v->n == *cap) {
		size_t nc;
		struct store_json_value *ni;

		if (__builtin_mul_overflow(*cap ? *cap : 2, 2, &nc))
			return -1;
		ni = reallocarray(v->items, nc, sizeof(*ni));
		if (!ni)
			return -1;
		v->items = ni;
		if (with_keys) {
			char **nk = reallocarray(v->keys, nc, sizeof(*nk));

			if (!nk)
				return -1;
			v->keys = nk;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	if (with_keys)
		v->keys[v->n] = NULL;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether object v has a key twice.  Keys are NUL-free (\u0000 is
 * refused), so strcmp compares the decoded keys whole.  Sorting a copy of
 * the pointers keeps the check O(n log n) per object. */
static int
check_duplicates(struct cur *c, const struct store_json_value *v)
{
	char **sorted;
	size_t i;
	int rc = 0;

	if (v->n < 2)
		return 0;
	sorted = malloc(v->n * sizeof(*sorted));	/* n <= MAX_MEMBERS */
	if (!sorted)
		return fail(c, STORE_JSON_ERR_NOMEM);
	memcpy(sorted, v->keys, v->n * sizeof(*sorted));
	qsort(sorted, v->n, sizeof(*sorted), key_cmp);
	for (i = 1; i < v->n && rc == 0; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			rc = fail(c, STORE_JSON_ERR_DUPLICATE);
	free(sorted);
	return rc;
}

static int parse_value(struct cur *c, struct store_json_value *v,
		       unsigned depth);

static int
parse_container(struct cur *c, struct store_json_value *v, unsigned depth,
		bool obj)
{
	size_t cap = 0;
	unsigned char close = obj ? '}' : ']';

	v->type = obj ? STORE_JSON_OBJECT : STORE_JSON_ARRAY;
	if (depth >= STORE_JSON_MAX_DEPTH)
		return fail(c, STORE_JSON_ERR_LIMIT);
	c->off++;
	ws(c);
	if (at(c, close)) {
		c->off++;
		return 0;
	}
	for (;;) {
		if (obj && v->n >= STORE_JSON_MAX_MEMBERS)
			return fail(c, STORE_JSON_ERR_LIMIT);
		if (grow(v, &cap, obj) != 0)
			return fail(c, STORE_JSON_ERR_NOMEM);
		/* Counted now, so a failure below frees the slot. */
		v->n++;
		if (obj) {
			size_t klen;

			ws(c);
			if (!at(c, '"'))
				return fail(c, STORE_JSON_ERR_SYNTAX);
			if (string(c, &v->keys[v->n - 1], &klen) != 0)
				return -1;
			ws(c);
			if (!at(c, ':'))
				return fail(c, STORE_JSON_ERR_SYNTAX);
			c->off++;
		}
		if (parse_value(c, &v->items[v->n - 1], depth + 1) != 0)
			return -1;
		ws(c);
		if (at(c, ',')) {
			c->off++;
			continue;
		}
		if (!at(c, close))
			return fail(c, STORE_JSON_ERR_SYNTAX);
		c->off++;
		return obj ? check_duplicates(c, v) : 0;
	}
}

static int
parse_value(struct cur *c, struct store_json_value *v, unsigned depth)
{
	if (++c->values > STORE_JSON_MAX_VALUES)
		return fail(c, STORE_JSON_ERR_LIMIT);
	ws(c);
	if (c->off >= c->len)
		return fail(c, STORE_JSON_ERR_SYNTAX);
	switch (c->p[c->off]) {
	case '{':
		return parse_container(c, v, depth, true);
	case '[':
		return parse_container(c, v, depth, false);
	case '"':
		v->type = STORE_JSON_STRING;
		return string(c, &v->text, &v->text_len);
	case 't':
	case 'f':
		v->type = STORE_JSON_BOOL;
		v->boolean = c->p[c->off] == 't';
		return word(c, v->boolean ? "true" : "false") ? 0 :
		       fail(c, STORE_JSON_ERR_SYNTAX);
	case 'n':
		v->type = STORE_JSON_NULL;
		return word(c, "null") ? 0 : fail(c, STORE_JSON_ERR_SYNTAX);
	default:
		return number(c, v);
	}
}

static void
value_clear(struct store_json_value *v)
{
	size_t i;

	/* Depth is bounded by STORE_JSON_MAX_DEPTH, so recursion is too. */
	for (i = 0; i < v->n; i++) {
		value_clear(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

void
store_json_free(struct store_json_value *v)
{
	if (!v)
		return;
	value_clear(v);
	free(v);
}

enum store_json_status
store_json_parse(const char *text, size_t len, struct store_json_value **ret,
		 size_t *ret_offset)
{
	struct cur c = {(const unsigned char *)text, len, 0, 0, STORE_JSON_OK};
	struct store_json_value *v = NULL;

	if (!ret || (!text && len))
		c.err = STORE_JSON_ERR_SYNTAX;
	else if (len > STORE_JSON_MAX_INPUT)
		c.err = STORE_JSON_ERR_LIMIT;
	else if (!(v = calloc(1, sizeof(*v))))
		c.err = STORE_JSON_ERR_NOMEM;
	else if (parse_value(&c, v, 0) == 0) {
		ws(&c);
		if (c.off != c.len)
			fail(&c, STORE_JSON_ERR_SYNTAX);	/* trailing */
	}
	if (c.err != STORE_JSON_OK) {
		if (ret_offset)
			*ret_offset = c.off;
		store_json_free(v);
		return c.err;
	}
	*ret = v;
	return STORE_JSON_OK;
}

const char *
store_json_strerror(enum store_json_status status)
{
	switch (status) {
	case STORE_JSON_OK: return "ok";
	case STORE_JSON_ERR_SYNTAX: return "JSON syntax error";
	case STORE_JSON_ERR_UTF8: return "invalid UTF-8 in JSON string";
	case STORE_JSON_ERR_DUPLICATE: return "duplicate key in JSON object";
	case STORE_JSON_ERR_LIMIT:
		return "JSON too large, too deeply nested or a number too long";
	case STORE_JSON_ERR_NOMEM: return "out of memory";
	}
	return "unknown JSON error";
}

const struct store_json_value *
store_json_get(const struct store_json_value *v, const char *key)
{
	size_t i;

	if (!v || v->type != STORE_JSON_OBJECT)
		return NULL;
	/* Keys are unique (checked at parse): the first match is the one. */
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *
store_json_get_str(const struct store_json_value *v, const char *key)
{
	const struct store_json_value *m = store_json_get(v, key);

	return m && m->type == STORE_JSON_STRING ? m->text : NULL;
}

bool
store_json_get_bool(const struct store_json_value *v, const char *key,
		    bool *ret)
{
	const struct store_json_value *m = store_json_get(v, key);

	if (!m || m->type != STORE_JSON_BOOL)
		return false;
	*ret = m->boolean;
	return true;
}

bool
store_json_only_keys(const struct store_json_value *v,
		     const char *const *allowed, const char **ret_bad)
{
	size_t i;

	if (!v || v->type != STORE_JSON_OBJECT)
		return false;
	for (i = 0; i < v->n; i++) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, v->keys[i]) == 0)
				break;
		if (!*a) {
			if (ret_bad)
				*ret_bad = v->keys[i];
			return false;
		}
	}
	return true;
}

/* The magnitude of an integer literal (digits only, from i), or false
 * when it is not one or does not fit 64 bits. */
static bool
magnitude(const struct store_json_value *v, size_t i, uint64_t *ret)
{
	uint64_t x = 0;

	if (!v || v->type != STORE_JSON_NUMBER || i >= v->text_len)
		return false;
	for (; i < v->text_len; i++) {
		unsigned d;

		if (v->text[i] < '0' || v->text[i] > '9')
			return false;	/* a fraction or an exponent */
		d = (unsigned)(v->text[i] - '0');
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, d, &x))
			return false;
	}
	*ret = x;
	return true;
}

bool
store_json_to_u64(const struct store_json_value *v, uint64_t *ret)
{
	return magnitude(v, 0, ret);
}

bool
store_json_to_i64(const struct store_json_value *v, int64_t *ret)
{
	bool neg = v && v->type == STORE_JSON_NUMBER && v->text_len > 0 &&
		   v->text[0] == '-';
	uint64_t x;

	if (!magnitude(v, neg ? 1 : 0, &x))
		return false;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return false;
	/* -(INT64_MAX + 1) without signed overflow. */
	*ret = neg ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x)
		   : (int64_t)x;
	return true;
}

bool
store_json_get_u64(const struct store_json_value *v, const char *key,
		   uint64_t *ret)
{
	return store_json_to_u64(store_json_get(v, key), ret);
}

bool
store_json_get_i64(const struct store_json_value *v, const char *key,
		   int64_t *ret)
{
	return store_json_to_i64(store_json_get(v, key), ret);
}
