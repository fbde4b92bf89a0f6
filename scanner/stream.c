/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pw_limits.h"
#include "picklewarden.h"
#include "stream.h"

/* The window holds one maximal read plus one maximal line. */
#define WINDOW_CAP (PW_STREAM_WINDOW + PW_LINE_MAX + 1)

int
stream_init_source(struct stream *st, const struct source *src)
{
	memset(st, 0, sizeof(*st));
	st->err = PW_OK;
	if (src->mem != NULL) {
		/* Zero-copy: the window is the whole buffer. */
		st->win = src->mem;
		st->win_len = (size_t)src->size;
		st->eof = true;
		st->src = *src;
		st->from_source = true;
		st->src_next = src->size;
		return PW_OK;
	}
	st->buf = malloc(WINDOW_CAP);
	if (st->buf == NULL)
		return PW_ERR_NOMEM;
	st->win = st->buf;
	st->src = *src;
	st->from_source = true;
	return PW_OK;
}

int
stream_init_pull(struct stream *st, stream_pull_fn pull, void *arg)
{
	memset(st, 0, sizeof(*st));
	st->err = PW_OK;
	st->buf = malloc(WINDOW_CAP);
	if (st->buf == NULL)
		return PW_ERR_NOMEM;
	st->win = st->buf;
	st->pull = pull;
	st->pull_arg = arg;
	return PW_OK;
}

bool
stream_can_reopen(const struct stream *st)
{
	return st->from_source || st->reopen != NULL;
}

int
stream_reopen(const struct stream *st, struct stream *out)
{
	if (st->from_source)
		return stream_init_source(out, &st->src);
	if (st->reopen == NULL)
		return PW_ERR_INVALID;
	return st->reopen(st->reopen_arg, out);
}

void
stream_fini(struct stream *st)
{
	if (st->release != NULL) {
		st->release(st->pull_arg);
		st->release = NULL;
		st->pull_arg = NULL;
	}
	free(st->buf);
	st->buf = NULL;
	st->win = NULL;
	st->win_len = st->pos = 0;
}

/* Moves the unread tail to the front and fills the window; returns false
 * when nothing could be added. */
static bool
refill(struct stream *st)
{
	size_t keep, got = 0;
	int rc;

	if (st->eof || st->err != PW_OK || st->buf == NULL)
		return false;
	keep = st->win_len - st->pos;
	if (keep > 0 && st->pos > 0)
		memmove(st->buf, st->buf + st->pos, keep);
	st->win_off += st->pos;
	st->pos = 0;
	st->win_len = keep;
	if (keep == WINDOW_CAP)
		return false;
	if (st->from_source) {
		rc = source_read_some(&st->src, st->src_next, st->buf + keep,
				      WINDOW_CAP - keep, &got);
		st->src_next += got;
	} else {
		rc = st->pull(st->pull_arg, st->buf + keep, WINDOW_CAP - keep,
			      &got);
	}
	if (rc != PW_OK) {
		st->err = rc;
		st->eof = true;
		return false;
	}
	if (got == 0) {
		st->eof = true;
		return false;
	}
	st->win_len = keep + got;
	return true;
}

bool
stream_has(struct stream *st, uint64_t n)
{
	while ((uint64_t)(st->win_len - st->pos) < n) {
		if (st->buf == NULL || n > WINDOW_CAP) {
			/* Beyond the window: only a source can answer. */
			if (st->from_source)
				return st->src.size - stream_offset(st) >= n;
			return false;
		}
		if (!refill(st))
			return false;
	}
	return true;
}

bool
stream_peek(struct stream *st, size_t n, const uint8_t **ret)
{
	/* stream_has may answer from a source's size without filling the
	 * window: only bytes in the window can be pointed at. */
	if (!stream_has(st, n) || st->win_len - st->pos < n)
		return false;
	*ret = st->win + st->pos;
	return true;
}

bool
stream_peek_upto(struct stream *st, size_t max, const uint8_t **ret,
		 size_t *ret_len)
{
	size_t avail;

	(void)stream_has(st, max);
	avail = st->win_len - st->pos;
	if (avail == 0)
		return false;
	*ret = st->win + st->pos;
	*ret_len = avail < max ? avail : max;
	return true;
}

bool
stream_read_some(struct stream *st, size_t max, const uint8_t **ret,
		 size_t *ret_len)
{
	size_t n;

	if (!stream_has(st, 1) || st->win_len == st->pos)
		return false;
	n = st->win_len - st->pos;
	if (n > max)
		n = max;
	*ret = st->win + st->pos;
	st->pos += n;
	*ret_len = n;
	return true;
}

bool
stream_read_slow(struct stream *st, size_t n, const uint8_t **ret)
{
	size_t avail;

	for (;;) {
		avail = st->win_len - st->pos;
		if (avail >= n) {
			*ret = st->win + st->pos;
			st->pos += n;
			return true;
		}
		if (st->buf == NULL || n > WINDOW_CAP || !refill(st))
			break;
	}
	/* Short: consume what is there, as an unpickler would. */
	stream_skip(st, n);
	return false;
}

uint64_t
stream_skip(struct stream *st, uint64_t n)
{
	uint64_t done = 0, avail, rest;

	avail = st->win_len - st->pos;
	if (n <= avail) {
		st->pos += (size_t)n;
		return n;
	}
	done = avail;
	st->pos = st->win_len;
	rest = n - done;
	if (st->buf == NULL)	/* memory: the window was everything */
		return done;
	if (st->from_source) {
		/* Jump over the bytes without reading them. */
		uint64_t left = st->src.size - st->src_next;
		uint64_t jump = rest < left ? rest : left;

		st->win_off += st->win_len + jump;
		st->pos = st->win_len = 0;
		st->src_next += jump;
		return done + jump;
	}
	while (rest > 0 && refill(st)) {
		avail = st->win_len - st->pos;
		if (avail > rest)
			avail = (size_t)rest;
		st->pos += (size_t)avail;
		rest -= avail;
		done += avail;
	}
	return done;
}

bool
stream_readline(struct stream *st, const uint8_t **ret, size_t *ret_len,
		bool *ret_newline)
{
	size_t scanned = 0, total = 0;
	bool long_line = false;

	*ret = NULL;
	*ret_len = 0;
	*ret_newline = false;
	for (;;) {
		const uint8_t *p = st->win + st->pos;
		size_t avail = st->win_len - st->pos;
		const uint8_t *nl = NULL;

		if (scanned < avail)
			nl = memchr(p + scanned, '\n', avail - scanned);
		if (nl != NULL) {
			size_t len = (size_t)(nl - p) + 1;

			st->pos += len;
			total += len;
			*ret_len = total;
			*ret_newline = true;
			*ret = (long_line || total > PW_LINE_MAX) ? NULL : p;
			return true;
		}
		scanned = avail;
		if (avail > PW_LINE_MAX) {
			/* Too long to keep: consume it, remember its length. */
			long_line = true;
			total += avail;
			st->pos += avail;
			scanned = 0;
		}
		if (!refill(st)) {
			p = st->win + st->pos;
			avail = st->win_len - st->pos;
			total += avail;
			if (total == 0)
				return false;
			*ret = (long_line || total > PW_LINE_MAX) ? NULL : p;
			st->pos += avail;
			*ret_len = total;
			return true;
		}
	}
}

bool
stream_at_end(struct stream *st)
{
	return !stream_has(st, 1);
}
