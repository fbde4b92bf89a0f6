/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codecs.c - the decoders of container data: deflate (zip members, zlib
 * and gzip streams) through zlib, zip members libzip decodes for us
 * (bzip2...), and zip LZMA members (method 14) through liblzma.  Each is a
 * stream_pull_fn whose every output byte counts against the decompression
 * caps.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zip.h>

#include "container/internal.h"
#include "container/zip_internal.h"

/* Compressed bytes handed to zlib at a time. */
#define ZINF_CHUNK 65536

int
zinf_init(struct zinflate *z, struct scan_ctx *ctx, struct stream *in,
	  enum zinf_mode mode, const char *what)
{
	int wbits;

	memset(z, 0, sizeof(*z));
	z->ctx = ctx;
	z->in = in;
	z->mode = mode;
	z->what = what;
	z->in_start = stream_offset(in);
	z->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	wbits = mode == ZINF_RAW ? -15 : mode == ZINF_GZIP ? 15 + 16 : 15;
	if (inflateInit2(&z->zs, wbits) != Z_OK)
		return PW_ERR_NOMEM;
	z->ready = true;
	return PW_OK;
}

void
zinf_fini(struct zinflate *z)
{
	if (z->ready)
		inflateEnd(&z->zs);
	z->ready = false;
}

/* Input bytes consumed so far: the input stream only ever moves past what
 * zlib has eaten, so that what follows a stream is still there to read. */
static uint64_t
zinf_in_used(const struct zinflate *z)
{
	return stream_offset(z->in) - z->in_start;
}

/* zlib's header: deflate, a window of at most 32 KiB, the check bits. */
static bool
zlib_header(const uint8_t *p)
{
	return (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 &&
	       ((p[0] << 8) | p[1]) % 31 == 0;
}

/*
 * After one stream ends: does the reader go on with another?  Python's gzip
 * skips NUL padding and reads every member that starts with the magic (and
 * raises on anything else); joblib's zlib reader starts a new decompressor
 * on what follows and stops quietly where that fails.  What is left unread
 * is marked `trailing`, for the caller to judge.
 */
static bool
zinf_next_stream(struct zinflate *z)
{
	const uint8_t *p;
	size_t n, i;

	if (z->mode == ZINF_GZIP)
		while (stream_peek_upto(z->in, ZINF_CHUNK, &p, &n)) {
			for (i = 0; i < n && p[i] == 0; i++)
				;
			(void)stream_skip(z->in, i);
			if (i < n)
				break;
		}
	if (!stream_peek_upto(z->in, 2, &p, &n))
		return false;		/* the input ends here: done */
	if (n >= 2 &&
	    (z->mode == ZINF_GZIP ? p[0] == 0x1f && p[1] == 0x8b
				  : zlib_header(p)) &&
	    inflateReset(&z->zs) == Z_OK)
		return true;
	z->trailing = true;
	return false;
}

int
zinf_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct zinflate *z = arg;
	size_t got = 0;
	uint64_t used;
	int zr;

	*ret_got = 0;
	if (z->done || !z->ready || want == 0)
		return PW_OK;
	if (want > UINT32_MAX)
		want = UINT32_MAX;
	z->zs.next_out = dst;
	z->zs.avail_out = (uInt)want;
	while (z->zs.avail_out > 0) {
		const uint8_t *p;
		size_t n;

		/* zlib sees the input in place and the stream moves only
		 * past what it consumed. */
		if (!stream_peek_upto(z->in, ZINF_CHUNK, &p, &n)) {
			/* Input ended before the compressed data did. */
			z->corrupt = true;
			z->done = true;
			break;
		}
		z->zs.next_in = (Bytef *)(uintptr_t)p;
		z->zs.avail_in = (uInt)n;
		zr = inflate(&z->zs, Z_NO_FLUSH);
		(void)stream_skip(z->in, n - z->zs.avail_in);
		z->zs.avail_in = 0;
		z->zs.next_in = NULL;
		if (zr == Z_STREAM_END) {
			if (z->mode != ZINF_RAW && zinf_next_stream(z))
				continue;
			z->done = true;
			break;
		}
		if (zr == Z_BUF_ERROR)
			continue;	/* needs more input */
		if (zr != Z_OK) {
			if (zr == Z_MEM_ERROR)
				return PW_ERR_NOMEM;
			z->corrupt = true;
			z->done = true;
			break;
		}
	}
	got = want - z->zs.avail_out;
	if (z->corrupt)
		scan_report(z->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
			    z->out_total + got,
			    "%s: compressed data is corrupt or truncated; "
			    "the loader fails here", z->what);
	z->crc = (uint32_t)crc32(z->crc, dst, (uInt)got);
	z->out_total += got;
	used = zinf_in_used(z);
	if (!scan_account_decompressed(z->ctx, got, used - z->in_accounted,
				       z->out_total) ||
	    !container_stream_ratio_ok(z->ctx, z->out_total, used,
				       z->out_total)) {
		z->capped = true;
		z->done = true;
		got = 0;	/* nothing past the cap is looked at */
	}
	z->in_accounted = used;
	*ret_got = got;
	return PW_OK;
}

/* A member libzip decompresses for us, read as a stream: every output
 * byte is counted against the decompression caps. */
struct zfread {
	zip_file_t *zf;
	struct scan_ctx *ctx;
	uint64_t in_left;	/* compressed bytes not yet accounted */
	bool capped;
	bool failed;
	uint64_t got;		/* decompressed bytes delivered */
};

static int
zfread_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct zfread *z = arg;
	zip_int64_t n;

	*ret_got = 0;
	if (z->capped)
		return PW_OK;
	n = zip_fread(z->zf, dst, want);
	if (n < 0)
		z->failed = true;	/* corrupt data or a CRC mismatch */
	if (n <= 0)
		return PW_OK;
	if (!scan_account_decompressed(z->ctx, (uint64_t)n, z->in_left, 0)) {
		z->capped = true;
		return PW_OK;
	}
	z->in_left = 0;
	z->got += (uint64_t)n;
	*ret_got = (size_t)n;
	return PW_OK;
}

int
pwz_codec_libzip(struct scan_ctx *ctx, const struct pwz_member *m,
		 pwz_scan_fn scan, void *arg)
{
	struct zfread z = {.ctx = ctx, .in_left = m->csize};
	struct stream out;
	int rc;

	z.zf = zip_fopen_index(m->za, m->index, 0);
	if (z.zf == NULL) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "zip member compressed with method %u cannot be "
			    "opened; not analysed", m->method);
		return PW_OK;
	}
	rc = stream_init_pull(&out, zfread_pull, &z);
	if (rc == PW_OK) {
		rc = scan(ctx, &out, arg);
		if (rc == PW_OK && out.err != PW_OK)
			rc = out.err;
		stream_fini(&out);
	}
	zip_fclose(z.zf);
	/* A decoder that fails before the data's end leaves the rest
	 * unread: what a loader might still get from it is not cleared. */
	if (rc == PW_OK && z.failed && z.got < m->usize)
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, z.got,
			    "zip member (method %u) could not be decompressed "
			    "past byte %llu; the rest was not analysed",
			    m->method, (unsigned long long)z.got);
	return rc;
}

/*
 * LZMA members (method 14), which Python's zipfile - and so numpy.load -
 * reads and libzip 1.7 does not: 2 bytes of encoder version, 2 bytes of
 * properties length, the LZMA1 properties, then raw LZMA1 data.
 */
#define ZIP_LZMA_HEADER 9

struct zlzma {
	lzma_stream strm;
	struct source in;	/* the compressed bytes after the header */
	uint64_t in_off;
	struct scan_ctx *ctx;
	uint64_t out_left;	/* the central directory's size: never more */
	bool failed, capped;
	uint64_t got;
	uint8_t buf[65536];
};

static int
zlzma_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct zlzma *z = arg;
	lzma_ret lr;
	size_t before_in;

	*ret_got = 0;
	if (z->failed || z->capped || z->out_left == 0)
		return PW_OK;
	if (want > z->out_left)
		want = (size_t)z->out_left;
	z->strm.next_out = dst;
	z->strm.avail_out = want;
	while (z->strm.avail_out == want) {
		if (z->strm.avail_in == 0 && z->in_off < z->in.size) {
			size_t n = sizeof(z->buf), got;
			int rc;

			if ((uint64_t)n > z->in.size - z->in_off)
				n = (size_t)(z->in.size - z->in_off);
			rc = source_read_some(&z->in, z->in_off, z->buf, n, &got);
			if (rc != PW_OK)
				return rc;
			z->in_off += got;
			z->strm.next_in = z->buf;
			z->strm.avail_in = got;
		}
		before_in = z->strm.avail_in;
		lr = lzma_code(&z->strm, z->strm.avail_in ? LZMA_RUN : LZMA_FINISH);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr != LZMA_OK) {
			z->failed = true;
			break;
		}
		if (before_in == 0 && z->strm.avail_out == want)
			break;	/* no input left and nothing produced */
	}
	*ret_got = want - z->strm.avail_out;
	if (*ret_got > 0 &&
	    !scan_account_decompressed(z->ctx, *ret_got,
				       z->got == 0 ? z->in.size : 0, 0)) {
		z->capped = true;
		*ret_got = 0;
		return PW_OK;
	}
	z->got += *ret_got;
	z->out_left -= *ret_got;
	return PW_OK;
}

int
pwz_codec_lzma(struct scan_ctx *ctx, const struct source *src,
	       const struct pwz_member *m, pwz_scan_fn scan,
	       void *arg)
{
	uint8_t hdr[ZIP_LZMA_HEADER];
	lzma_filter filters[2];
	struct zlzma *z;
	struct stream out;
	int rc;

	if (m->csize < ZIP_LZMA_HEADER ||
	    source_read(src, m->data_off, hdr, sizeof(hdr)) != PW_OK ||
	    hdr[2] != 5 || hdr[3] != 0) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "zip LZMA member has a bad header; not analysed");
		return PW_OK;
	}
	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return PW_ERR_NOMEM;
	filters[0].id = LZMA_FILTER_LZMA1;
	filters[0].options = NULL;
	filters[1].id = LZMA_VLI_UNKNOWN;
	if (lzma_properties_decode(&filters[0], NULL, hdr + 4, 5) != LZMA_OK ||
	    lzma_raw_decoder(&z->strm, filters) != LZMA_OK) {
		free(filters[0].options);
		free(z);
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "zip LZMA member has bad properties; not analysed");
		return PW_OK;
	}
	free(filters[0].options);
	(void)source_slice(src, m->data_off + ZIP_LZMA_HEADER,
			   m->csize - ZIP_LZMA_HEADER, &z->in);
	z->ctx = ctx;
	z->out_left = m->usize;
	rc = stream_init_pull(&out, zlzma_pull, z);
	if (rc == PW_OK) {
		rc = scan(ctx, &out, arg);
		if (rc == PW_OK && out.err != PW_OK)
			rc = out.err;
		stream_fini(&out);
	}
	if (rc == PW_OK && z->failed && z->got < m->usize)
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, z->got,
			    "zip LZMA member could not be decompressed past "
			    "byte %llu; the rest was not analysed",
			    (unsigned long long)z->got);
	lzma_end(&z->strm);
	free(z);
	return rc;
}
