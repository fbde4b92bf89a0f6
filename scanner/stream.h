/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream.h - a sequential, bounds-checked reader over a source (memory or
 * file range) or over a pull function (a decompressor).  Parsers of
 * sequential formats (pickle) read only through it.  Reads of up to
 * PW_STREAM_WINDOW bytes return a pointer into a window that stays valid
 * until the next call; longer runs of bytes are skipped, never buffered.
 */
#ifndef PW_STREAM_H
#define PW_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/*
 * A pull function fills dst with up to want bytes and sets *ret_got; 0 bytes
 * means the end.  It returns PW_OK or an error status (which becomes the
 * stream's sticky error).
 */
typedef int (*stream_pull_fn)(void *arg, uint8_t *dst, size_t want,
			      size_t *ret_got);

/*
 * Sets up out to read a pull stream's bytes again from their start (a
 * decompressor started again on its input, itself read again): PW_OK or
 * an error status.  out owns what it set up; stream_fini releases it.
 */
struct stream;
typedef int (*stream_reopen_fn)(const void *arg, struct stream *out);

struct stream {
	const uint8_t *win;	/* current window */
	size_t win_len;		/* valid bytes in win */
	size_t pos;		/* read position in win */
	uint64_t win_off;	/* stream offset of win[0] */
	uint8_t *buf;		/* owned window buffer (NULL for memory) */
	struct source src;	/* when reading a source */
	uint64_t src_next;	/* next source offset to fill from */
	bool from_source;
	stream_pull_fn pull;	/* when reading a pull function */
	void *pull_arg;
	/* A pull stream that owns pull_arg frees it here (stream_fini). */
	void (*release)(void *pull_arg);
	/* A pull stream that can be read again (see stream_reopen). */
	stream_reopen_fn reopen;
	const void *reopen_arg;
	bool eof;		/* nothing more below the window */
	int err;		/* sticky error status, PW_OK when none */
};

/* Returns PW_OK or PW_ERR_NOMEM; stream_fini releases the window. */
int stream_init_source(struct stream *st, const struct source *src);
int stream_init_pull(struct stream *st, stream_pull_fn pull, void *arg);
void stream_fini(struct stream *st);

/*
 * Whether st's bytes can be read again from the start (a source, or a
 * decompressor over a stream that can), and that second reading: out
 * starts at offset 0 of the same bytes.  Loaders that read a file twice
 * in different ways (pickle.load and joblib.load) are followed that way
 * through a decompressor too.
 */
bool stream_can_reopen(const struct stream *st);
int stream_reopen(const struct stream *st, struct stream *out);

/* Offset of the next byte to read. */
static inline uint64_t
stream_offset(const struct stream *st)
{
	return st->win_off + st->pos;
}

/*
 * Reads exactly n bytes (n <= PW_STREAM_WINDOW unless the stream is a memory
 * source).  On success *ret points at them.  On a short stream it returns
 * false and consumes what was there, like an unpickler that fails to read.
 */
bool stream_read_slow(struct stream *st, size_t n, const uint8_t **ret);

static inline bool
stream_read(struct stream *st, size_t n, const uint8_t **ret)
{
	/* The hot path of every parser: the bytes are in the window. */
	if (st->win_len - st->pos >= n) {
		*ret = st->win + st->pos;
		st->pos += n;
		return true;
	}
	return stream_read_slow(st, n, ret);
}
/* True when at least n more bytes can be read (does not consume them). */
bool stream_has(struct stream *st, uint64_t n);
/* Skips up to n bytes without buffering them; returns how many it skipped. */
uint64_t stream_skip(struct stream *st, uint64_t n);
/*
 * Reads a line up to and including '\n', or to the end of the stream.
 * *ret_len is the line's full length; *ret_newline says whether it ended
 * with '\n'.  A line longer than PW_LINE_MAX is consumed whole and *ret is
 * NULL.  Returns false only when no byte at all was left.
 */
bool stream_readline(struct stream *st, const uint8_t **ret, size_t *ret_len,
		     bool *ret_newline);
/*
 * Checked peeks: the only way to look at bytes without consuming them (no
 * parser reads the window directly).  stream_peek gives exactly n bytes
 * (n <= PW_STREAM_WINDOW) or returns false; stream_peek_upto makes up to
 * max bytes visible and says how many (false when none is left).  Both
 * leave the position alone; *ret is valid until the next call.
 */
bool stream_peek(struct stream *st, size_t n, const uint8_t **ret);
bool stream_peek_upto(struct stream *st, size_t max, const uint8_t **ret,
		      size_t *ret_len);
/*
 * Consumes what the window holds now, up to max bytes (refilling it first
 * when it is empty): for decompressors and copies that take input in
 * whatever chunks come.  False only at the end of the stream.
 */
bool stream_read_some(struct stream *st, size_t max, const uint8_t **ret,
		      size_t *ret_len);
/* True when no byte is left. */
bool stream_at_end(struct stream *st);

#endif
