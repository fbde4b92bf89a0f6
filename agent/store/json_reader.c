/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store/json_reader.h"
#include "agent/store/utf8.h"

/* A bounded cursor over the input: nothing reads past len. */
struct cur {
	const char *p;
	size_t len, off;
};

static void
ws(struct cur *c)
{
	while (c->off < c->len && (c->p[c->off] == ' ' || c->p[c->off] == '\t' ||
				   c->p[c->off] == '\n' || c->p[c->off] == '\r'))
		c->off++;
}

static bool
peek(struct cur *c, char ch)
{
	ws(c);
	return c->off < c->len && c->p[c->off] == ch;
}

static bool
eat(struct cur *c, char ch)
{
	if (!peek(c, ch))
		return false;
	c->off++;
	return true;
}

static bool
literal(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if (c->len - c->off < n || memcmp(c->p + c->off, word, n) != 0)
		return false;
	c->off += n;
	return true;
}

static int
hex4(struct cur *c, unsigned *ret)
{
	unsigned v = 0;
	int i;

	if (c->len - c->off < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char h = c->p[c->off + (size_t)i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	c->off += 4;
	*ret = v;
	return 0;
}

/* A string literal; the decoded text is never longer than the literal. */
static char *
string(struct cur *c)
{
	size_t start, n = 0;
	char *out;

	if (!eat(c, '"'))
		return NULL;
	start = c->off;
	while (c->off < c->len && c->p[c->off] != '"') {
		if (c->p[c->off] == '\\')
			c->off++;
		c->off++;
	}
	if (c->off >= c->len)
		return NULL;
	/* Decoded size <= literal size (+1 NUL): escapes only shrink. */
	out = malloc(c->off - start + 1);
	if (!out)
		return NULL;
	c->off = start;
	while (c->p[c->off] != '"') {
		unsigned char ch = (unsigned char)c->p[c->off++];
		unsigned cp, lo;

		if (ch < 0x20)
			goto bad;
		if (ch != '\\') {
			out[n++] = (char)ch;
			continue;
		}
		ch = (unsigned char)c->p[c->off++];
		switch (ch) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (hex4(c, &cp) != 0 || cp == 0)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (!literal(c, "\\u") || hex4(c, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			/* "\uXXXX" is 6 bytes (12 for a pair), its UTF-8 at
			 * most 3 (4): the buffer stays big enough. */
			n += store_utf8_encode(out + n, cp);
			break;
		default:
			goto bad;
		}
	}
	c->off++;
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int value(struct cur *c, struct store_json_value *v, int depth);

static void
value_clear(struct store_json_value *v)
{
	size_t i;

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

static int
push(struct store_json_value *v, char *key)
{
	struct store_json_value *items;

	items = reallocarray(v->items, v->n + 1, sizeof(*items));
	if (!items)
		return -1;
	v->items = items;
	memset(&items[v->n], 0, sizeof(items[0]));
	if (v->type == STORE_JSON_OBJECT) {
		char **keys = reallocarray(v->keys, v->n + 1, sizeof(*keys));

		if (!keys)
			return -1;
		v->keys = keys;
		keys[v->n] = key;
	}
	v->n++;
	return 0;
}

static int
container(struct cur *c, struct store_json_value *v, int depth, bool object)
{
	char close = object ? '}' : ']';

	v->type = object ? STORE_JSON_OBJECT : STORE_JSON_ARRAY;
	if (eat(c, close))
		return 0;
	for (;;) {
		char *key = NULL;

		if (object) {
			ws(c);
			key = string(c);
			if (!key || !eat(c, ':')) {
				free(key);
				return -1;
			}
		}
		if (push(v, key) != 0) {
			free(key);
			return -1;
		}
		if (value(c, &v->items[v->n - 1], depth + 1) != 0)
			return -1;
		if (eat(c, ','))
			continue;
		return eat(c, close) ? 0 : -1;
	}
}

static int
value(struct cur *c, struct store_json_value *v, int depth)
{
	size_t start;

	if (depth > STORE_JSON_MAX_DEPTH)
		return -1;
	ws(c);
	if (c->off >= c->len)
		return -1;
	switch (c->p[c->off]) {
	case '{':
		c->off++;
		return container(c, v, depth, true);
	case '[':
		c->off++;
		return container(c, v, depth, false);
	case '"':
		v->type = STORE_JSON_STRING;
		v->text = string(c);
		return v->text ? 0 : -1;
	case 't':
		v->type = STORE_JSON_BOOL;
		v->boolean = true;
		return literal(c, "true") ? 0 : -1;
	case 'f':
		v->type = STORE_JSON_BOOL;
		return literal(c, "false") ? 0 : -1;
	case 'n':
		v->type = STORE_JSON_NULL;
		return literal(c, "null") ? 0 : -1;
	}
	start = c->off;
	if (c->p[c->off] == '-')
		c->off++;
	while (c->off < c->len &&
	       ((c->p[c->off] >= '0' && c->p[c->off] <= '9') ||
		c->p[c->off] == '.' || c->p[c->off] == 'e' ||
		c->p[c->off] == 'E' || c->p[c->off] == '+' ||
		c->p[c->off] == '-'))
		c->off++;
	if (c->off == start || (c->off == start + 1 && c->p[start] == '-'))
		return -1;
	v->type = STORE_JSON_NUMBER;
	v->text = strndup(c->p + start, c->off - start);
	return v->text ? 0 : -1;
}

struct store_json_value *
store_json_parse(const char *text, size_t len)
{
	struct cur c = {text, len, 0};
	struct store_json_value *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	if (value(&c, v, 0) != 0)
		goto fail;
	ws(&c);
	if (c.off != c.len)
		goto fail;
	return v;
fail:
	store_json_free(v);
	return NULL;
}

void
store_json_free(struct store_json_value *v)
{
	if (!v)
		return;
	value_clear(v);
	free(v);
}

const struct store_json_value *
store_json_get(const struct store_json_value *v, const char *key)
{
	size_t i;

	if (!v || v->type != STORE_JSON_OBJECT)
		return NULL;
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
store_json_get_i64(const struct store_json_value *v, const char *key,
		   int64_t *ret)
{
	const struct store_json_value *m = store_json_get(v, key);
	char *end;
	long long x;

	if (!m || m->type != STORE_JSON_NUMBER)
		return false;
	errno = 0;
	x = strtoll(m->text, &end, 10);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}

bool
store_json_get_u64(const struct store_json_value *v, const char *key,
		   uint64_t *ret)
{
	const struct store_json_value *m = store_json_get(v, key);
	char *end;
	unsigned long long x;

	if (!m || m->type != STORE_JSON_NUMBER || m->text[0] == '-')
		return false;
	errno = 0;
	x = strtoull(m->text, &end, 10);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}
