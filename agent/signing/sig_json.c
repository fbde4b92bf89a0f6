#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent/signing/sig_json.h"
#include "agent/signing/sig_limits.h"

/* A bounded cursor: nothing reads at or past len. */
struct cur {
	const unsigned char *p;
	size_t len, off;
	size_t values;		/* values created so far */
	enum sj_status err;
};

static void
ws(struct cur *c)
{
	while (c->off < c->len &&
	       (c->p[c->off] == ' ' || c->p[c->off] == '\t' ||
		c->p[c->off] == '\n' || c->p[c->off] == '\r'))
		c->off++;
}

static int
fail(struct cur *c, enum sj_status why)
{
	if (c->err == SJ_OK)
		c->err = why;
	return -1;
}

static bool
at(const struct cur *c, unsigned char ch)
{
	return c->off < c->len && c->p[c->off] == ch;
}

/* A growable byte buffer for decoded strings. */
struct buf {
	char *p;
	size_t n, cap;
};

static int
buf_put(struct buf *b, const void *src, size_t n)
{
	if (b->cap - b->n < n + 1) {
		size_t cap = b->cap ? b->cap : 32;
		char *np;

		while (cap - b->n < n + 1) {
			if (__builtin_mul_overflow(cap, 2, &cap))
				return -1;
		}
		np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static int
hex4(struct cur *c, unsigned *ret)
{
	unsigned v = 0;
	int i;

	if (c->len - c->off < 4)
		return fail(c, SJ_ERR_SYNTAX);
	for (i = 0; i < 4; i++) {
		unsigned char h = c->p[c->off + (size_t)i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return fail(c, SJ_ERR_SYNTAX);
	}
	c->off += 4;
	*ret = v;
	return 0;
}

static size_t
put_cp(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at the cursor (which is on the opening quote). */
static int
string(struct cur *c, char **ret, size_t *ret_len)
{
	struct buf b = {NULL, 0, 0};

	c->off++;
	if (buf_put(&b, "", 0) != 0)
		return fail(c, SJ_ERR_NOMEM);
	for (;;) {
		size_t run = c->off, k;

		/* Copy a run of plain characters at once. */
		while (c->off < c->len && c->p[c->off] != '"' &&
		       c->p[c->off] != '\\') {
			unsigned char ch = c->p[c->off];

			if (ch < 0x20)
				goto syntax;
			k = utf8_len(c->p + c->off, c->len - c->off);
			if (k == 0) {
				fail(c, SJ_ERR_UTF8);
				goto bad;
			}
			c->off += k;
		}
		if (c->off > run && buf_put(&b, c->p + run, c->off - run) != 0)
			goto nomem;
		if (c->off >= c->len)
			goto syntax;
		if (c->p[c->off] == '"') {
			c->off++;
			*ret = b.p;
			*ret_len = b.n;
			return 0;
		}
		/* A backslash escape. */
		c->off++;
		if (c->off >= c->len)
			goto syntax;
		{
			unsigned char e = c->p[c->off++], o[4];
			const char *simple = NULL;
			unsigned cp, lo;

			switch (e) {
			case '"': simple = "\""; break;
			case '\\': simple = "\\"; break;
			case '/': simple = "/"; break;
			case 'b': simple = "\b"; break;
			case 'f': simple = "\f"; break;
			case 'n': simple = "\n"; break;
			case 'r': simple = "\r"; break;
			case 't': simple = "\t"; break;
			case 'u': break;
			default: goto syntax;
			}
			if (simple) {
				if (buf_put(&b, simple, 1) != 0)
					goto nomem;
				continue;
			}
			if (hex4(c, &cp) != 0)
				goto bad;
			if (cp == 0) {
				/* Keys and names are C strings: a NUL
				 * would let two readers disagree. */
				fail(c, SJ_ERR_UTF8);
				goto bad;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(c, SJ_ERR_UTF8);
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (c->len - c->off < 2 ||
				    c->p[c->off] != '\\' ||
				    c->p[c->off + 1] != 'u') {
					fail(c, SJ_ERR_UTF8);
					goto bad;
				}
				c->off += 2;
				if (hex4(c, &lo) != 0)
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(c, SJ_ERR_UTF8);
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (buf_put(&b, o, put_cp(o, cp)) != 0)
				goto nomem;
		}
	}
syntax:
	fail(c, SJ_ERR_SYNTAX);
	goto bad;
nomem:
	fail(c, SJ_ERR_NOMEM);
bad:
	free(b.p);
	return -1;
}

/* RFC 8259 number grammar; the literal is kept as text. */
static int
number(struct cur *c, struct sj_value *v)
{
	size_t s = c->off;

	if (at(c, '-'))
		c->off++;
	if (at(c, '0')) {
		c->off++;
	} else if (c->off < c->len && c->p[c->off] >= '1' &&
		   c->p[c->off] <= '9') {
		while (c->off < c->len && c->p[c->off] >= '0' &&
		       c->p[c->off] <= '9')
			c->off++;
	} else {
		return fail(c, SJ_ERR_SYNTAX);
	}
	if (at(c, '.')) {
		c->off++;
		if (!(c->off < c->len && c->p[c->off] >= '0' &&
		      c->p[c->off] <= '9'))
			return fail(c, SJ_ERR_SYNTAX);
		while (c->off < c->len && c->p[c->off] >= '0' &&
		       c->p[c->off] <= '9')
			c->off++;
	}
	if (at(c, 'e') || at(c, 'E')) {
		c->off++;
		if (at(c, '+') || at(c, '-'))
			c->off++;
		if (!(c->off < c->len && c->p[c->off] >= '0' &&
		      c->p[c->off] <= '9'))
			return fail(c, SJ_ERR_SYNTAX);
		while (c->off < c->len && c->p[c->off] >= '0' &&
		       c->p[c->off] <= '9')
			c->off++;
	}
	v->text = strndup((const char *)c->p + s, c->off - s);
	if (!v->text)
		return fail(c, SJ_ERR_NOMEM);
	v->text_len = c->off - s;
	v->type = SJ_NUMBER;
	return 0;
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

static void value_clear(struct sj_value *v);

/* Appends a zeroed slot to v's items (and keys for objects). */
static int
grow(struct sj_value *v, size_t *cap, bool with_keys)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct sj_value *ni;

		if (nc < *cap)
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

static int parse_value(struct cur *c, struct sj_value *v, unsigned depth);

static int
parse_container(struct cur *c, struct sj_value *v, unsigned depth, bool obj)
{
	size_t cap = 0;
	unsigned char close = obj ? '}' : ']';

	v->type = obj ? SJ_OBJECT : SJ_ARRAY;
	if (depth >= SIG_JSON_MAX_DEPTH)
		return fail(c, SJ_ERR_LIMIT);
	c->off++;
	ws(c);
	if (at(c, close)) {
		c->off++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen, i;

		if (obj && v->n >= SIG_JSON_MAX_MEMBERS)
			return fail(c, SJ_ERR_LIMIT);
		if (grow(v, &cap, obj) != 0)
			return fail(c, SJ_ERR_NOMEM);
		if (obj) {
			ws(c);
			if (!at(c, '"'))
				return fail(c, SJ_ERR_SYNTAX);
			if (string(c, &key, &klen) != 0)
				return -1;
			for (i = 0; i < v->n; i++) {
				if (strcmp(v->keys[i], key) == 0) {
					free(key);
					return fail(c, SJ_ERR_DUPLICATE);
				}
			}
			v->keys[v->n] = key;
			ws(c);
			if (!at(c, ':')) {
				v->n++;	/* so the key is freed */
				return fail(c, SJ_ERR_SYNTAX);
			}
			c->off++;
		}
		v->n++;
		if (parse_value(c, &v->items[v->n - 1], depth + 1) != 0)
			return -1;
		ws(c);
		if (at(c, ',')) {
			c->off++;
			continue;
		}
		if (at(c, close)) {
			c->off++;
			return 0;
		}
		return fail(c, SJ_ERR_SYNTAX);
	}
}

static int
parse_value(struct cur *c, struct sj_value *v, unsigned depth)
{
	if (++c->values > SIG_JSON_MAX_VALUES)
		return fail(c, SJ_ERR_LIMIT);
	ws(c);
	if (c->off >= c->len)
		return fail(c, SJ_ERR_SYNTAX);
	switch (c->p[c->off]) {
	case '{':
		return parse_container(c, v, depth, true);
	case '[':
		return parse_container(c, v, depth, false);
	case '"':
		v->type = SJ_STRING;
		return string(c, &v->text, &v->text_len);
	case 't':
	case 'f':
		v->type = SJ_BOOL;
		v->boolean = c->p[c->off] == 't';
		if (!word(c, v->boolean ? "true" : "false"))
			return fail(c, SJ_ERR_SYNTAX);
		return 0;
	case 'n':
		v->type = SJ_NULL;
		if (!word(c, "null"))
			return fail(c, SJ_ERR_SYNTAX);
		return 0;
	default:
		return number(c, v);
	}
}

static void
value_clear(struct sj_value *v)
{
	size_t i;

	/* Depth is bounded by SIG_JSON_MAX_DEPTH, so recursion is too. */
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
sj_free(struct sj_value *v)
{
	if (!v)
		return;
	value_clear(v);
	free(v);
}

enum sj_status
sj_parse(const char *text, size_t len, struct sj_value **ret,
	 size_t *ret_offset)
{
	struct cur c = {(const unsigned char *)text, len, 0, 0, SJ_OK};
	struct sj_value *v;

	if (!text || !ret)
		return SJ_ERR_SYNTAX;
	if (len > SIG_MAX_BUNDLE) {
		if (ret_offset)
			*ret_offset = 0;
		return SJ_ERR_LIMIT;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return SJ_ERR_NOMEM;
	if (parse_value(&c, v, 0) == 0) {
		ws(&c);
		if (c.off != c.len)
			fail(&c, SJ_ERR_SYNTAX);	/* trailing garbage */
	}
	if (c.err != SJ_OK) {
		if (ret_offset)
			*ret_offset = c.off;
		sj_free(v);
		return c.err;
	}
	*ret = v;
	return SJ_OK;
}

const char *
sj_strerror(enum sj_status status)
{
	switch (status) {
	case SJ_OK: return "ok";
	case SJ_ERR_SYNTAX: return "JSON syntax error";
	case SJ_ERR_UTF8: return "invalid UTF-8 in JSON string";
	case SJ_ERR_DUPLICATE: return "duplicate key in JSON object";
	case SJ_ERR_LIMIT: return "JSON too large or too deeply nested";
	case SJ_ERR_NOMEM: return "out of memory";
	}
	return "unknown JSON error";
}

const struct sj_value *
sj_get(const struct sj_value *v, const char *key)
{
	size_t i;

	if (!v || v->type != SJ_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *
sj_get_str(const struct sj_value *v, const char *key)
{
	const struct sj_value *m = sj_get(v, key);

	return m && m->type == SJ_STRING ? m->text : NULL;
}

bool
sj_only_keys(const struct sj_value *v, const char *const *allowed,
	     const char **ret_bad)
{
	size_t i;

	if (!v || v->type != SJ_OBJECT)
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

bool
sj_to_u64(const struct sj_value *v, uint64_t *ret)
{
	uint64_t x = 0;
	size_t i;

	if (!v || v->type != SJ_NUMBER || v->text_len == 0)
		return false;
	for (i = 0; i < v->text_len; i++) {
		unsigned d;

		if (v->text[i] < '0' || v->text[i] > '9')
			return false;
		d = (unsigned)(v->text[i] - '0');
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, d, &x))
			return false;
	}
	*ret = x;
	return true;
}
