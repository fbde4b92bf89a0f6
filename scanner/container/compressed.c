/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compressed.c - single compressed streams: gzip, zlib, bzip2, xz, lzma
 * ("alone"), zstd, lz4 frames and joblib's old "ZF" zlib files.
 *
 * joblib.load sniffs every compressor it supports and unpickles the
 * decompressed bytes; pandas.read_pickle and plain users wrap pickles in
 * gzip/bz2/xz/zstd.  The decompressed content is sniffed and scanned like
 * any file (a pickle, a tar, an npy...), one level deeper.
 *
 * zlib and gzip go through zlib; the others through libarchive's filters
 * (raw format + the one filter sniffed), which Debian builds with bzip2,
 * xz/lzma, lz4 and zstd.  Every output byte is accounted against the decompression caps
 * (absolute and ratio) before anything looks at it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include "container/container.h"
#include "container/internal.h"

/* joblib < 0.10: "ZF" + the length as "0x..." padded to 19 chars. */
#define JOBLIB_ZF_HEADER (2 + 19)
/* Compressed bytes given to libarchive per read callback. */
#define LA_CHUNK 65536

static int scan_trailing(struct scan_ctx *ctx, struct stream *in,
			 bool raises, const char *what);
struct la_pull;
static bool la_open(struct la_pull *lp, enum pw_format fmt, bool quiet);

struct la_pull {
	struct scan_ctx *ctx;
	struct stream *in;
	struct archive *a;
	uint64_t in_total;	/* compressed bytes handed to libarchive */
	uint64_t in_accounted;
	uint64_t out_total;
	bool done;
	const char *what;
};

static la_ssize_t
la_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct la_pull *lp = ud;
	const uint8_t *p;
	size_t n;

	(void)a;
	if (!stream_read_some(lp->in, LA_CHUNK, &p, &n))
		return 0;
	*buf = p;
	lp->in_total += n;
	return (la_ssize_t)n;
}

static int
la_pull_fn(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct la_pull *lp = arg;
	la_ssize_t n;

	*ret_got = 0;
	if (lp->done || want == 0)
		return PW_OK;
	n = archive_read_data(lp->a, dst, want);
	if (n < 0) {
		lp->done = true;
		scan_report(lp->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
			    lp->out_total,
			    "%s: compressed data is corrupt or truncated (%s); "
			    "the loader fails here", lp->what,
			    archive_error_string(lp->a) ? archive_error_string(lp->a)
							: "error");
		return PW_OK;
	}
	if (n == 0) {
		lp->done = true;
		return PW_OK;
	}
	lp->out_total += (uint64_t)n;
	if (!scan_account_decompressed(lp->ctx, (uint64_t)n,
				       lp->in_total - lp->in_accounted,
				       lp->out_total) ||
	    !container_stream_ratio_ok(lp->ctx, lp->out_total, lp->in_total,
				       lp->out_total)) {
		lp->done = true;
		return PW_OK;
	}
	lp->in_accounted = lp->in_total;
	*ret_got = (size_t)n;
	return PW_OK;
}

/*
 * .xz and .lzma ("alone") streams, as joblib's "xz"/"lzma" compressors and
 * pandas' xz reader (LZMAFile) read them, through liblzma: Python's reader
 * starts a new decoder on whatever follows the end of a stream, so
 * concatenated streams all decode (libarchive's lzma filter stops after
 * the first), and it delivers what a truncated stream decodes to before it
 * raises (libarchive's filters deliver nothing), so we hand that prefix on
 * too.  What cannot start a new stream (no xz magic; an .lzma properties
 * byte over 224) is trailing data, which Python ignores.
 */
#define LZ_ALONE_HEADER 13
/* Dictionary memory we let one stream ask for; a real joblib file uses
 * 8 MiB (preset 3) to 64 MiB (preset 9). */
#define LZ_MEMLIMIT (512ULL << 20)

struct lz_alone {
	bool xz;		/* .xz streams, else .lzma (alone) */
	struct scan_ctx *ctx;
	struct stream *in;
	lzma_stream strm;
	uint64_t in_start, in_accounted, out_total;
	bool ready, done, corrupt, trailing;
	const char *what;
};

static bool
lz_alone_start(struct lz_alone *lz)
{
	const uint8_t *p;
	size_t n;

	if (!stream_peek_upto(lz->in, LZ_ALONE_HEADER, &p, &n))
		return false;	/* the input ends: done */
	if (lz->xz ? n < 6 || memcmp(p, "\xfd" "7zXZ\0", 6) != 0
		   : n < LZ_ALONE_HEADER || p[0] > 224) {
		lz->trailing = true;
		return false;
	}
	/* The decoders reset a stream in place and keep the caller's output
	 * buffer (next_out, avail_out). */
	if ((lz->xz ? lzma_stream_decoder(&lz->strm, LZ_MEMLIMIT, 0)
		    : lzma_alone_decoder(&lz->strm, LZ_MEMLIMIT)) != LZMA_OK) {
		lz->corrupt = true;
		return false;
	}
	return true;
}

static int
lz_alone_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct lz_alone *lz = arg;
	uint64_t used;
	size_t got;

	*ret_got = 0;
	if (lz->done || want == 0)
		return PW_OK;
	lz->strm.next_out = dst;
	lz->strm.avail_out = want;
	while (lz->strm.avail_out > 0) {
		const uint8_t *p;
		size_t n;
		lzma_ret lr;

		if (!stream_peek_upto(lz->in, LA_CHUNK, &p, &n)) {
			lz->corrupt = true;	/* no end of stream */
			lz->done = true;
			break;
		}
		lz->strm.next_in = p;
		lz->strm.avail_in = n;
		lr = lzma_code(&lz->strm, LZMA_RUN);
		(void)stream_skip(lz->in, n - lz->strm.avail_in);
		lz->strm.avail_in = 0;
		if (lr == LZMA_STREAM_END) {
			if (lz_alone_start(lz))
				continue;
			lz->done = true;
			break;
		}
		if (lr == LZMA_MEM_ERROR)
			return PW_ERR_NOMEM;
		if (lr != LZMA_OK && lr != LZMA_BUF_ERROR) {
			lz->corrupt = true;
			lz->done = true;
			break;
		}
	}
	got = want - lz->strm.avail_out;
	if (lz->corrupt)
		scan_report(lz->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
			    lz->out_total + got,
			    "%s: compressed data is corrupt or truncated; "
			    "the loader fails here", lz->what);
	lz->out_total += got;
	used = stream_offset(lz->in) - lz->in_start;
	if (!scan_account_decompressed(lz->ctx, got, used - lz->in_accounted,
				       lz->out_total) ||
	    !container_stream_ratio_ok(lz->ctx, lz->out_total, used,
				       lz->out_total)) {
		lz->done = true;
		got = 0;
	}
	lz->in_accounted = used;
	*ret_got = got;
	return PW_OK;
}

/*
 * Decoding a stream again from its start (stream_reopen), for the loaders
 * that read the decompressed bytes another way (pickle.load of a joblib
 * stream in a .pkl.gz; the Python unpickler after a STOP inside a frame):
 * what was decoded (the input stream, where its compressed data began,
 * the codec), so a new decoder can be run over the input read again.
 */
struct redo {
	struct scan_ctx *ctx;
	const struct stream *in;
	uint64_t in_start;
	enum pw_format fmt;	/* FMT_ZLIB (zlib/gzip: mode), FMT_XZ,
				   FMT_LZMA, or a libarchive filter */
	enum zinf_mode mode;
	const char *what;
};

/* A second decoding, owned by the stream reading it. */
struct redecoder {
	struct stream in;	/* the input, read again */
	struct redo again;	/* to decode this one again in turn */
	enum { RD_ZLIB, RD_LZ, RD_LA } kind;
	struct zinflate z;
	struct lz_alone lz;
	struct la_pull lp;
	bool z_ready;
};

static int
redecoder_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct redecoder *r = arg;

	switch (r->kind) {
	case RD_ZLIB: return zinf_pull(&r->z, dst, want, ret_got);
	case RD_LZ: return lz_alone_pull(&r->lz, dst, want, ret_got);
	default: return la_pull_fn(&r->lp, dst, want, ret_got);
	}
}

static void
redecoder_free(void *arg)
{
	struct redecoder *r = arg;

	if (r->z_ready)
		zinf_fini(&r->z);
	lzma_end(&r->lz.strm);
	if (r->lp.a != NULL)
		archive_read_free(r->lp.a);
	stream_fini(&r->in);
	free(r);
}

static int redo_open(const void *arg, struct stream *out);

/* Lets out be decoded again when its input can be read again. */
static void
redo_offer(const struct redo *redo, struct stream *out)
{
	if (stream_can_reopen(redo->in)) {
		out->reopen = redo_open;
		out->reopen_arg = redo;
	}
}

static int
redo_open(const void *arg, struct stream *out)
{
	const struct redo *redo = arg;
	struct redecoder *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL)
		return PW_ERR_NOMEM;
	r->lz.strm = (lzma_stream)LZMA_STREAM_INIT;
	rc = stream_reopen(redo->in, &r->in);
	if (rc != PW_OK) {
		free(r);
		return rc;
	}
	r->again = *redo;
	r->again.in = &r->in;
	/* A decoder that cannot start again decodes nothing: the first
	 * reading reported why. */
	if (stream_skip(&r->in, redo->in_start) != redo->in_start)
		goto empty;
	switch (redo->fmt) {
	case FMT_ZLIB:
		r->kind = RD_ZLIB;
		rc = zinf_init(&r->z, redo->ctx, &r->in, redo->mode,
			       redo->what);
		if (rc != PW_OK)
			goto fail;
		r->z_ready = true;
		break;
	case FMT_XZ: case FMT_LZMA:
		r->kind = RD_LZ;
		r->lz.xz = redo->fmt == FMT_XZ;
		r->lz.ctx = redo->ctx;
		r->lz.in = &r->in;
		r->lz.what = redo->what;
		r->lz.in_start = redo->in_start;
		if (!lz_alone_start(&r->lz))
			r->lz.done = true;
		break;
	default:
		r->kind = RD_LA;
		r->lp.ctx = redo->ctx;
		r->lp.in = &r->in;
		r->lp.what = redo->what;
		r->lp.a = archive_read_new();
		if (r->lp.a == NULL) {
			rc = PW_ERR_NOMEM;
			goto fail;
		}
		if (!la_open(&r->lp, redo->fmt, true))
			r->lp.done = true;
		break;
	}
	goto open;
empty:
	r->kind = RD_LA;
	r->lp.done = true;
open:
	rc = stream_init_pull(out, redecoder_pull, r);
	if (rc != PW_OK)
		goto fail;
	out->release = redecoder_free;
	redo_offer(&r->again, out);
	return PW_OK;
fail:
	redecoder_free(r);
	return rc;
}

static int
scan_lzma(struct scan_ctx *ctx, struct stream *in, const char *what, bool xz)
{
	struct lz_alone lz;
	struct redo redo = {ctx, in, stream_offset(in),
			    xz ? FMT_XZ : FMT_LZMA, ZINF_RAW, what};
	struct stream out;
	int rc = PW_OK;

	memset(&lz, 0, sizeof(lz));
	lz.strm = (lzma_stream)LZMA_STREAM_INIT;
	lz.xz = xz;
	lz.ctx = ctx;
	lz.in = in;
	lz.what = what;
	lz.in_start = stream_offset(in);
	if (!lz_alone_start(&lz)) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL, 0,
			    "%s stream cannot be decoded", what);
		goto out;
	}
	rc = stream_init_pull(&out, lz_alone_pull, &lz);
	if (rc != PW_OK)
		goto out;
	redo_offer(&redo, &out);
	rc = scan_stream(ctx, &out);
	if (rc == PW_OK && out.err != PW_OK)
		rc = out.err;
	stream_fini(&out);
	if (rc == PW_OK && lz.trailing && !scan_aborted(ctx))
		rc = scan_trailing(ctx, in, false, what);
out:
	lzma_end(&lz.strm);
	return rc;
}

/* Only the one filter the sniffer named: with all of them, libarchive
 * would also strip an inner layer (bzip2 of gzip) that the loader leaves
 * alone; inner layers are ours to recurse into, with their own location. */
static int
support_filter(struct archive *a, enum pw_format fmt)
{
	switch (fmt) {
	case FMT_BZIP2: return archive_read_support_filter_bzip2(a);
	case FMT_XZ: return archive_read_support_filter_xz(a);
	case FMT_LZMA: return archive_read_support_filter_lzma(a);
	case FMT_ZSTD: return archive_read_support_filter_zstd(a);
	case FMT_LZ4: return archive_read_support_filter_lz4(a);
	default: return ARCHIVE_FATAL;
	}
}

/* Opens libarchive's fmt filter over lp->in (lp->ctx, in, what set):
 * true when it decodes; else false, reported unless quiet (a second
 * reading: the first one said it). */
static bool
la_open(struct la_pull *lp, enum pw_format fmt, bool quiet)
{
	struct archive_entry *entry;
	int r;

	r = support_filter(lp->a, fmt);
	/* ARCHIVE_WARN: the filter runs an external program; not wanted. */
	if (r != ARCHIVE_OK) {
		if (!quiet)
			scan_report(lp->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
				    0, "no %s decoder in this build; not "
				    "analysed", lp->what);
		return false;
	}
	archive_read_support_format_raw(lp->a);
	r = archive_read_open(lp->a, lp, NULL, la_read_cb, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(lp->a, &entry);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		if (!quiet)
			scan_report(lp->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
				    0, "%s stream cannot be decoded: %s",
				    lp->what, archive_error_string(lp->a)
					    ? archive_error_string(lp->a)
					    : "error");
		return false;
	}
	if (archive_filter_count(lp->a) < 2 ||
	    archive_filter_code(lp->a, 0) == ARCHIVE_FILTER_NONE) {
		/* libarchive sees no compression where we guessed one: the
		 * loader's decompressor would refuse it too. */
		if (!quiet)
			scan_report(lp->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
				    0, "data looks like %s but does not decode "
				    "as it", lp->what);
		return false;
	}
	return true;
}

static int
scan_with_libarchive(struct scan_ctx *ctx, struct stream *in,
		     enum pw_format fmt, const char *what)
{
	struct la_pull lp;
	struct redo redo = {ctx, in, stream_offset(in), fmt, ZINF_RAW, what};
	struct stream out;
	int rc = PW_OK;

	memset(&lp, 0, sizeof(lp));
	lp.ctx = ctx;
	lp.in = in;
	lp.what = what;
	lp.a = archive_read_new();
	if (lp.a == NULL)
		return PW_ERR_NOMEM;
	if (!la_open(&lp, fmt, false))
		goto out;
	rc = stream_init_pull(&out, la_pull_fn, &lp);
	if (rc != PW_OK)
		goto out;
	redo_offer(&redo, &out);
	rc = scan_stream(ctx, &out);
	stream_fini(&out);
out:
	archive_read_free(lp.a);
	return rc;
}

/*
 * Bytes after the last stream a reader decodes.  Python's gzip raises on
 * them (an error on the loader's path: what was read before may already
 * have run); joblib's zlib reader ignores them.  Either way they are not
 * left unjudged: they are read as content of their own ("[trailing]"), so
 * a pickle hidden there is seen.
 */
static int
scan_trailing(struct scan_ctx *ctx, struct stream *in, bool raises,
	      const char *what)
{
	size_t saved;
	int rc;

	scan_report(ctx, raises ? PW_SEV_ERROR : PW_SEV_SUSPICIOUS,
		    PW_KIND_CONTAINER, NULL, stream_offset(in),
		    "%s: data after the last compressed stream%s", what,
		    raises ? " (Python's reader raises here)"
			   : " (the reader ignores it)");
	if (!scan_enter(ctx, "[trailing]", &saved))
		return PW_OK;
	rc = scan_stream(ctx, in);
	scan_leave(ctx, saved);
	return rc;
}

static int
scan_with_zlib(struct scan_ctx *ctx, struct stream *in, enum zinf_mode mode,
	       const char *what)
{
	struct zinflate z;
	struct redo redo = {ctx, in, stream_offset(in), FMT_ZLIB, mode, what};
	struct stream out;
	int rc;

	rc = zinf_init(&z, ctx, in, mode, what);
	if (rc != PW_OK)
		return rc;
	rc = stream_init_pull(&out, zinf_pull, &z);
	if (rc == PW_OK) {
		redo_offer(&redo, &out);
		rc = scan_stream(ctx, &out);
		if (rc == PW_OK && out.err != PW_OK)
			rc = out.err;
		stream_fini(&out);
	}
	zinf_fini(&z);
	if (rc == PW_OK && z.trailing && !scan_aborted(ctx))
		rc = scan_trailing(ctx, in, mode == ZINF_GZIP, what);
	return rc;
}

int
container_compressed_scan(struct scan_ctx *ctx, struct stream *st,
			  enum pw_format fmt)
{
	const char *what = format_name(fmt);
	char name[32];
	uint64_t errors;
	size_t saved;
	const uint8_t *p, *sp;
	int rc;

	snprintf(name, sizeof(name), "[%s]", what);
	if (!scan_enter(ctx, name, &saved))
		return PW_OK;
	errors = ctx->errors;
	switch (fmt) {
	case FMT_GZIP:
		rc = scan_with_zlib(ctx, st, ZINF_GZIP, what);
		break;
	case FMT_ZLIB:
		rc = scan_with_zlib(ctx, st, ZINF_ZLIB, what);
		break;
	case FMT_JOBLIB_LEGACY:
		if (!stream_read(st, JOBLIB_ZF_HEADER, &p)) {
			scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, 0,
				    "truncated joblib ZF header");
			rc = PW_OK;
			break;
		}
		/* joblib skips one optional space after the header. */
		if (stream_peek(st, 1, &sp) && sp[0] == ' ')
			(void)stream_skip(st, 1);
		rc = scan_with_zlib(ctx, st, ZINF_ZLIB, what);
		break;
	case FMT_LZMA: case FMT_XZ:
		rc = scan_lzma(ctx, st, what, fmt == FMT_XZ);
		break;
	default:
		rc = scan_with_libarchive(ctx, st, fmt, what);
		break;
	}
	scan_leave(ctx, saved);
	/* joblib and pandas hand whatever decodes to the unpickler, and
	 * Python's readers deliver a truncated stream's prefix before they
	 * raise: a stream we could not decode or analyse to its end may hold
	 * pickle code we did not see.  An error here fails closed. */
	if (ctx->errors != errors)
		scan_mark_executable(ctx);
	return rc;
}
