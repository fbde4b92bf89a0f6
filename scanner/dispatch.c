/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c - the scan entry points: sniff the content, run the parser
 * for its format, and turn what they report into a pw_result.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "container/container.h"
#include "context.h"
#include "pickle/opcodes.h"
#include "pickle/pickle.h"
#include "result.h"
#include "scanner.h"
#include "sniff.h"

#define SNIFF_BYTES 512

static int dispatch_source(struct scan_ctx *ctx, const struct source *src);
static int dispatch_stream(struct scan_ctx *ctx, struct stream *st);

/* What the layers below reach nested content through (context.h). */
static const struct scan_hooks dispatch_hooks = {
	.scan_source = dispatch_source,
	.scan_stream = dispatch_stream,
	.raw_array = joblib_read_array,
};

/* Formats whose parser needs random access get a source. */
static bool
needs_random_access(enum pw_format fmt)
{
	return fmt == FMT_ZIP || fmt == FMT_TAR || fmt == FMT_7Z ||
	       fmt == FMT_SAFETENSORS;
}

/* Every loader that reaches a raw pickle reading runs the first pickle
 * without a persistent_load (torch.load's legacy path too: its first
 * pickle is the magic number, read by plain pickle.load); torch.load then
 * reads on as the legacy stack when that pickle held a number. */
static const struct pickle_opts plain_load = {
	.no_persistent_load = true, .legacy_after_number = true,
};

/* A file that is a pickle (a data.pkl taken out of its zip, say) is read
 * as a superset of its loaders: with a persistent_load for the first
 * pickle (what comes back is opaque, and calling it is malicious), then as
 * torch's legacy stack or a plain loop of loads. */
static const struct pickle_opts raw_file = { .legacy_after_number = true };

static int
scan_sequential(struct scan_ctx *ctx, struct stream *st, enum pw_format fmt,
		const uint8_t *head, size_t head_len)
{
	switch (fmt) {
	case FMT_PICKLE:
		if (legacy_torch_magic(head, head_len)) {
			scan_set_format(ctx, FMT_LEGACY_TORCH);
			return legacy_torch_scan(ctx, st);
		}
		scan_set_format(ctx, FMT_PICKLE);
		return pickle_scan_stream(ctx, st, &raw_file);
	case FMT_NPY:
		scan_set_format(ctx, FMT_NPY);
		return container_npy_scan(ctx, st);
	case FMT_GZIP: case FMT_BZIP2: case FMT_XZ: case FMT_LZMA:
	case FMT_ZSTD: case FMT_LZ4: case FMT_ZLIB: case FMT_JOBLIB_LEGACY:
		scan_set_format(ctx, fmt);
		return container_compressed_scan(ctx, st, fmt);
	default:
		/* Not something any loader executes. */
		scan_set_format(ctx, fmt);
		return PW_OK;
	}
}

static int
scan_random(struct scan_ctx *ctx, const struct source *src,
	    enum pw_format fmt)
{
	switch (fmt) {
	case FMT_ZIP:
		scan_set_format(ctx, FMT_ZIP);
		return container_zip_scan(ctx, src);
	case FMT_TAR: case FMT_7Z:
		scan_set_format(ctx, fmt);
		return container_archive_scan(ctx, src, fmt);
	case FMT_SAFETENSORS:
		scan_set_format(ctx, FMT_SAFETENSORS);
		return container_safetensors_scan(ctx, src);
	default:
		return PW_OK;
	}
}

/*
 * The readings.  A format label says what the bytes are meant to be, not
 * what loaders do with them: pickle.load, joblib.load (after its
 * compressor sniff) and torch.load (after its zip and tar checks) check no
 * magic and execute whatever pickle starts at offset 0 - a BINFLOAT
 * swallows "GGUF....", a short BINBYTES a safetensors length.  So every
 * input whose first byte is an opcode is also read as a raw pickle, after
 * its format's own parser, and the verdict is the worst of both.  A reading
 * that runs nothing (the pickle reading of an ordinary zip, PNG or
 * safetensors file dies within a few bytes) keeps only its error findings.
 */
static bool
wants_pickle_reading(enum pw_format fmt, const uint8_t *head, size_t len)
{
	/* FMT_PICKLE (and the legacy torch stream it routes to) is this
	 * reading already. */
	return len > 0 && fmt != FMT_PICKLE && pickle_opcode_valid(head[0]);
}

/* What a muted trial may change and must give back. */
struct trial_state {
	uint64_t executed, executed_here, opcodes, decompressed, compressed_in;
	unsigned alt_scans;
	bool executable, limit_hit;
};

static void
trial_begin(struct scan_ctx *ctx, struct trial_state *t)
{
	t->executed = ctx->executed;
	t->executed_here = ctx->executed_here;
	t->opcodes = ctx->opcodes;
	t->decompressed = ctx->decompressed;
	t->compressed_in = ctx->compressed_in;
	t->alt_scans = ctx->alt_scans;
	t->executable = ctx->res->executable;
	t->limit_hit = ctx->limit_hit;
	ctx->mute = true;
	ctx->mute_worst = PW_SEV_INFO;
}

/* Ends a trial; true when it ran something or reported an error (then
 * the reading is done again, for real). */
static bool
trial_end(struct scan_ctx *ctx, const struct trial_state *t)
{
	bool ran = ctx->executed != t->executed ||
		   ctx->mute_worst >= PW_SEV_ERROR;

	ctx->mute = false;
	ctx->executed = t->executed;
	ctx->executed_here = t->executed_here;
	ctx->opcodes = t->opcodes;
	ctx->decompressed = t->decompressed;
	ctx->compressed_in = t->compressed_in;
	ctx->alt_scans = t->alt_scans;
	ctx->res->executable = t->executable;
	ctx->limit_hit = t->limit_hit;
	return ran;
}


static int
run_pickle_reading(struct scan_ctx *ctx, const struct source *src)
{
	struct stream st;
	int rc;

	rc = stream_init_source(&st, src);
	if (rc != PW_OK)
		return rc;
	rc = pickle_scan_stream(ctx, &st, &plain_load);
	if (rc == PW_OK && st.err != PW_OK && st.err != PW_ERR_NOMEM)
		rc = st.err;
	stream_fini(&st);
	return rc;
}

/*
 * The reading is tried muted first: one that runs nothing and reports no
 * error (the pickle reading of an ordinary zip, PNG or safetensors file
 * dies within a few bytes) leaves no trace; otherwise it is read again,
 * for real.  Muting, not rewinding the findings list, keeps the result
 * independent of the findings cap.
 */
static int
pickle_reading(struct scan_ctx *ctx, const struct source *src,
	       enum pw_format fmt)
{
	struct trial_state t;
	uint64_t executed = ctx->executed;
	int rc;

	trial_begin(ctx, &t);
	rc = run_pickle_reading(ctx, src);
	if (!trial_end(ctx, &t) || rc != PW_OK)
		return rc;
	rc = run_pickle_reading(ctx, src);
	if (ctx->executed != executed)
		/* What a loader runs decides what the file is. */
		scan_relabel(ctx, fmt, FMT_PICKLE);
	return rc;
}

/*
 * Whether content that is not labelled a pickle needs the pickle reading:
 * its first bytes are tried alone (muted), and a reading that dies inside
 * them having run nothing (a \\x93NUMPY header, a PNG) is done; one that
 * runs something or needs more bytes gets the full reading (a stream is
 * buffered for it).
 */
static bool
head_needs_pickle_reading(struct scan_ctx *ctx, const uint8_t *head,
			    size_t len)
{
	struct trial_state t;
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	struct source src;
	struct stream st;
	bool need = true;

	source_init_mem(&src, head, len, NULL);
	if (stream_init_source(&st, &src) != PW_OK)
		return true;
	trial_begin(ctx, &t);
	if (pickle_vm_new(ctx, &plain_load, &vm) == PW_OK) {
		if (pickle_vm_run(vm, &st, &out) == PW_OK)
			need = out.stopped || out.executed || out.end >= len;
		pickle_vm_free(vm);
	}
	if (trial_end(ctx, &t))
		need = true;
	stream_fini(&st);
	return need;
}

static int
run_lzma_reading(struct scan_ctx *ctx, const struct source *src)
{
	struct stream st;
	int rc;

	rc = stream_init_source(&st, src);
	if (rc != PW_OK)
		return rc;
	rc = container_compressed_scan(ctx, &st, FMT_LZMA);
	stream_fini(&st);
	return rc;
}

static int
lzma_reading(struct scan_ctx *ctx, const struct source *src)
{
	struct trial_state t;
	uint64_t executed = ctx->executed;
	bool ran;
	int rc;

	trial_begin(ctx, &t);
	rc = run_lzma_reading(ctx, src);
	ran = ctx->executed != executed;
	(void)trial_end(ctx, &t);
	if (rc != PW_OK || !ran)
		return rc;
	scan_relabel(ctx, FMT_DATA, FMT_LZMA);
	return run_lzma_reading(ctx, src);
}

static int
dispatch_source(struct scan_ctx *ctx, const struct source *src)
{
	uint8_t head[SNIFF_BYTES];
	size_t got;
	enum pw_format fmt;
	struct stream st;
	int rc;

	if (scan_aborted(ctx))
		return ctx->status;
	rc = source_read_some(src, 0, head, sizeof(head), &got);
	if (rc != PW_OK)
		return rc;
	fmt = sniff_format(head, got, src->size);
	if (needs_random_access(fmt)) {
		rc = scan_random(ctx, src, fmt);
	} else {
		rc = stream_init_source(&st, src);
		if (rc != PW_OK)
			return rc;
		rc = scan_sequential(ctx, &st, fmt, head, got);
		if (rc == PW_OK && st.err != PW_OK && st.err != PW_ERR_NOMEM)
			rc = st.err;
		stream_fini(&st);
	}
	/* The trial on the first bytes spares a zip or an image the read of
	 * a whole stream window when its pickle reading dies at once. */
	if (rc == PW_OK && !scan_aborted(ctx) &&
	    wants_pickle_reading(fmt, head, got) &&
	    head_needs_pickle_reading(ctx, head, got))
		rc = pickle_reading(ctx, src, fmt);
	/* pandas takes the compression from the (attacker-chosen) name, and
	 * its xz reader also decodes .lzma streams of known size, which have
	 * no magic: such a stream is tried muted, and analysed for real only
	 * when what it decodes to runs something. */
	if (rc == PW_OK && !scan_aborted(ctx) && fmt != FMT_LZMA &&
	    !ctx->prefix && sniff_lzma_alone(head, got))
		rc = lzma_reading(ctx, src);
	if (needs_random_access(fmt))
		return rc;
	/* A file that is not a zip at offset 0 may still hold one, and other
	 * tools than the loader that runs its first bytes will read it. */
	if (rc == PW_OK && !scan_aborted(ctx) && !ctx->prefix)
		rc = container_polyglot_scan(ctx, src);
	return rc;
}

/* Buffers the rest of a stream in memory for a parser that needs random
 * access; bounded by PW_MAX_MEMBER_BUFFER and the decompression cap. */
static int
buffer_stream(struct scan_ctx *ctx, struct stream *st, uint8_t **ret_buf,
	      size_t *ret_len)
{
	uint8_t *buf = NULL, *n;
	size_t len = 0, cap = 0;
	const uint8_t *p;
	uint64_t start = stream_offset(st);

	*ret_buf = NULL;
	*ret_len = 0;
	for (;;) {
		size_t avail;

		if (!stream_read_some(st, SIZE_MAX, &p, &avail))
			break;
		if (len + avail > PW_MAX_MEMBER_BUFFER) {
			free(buf);
			scan_limit(ctx, start,
				   "member too large to buffer for random access");
			return PW_OK;
		}
		if (len + avail > cap) {
			size_t ncap = cap ? cap : 65536;

			while (ncap < len + avail)
				ncap *= 2;
			n = realloc(buf, ncap);
			if (n == NULL) {
				free(buf);
				return PW_ERR_NOMEM;
			}
			buf = n;
			cap = ncap;
		}
		memcpy(buf + len, p, avail);
		len += avail;
	}
	*ret_buf = buf;
	*ret_len = len;
	return st->err;
}

static int
dispatch_stream(struct scan_ctx *ctx, struct stream *st)
{
	const uint8_t *head;
	size_t head_len;
	enum pw_format fmt;
	int rc;

	if (scan_aborted(ctx))
		return ctx->status;
	/* Peek at up to SNIFF_BYTES without consuming them. */
	if (!stream_peek_upto(st, SNIFF_BYTES, &head, &head_len)) {
		static const uint8_t empty[1];

		head = empty;	/* an empty stream: nothing to sniff */
		head_len = 0;
	}
	fmt = sniff_format(head, head_len, UINT64_MAX);
	/* Formats that need random access, and content that needs a second
	 * reading (as a pickle), are buffered and read as a source. */
	if (needs_random_access(fmt) ||
	    (wants_pickle_reading(fmt, head, head_len) &&
	     head_needs_pickle_reading(ctx, head, head_len))) {
		uint8_t *buf = NULL;
		size_t len = 0;
		struct source src;

		rc = buffer_stream(ctx, st, &buf, &len);
		if (rc == PW_OK && buf != NULL) {
			source_init_mem(&src, buf, len, NULL);
			rc = dispatch_source(ctx, &src);
		}
		free(buf);
		return rc;
	}
	return scan_sequential(ctx, st, fmt, head, head_len);
}

/* The scan's deadline: the earlier of the absolute one and start+timeout. */
static void
stop_init(struct scan_ctx *ctx, const struct pw_options *o)
{
	struct timespec now;
	uint64_t dl = o->deadline_ns ? o->deadline_ns : UINT64_MAX, t;

	if (o->timeout_ms != 0 && clock_gettime(CLOCK_MONOTONIC, &now) == 0) {
		if (__builtin_mul_overflow(o->timeout_ms, 1000000ULL, &t) ||
		    __builtin_add_overflow(t, (uint64_t)now.tv_sec *
						      1000000000ULL +
					      (uint64_t)now.tv_nsec, &t))
			t = UINT64_MAX;
		if (t < dl)
			dl = t;
	}
	ctx->deadline_ns = dl;
	ctx->abort_flag = o->abort_flag;
	ctx->can_stop = dl != UINT64_MAX || o->abort_flag != NULL;
}

static int
scan_begin(const struct pw_scanner *sc, struct scan_ctx **ret_ctx)
{
	struct scan_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	if (ctx == NULL)
		return PW_ERR_NOMEM;
	ctx->scanner = sc;
	ctx->hooks = &dispatch_hooks;
	memcpy(ctx->limits, sc->opts.limits, sizeof(ctx->limits));
	stop_init(ctx, &sc->opts);
	rc = result_new((size_t)ctx->limits[PW_LIMIT_MAX_FINDINGS], &ctx->res);
	if (rc != PW_OK) {
		free(ctx);
		return rc;
	}
	*ret_ctx = ctx;
	return PW_OK;
}

static int
scan_end(struct scan_ctx *ctx, int rc, struct pw_result **ret_result)
{
	struct pw_result *res = ctx->res;

	if (rc == PW_OK)
		rc = ctx->status;
	if (rc == PW_OK && res->dropped > 0) {
		scan_report(ctx, PW_SEV_INFO, PW_KIND_LIMIT, NULL, 0,
			    "%llu further findings were not kept",
			    (unsigned long long)res->dropped);
		rc = ctx->status;
	}
	res->opcodes = ctx->opcodes;
	free(ctx);
	if (rc != PW_OK) {
		pw_result_free(res);
		return rc;
	}
	*ret_result = res;
	return PW_OK;
}

int
pw_scan_buffer(const struct pw_scanner *sc, const void *buf, size_t len,
	       struct pw_result **ret_result)
{
	struct scan_ctx *ctx = NULL;
	struct source src;
	int rc;

	if (sc == NULL || ret_result == NULL || (buf == NULL && len > 0))
		return PW_ERR_INVALID;
	rc = scan_begin(sc, &ctx);
	if (rc != PW_OK)
		return rc;
	ctx->res->bytes_total = len;
	source_init_mem(&src, buf, len, &ctx->res->bytes_read);
	if (len > ctx->limits[PW_LIMIT_MAX_FILE_SIZE])
		scan_limit(ctx, 0, "max_file_size (file too large)");
	else if (!scan_check_stop(ctx, 0))
		rc = dispatch_source(ctx, &src);
	return scan_end(ctx, rc, ret_result);
}

int
pw_scan_fd(const struct pw_scanner *sc, int fd, struct pw_result **ret_result)
{
	struct scan_ctx *ctx = NULL;
	struct source src;
	struct stat stbuf;
	struct source_cache *cache;
	int rc;

	if (sc == NULL || ret_result == NULL || fd < 0)
		return PW_ERR_INVALID;
	if (fstat(fd, &stbuf) != 0)
		return PW_ERR_IO;
	if (!S_ISREG(stbuf.st_mode))
		return PW_ERR_NOT_REGULAR;
	rc = scan_begin(sc, &ctx);
	if (rc != PW_OK)
		return rc;
	ctx->res->bytes_total = (uint64_t)stbuf.st_size;
	source_init_fd(&src, fd, (uint64_t)stbuf.st_size,
		       &ctx->res->bytes_read);
	/* Without the block every small read is a pread (NULL: go on
	 * without it). */
	cache = malloc(sizeof(*cache));
	source_set_cache(&src, cache);
	if ((uint64_t)stbuf.st_size > ctx->limits[PW_LIMIT_MAX_FILE_SIZE])
		scan_limit(ctx, 0, "max_file_size (file too large)");
	else if (!scan_check_stop(ctx, 0))
		rc = dispatch_source(ctx, &src);
	free(cache);
	return scan_end(ctx, rc, ret_result);
}

/*
 * The prefix of a file still being written.  A zip (PK\3\4 at 0) has no
 * central directory yet: its local headers are walked instead
 * (container/zip_prefix.c).  Anything else is read as every loader reads
 * it from offset 0 - a raw pickle stream, a legacy torch or joblib stream
 * (pickles first), a compressed stream - as far as the bytes go; the
 * readings that look for content elsewhere in the file (an embedded zip,
 * an .lzma stream only pandas would decode) wait for the full scan.
 */
static int
dispatch_prefix(struct scan_ctx *ctx, const struct source *src)
{
	static const uint8_t zip_magic[4] = {'P', 'K', 3, 4};
	uint8_t head[4];
	size_t got;
	int rc;

	rc = source_read_some(src, 0, head, sizeof(head), &got);
	if (rc != PW_OK)
		return rc;
	if (got == sizeof(head) && memcmp(head, zip_magic, 4) == 0) {
		scan_set_format(ctx, FMT_ZIP);
		return container_zip_prefix_scan(ctx, src);
	}
	return dispatch_source(ctx, src);
}

int
pw_scan_fd_prefix(const struct pw_scanner *sc, int fd, uint64_t prefix_len,
		  struct pw_result **ret_result)
{
	struct scan_ctx *ctx = NULL;
	struct source src;
	struct stat stbuf;
	struct source_cache *cache;
	uint64_t size;
	int rc;

	if (sc == NULL || ret_result == NULL || fd < 0)
		return PW_ERR_INVALID;
	if (fstat(fd, &stbuf) != 0)
		return PW_ERR_IO;
	if (!S_ISREG(stbuf.st_mode))
		return PW_ERR_NOT_REGULAR;
	/* A file that shrank since the caller looked is read as it is. */
	size = (uint64_t)stbuf.st_size < prefix_len ? (uint64_t)stbuf.st_size
						    : prefix_len;
	rc = scan_begin(sc, &ctx);
	if (rc != PW_OK)
		return rc;
	ctx->prefix = true;
	ctx->res->bytes_total = size;
	source_init_fd(&src, fd, size, &ctx->res->bytes_read);
	cache = malloc(sizeof(*cache));
	source_set_cache(&src, cache);
	if (size > ctx->limits[PW_LIMIT_MAX_FILE_SIZE])
		scan_limit(ctx, 0, "max_file_size (prefix too large)");
	else if (!scan_check_stop(ctx, 0))
		rc = dispatch_prefix(ctx, &src);
	free(cache);
	return scan_end(ctx, rc, ret_result);
}
