/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/store/escape.h"
#include "agent/store/json_writer.h"

struct json_level {
	bool object;		/* object (keys) or array */
	bool lines;		/* one member a line */
	size_t count;		/* members written so far */
};

struct store_json_writer {
	FILE *f;		/* open_memstream over buf */
	char *buf;
	size_t len;
	struct json_level level[STORE_JSON_WRITER_MAX_DEPTH];
	size_t depth;		/* open containers */
	bool key_pending;	/* a key was written, its value is due */
	bool done;		/* the top-level value is complete */
	int err;		/* sticky errno, 0 while all is well */
};

struct store_json_writer *
store_json_writer_new(void)
{
	struct store_json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = open_memstream(&w->buf, &w->len);
	if (!w->f) {
		free(w);
		return NULL;
	}
	return w;
}

void
store_json_writer_free(struct store_json_writer *w)
{
	if (!w)
		return;
	fclose(w->f);
	free(w->buf);
	free(w);
}

static void
indent(struct store_json_writer *w, size_t n)
{
	fputc('\n', w->f);
	while (n--)
		fputs("  ", w->f);
}

/* Before any value: checks that one may come here and writes the
 * separator.  False (and the writer failed) when it may not. */
static bool
value_start(struct store_json_writer *w)
{
	struct json_level *l;

	if (w->err)
		return false;
	if (w->depth == 0) {
		if (w->done) {
			w->err = EINVAL;	/* a second top-level value */
			return false;
		}
		return true;
	}
	l = &w->level[w->depth - 1];
	if (l->object) {
		/* In an object only a key's value: the key did the
		 * separator. */
		if (!w->key_pending) {
			w->err = EINVAL;
			return false;
		}
		w->key_pending = false;
		return true;
	}
	if (l->count)
		fputc(',', w->f);
	if (l->lines)
		indent(w, w->depth);
	else if (l->count)
		fputc(' ', w->f);
	l->count++;
	return true;
}

/* After a value: the document is complete when it was the top one. */
static void
value_end(struct store_json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void
begin(struct store_json_writer *w, bool object)
{
	if (!value_start(w))
		return;
	if (w->depth == STORE_JSON_WRITER_MAX_DEPTH) {
		w->err = EINVAL;
		return;
	}
	w->level[w->depth].object = object;
	w->level[w->depth].lines = w->depth < STORE_JSON_WRITER_LINES;
	w->level[w->depth].count = 0;
	w->depth++;
	fputc(object ? '{' : '[', w->f);
}

static void
end(struct store_json_writer *w, bool object)
{
	struct json_level *l;

	if (w->err)
		return;
	if (w->depth == 0 || w->key_pending ||
	    w->level[w->depth - 1].object != object) {
		w->err = EINVAL;
		return;
	}
	l = &w->level[--w->depth];
	if (l->lines && l->count)
		indent(w, w->depth);
	fputc(object ? '}' : ']', w->f);
	value_end(w);
}

void
store_json_object_begin(struct store_json_writer *w)
{
	begin(w, true);
}

void
store_json_object_end(struct store_json_writer *w)
{
	end(w, true);
}

void
store_json_array_begin(struct store_json_writer *w)
{
	begin(w, false);
}

void
store_json_array_end(struct store_json_writer *w)
{
	end(w, false);
}

void
store_json_key(struct store_json_writer *w, const char *key)
{
	struct json_level *l;

	if (w->err)
		return;
	if (w->depth == 0 || !w->level[w->depth - 1].object ||
	    w->key_pending || !key) {
		w->err = EINVAL;
		return;
	}
	l = &w->level[w->depth - 1];
	if (l->count)
		fputc(',', w->f);
	if (l->lines)
		indent(w, w->depth);
	else if (l->count)
		fputc(' ', w->f);
	l->count++;
	escape_json_write(w->f, key);
	fputs(": ", w->f);
	w->key_pending = true;
}

void
store_json_str(struct store_json_writer *w, const char *s)
{
	if (!value_start(w))
		return;
	if (s)
		escape_json_write(w->f, s);
	else
		fputs("null", w->f);
	value_end(w);
}

void
store_json_hex(struct store_json_writer *w, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	size_t i;

	if (!value_start(w))
		return;
	fputc('"', w->f);
	for (i = 0; i < len; i++)
		fprintf(w->f, "%02x", p[i]);
	fputc('"', w->f);
	value_end(w);
}

void
store_json_u64(struct store_json_writer *w, uint64_t v)
{
	if (!value_start(w))
		return;
	fprintf(w->f, "%" PRIu64, v);
	value_end(w);
}

void
store_json_i64(struct store_json_writer *w, int64_t v)
{
	if (!value_start(w))
		return;
	fprintf(w->f, "%" PRId64, v);
	value_end(w);
}

void
store_json_null(struct store_json_writer *w)
{
	store_json_str(w, NULL);
}

void
store_json_member_str(struct store_json_writer *w, const char *key,
		      const char *s)
{
	store_json_key(w, key);
	store_json_str(w, s);
}

void
store_json_member_u64(struct store_json_writer *w, const char *key, uint64_t v)
{
	store_json_key(w, key);
	store_json_u64(w, v);
}

void
store_json_member_i64(struct store_json_writer *w, const char *key, int64_t v)
{
	store_json_key(w, key);
	store_json_i64(w, v);
}

int
store_json_writer_finish(struct store_json_writer *w, char **ret_buf,
			 size_t *ret_len)
{
	int err;

	if (!w) {
		errno = ENOMEM;
		return -1;
	}
	err = w->err;
	if (!err && !w->done)
		err = EINVAL;
	if (!err)
		fputc('\n', w->f);
	/* fclose flushes the memstream: it fails only when out of memory. */
	if (fclose(w->f) != 0 && !err)
		err = ENOMEM;
	if (err) {
		free(w->buf);
		free(w);
		errno = err;
		return -1;
	}
	*ret_buf = w->buf;
	*ret_len = w->len;
	free(w);
	return 0;
}
