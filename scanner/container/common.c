/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.c - helpers shared by the container parsers: the inflater used by
 * zip members and zlib/gzip streams, format relabelling, the strong pickle
 * signature, and torch element sizes.
 */
#include "config.h"

#include <string.h>

#include "container/internal.h"
#include "pickle/opcodes.h"
#include "result.h"

/* Compressed bytes handed to zlib at a time. */
#define ZINF_CHUNK 65536

bool
container_strong_pickle(const uint8_t *head, size_t len)
{
	return len >= 3 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5 &&
	       pickle_opcode_valid(head[2]);
}

void
container_relabel(struct scan_ctx *ctx, const char *from, const char *to)
{
	if (ctx->depth == 0 && strcmp(ctx->res->format, from) == 0)
		ctx->res->format = to;
}

bool
container_executes(const struct scan_ctx *ctx, size_t from,
		   const char *location, bool exact)
{
	size_t i, n = strlen(location);

	for (i = from; i < ctx->res->count; i++) {
		const struct pw_finding *f = &ctx->res->findings[i];

		if (f->kind != PW_KIND_IMPORT && f->kind != PW_KIND_CALL)
			continue;
		if (exact ? strcmp(f->location, location) == 0
			  : strncmp(f->location, location, n) == 0)
			return true;
	}
	return false;
}

bool
container_stream_ratio_ok(struct scan_ctx *ctx, uint64_t out, uint64_t in,
			  uint64_t offset)
{
	/* Once a cap has been hit in this scan (typically a first bomb
	 * member), further streams are judged after 1 MiB: an archive of
	 * many bomb members costs one bomb, not one per member, while
	 * ordinary members (far below 1000:1) are still scanned whole. */
	uint64_t after = ctx->limit_hit ? (1u << 20) : PW_STREAM_RATIO_AFTER;

	if (out < after ||
	    ctx->limits[PW_LIMIT_MAX_RATIO] > PW_DEFAULT_MAX_RATIO ||
	    out / (in ? in : 1) <= PW_STREAM_RATIO_MAX)
		return true;
	scan_limit(ctx, offset,
		   "max_ratio (one stream decompressing at over 1000:1: "
		   "a compression bomb)");
	return false;
}

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

/* Input bytes consumed so far (what zlib has actually eaten). */
static uint64_t
zinf_in_used(const struct zinflate *z)
{
	return stream_offset(z->in) - z->in_start - z->zs.avail_in;
}

/* Gives zlib the next chunk of input; false at the end of the input. */
static bool
zinf_feed(struct zinflate *z)
{
	const uint8_t *p;
	size_t n;

	if (!stream_has(z->in, 1))
		return false;
	n = z->in->win_len - z->in->pos;
	if (n > ZINF_CHUNK)
		n = ZINF_CHUNK;
	if (!stream_read(z->in, n, &p))
		return false;
	z->zs.next_in = (Bytef *)(uintptr_t)p;
	z->zs.avail_in = (uInt)n;
	return true;
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
		if (z->zs.avail_in == 0 && !zinf_feed(z)) {
			/* Input ended before the compressed data did. */
			z->corrupt = true;
			z->done = true;
			break;
		}
		zr = inflate(&z->zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* Python's gzip reads every member of a multi-member
			 * file; the next one must start with the magic. */
			if (z->mode == ZINF_GZIP) {
				if (z->zs.avail_in == 0)
					(void)zinf_feed(z);
				if (z->zs.avail_in >= 2 &&
				    z->zs.next_in[0] == 0x1f &&
				    z->zs.next_in[1] == 0x8b &&
				    inflateReset(&z->zs) == Z_OK)
					continue;
			}
			z->done = true;
			break;
		}
		if (zr == Z_BUF_ERROR && z->zs.avail_in == 0)
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

static const struct {
	const char *name;
	unsigned size;
} elem_sizes[] = {
	{ "torch.FloatStorage", 4 }, { "torch.DoubleStorage", 8 },
	{ "torch.HalfStorage", 2 }, { "torch.BFloat16Storage", 2 },
	{ "torch.LongStorage", 8 }, { "torch.IntStorage", 4 },
	{ "torch.ShortStorage", 2 }, { "torch.CharStorage", 1 },
	{ "torch.ByteStorage", 1 }, { "torch.BoolStorage", 1 },
	{ "torch.ComplexFloatStorage", 8 },
	{ "torch.ComplexDoubleStorage", 16 },
	{ "torch.QInt8Storage", 1 }, { "torch.QUInt8Storage", 1 },
	{ "torch.QInt32Storage", 4 }, { "torch.QUInt4x2Storage", 1 },
	{ "torch.QUInt2x4Storage", 1 }, { "torch.UntypedStorage", 1 },
	{ "torch.cuda.FloatStorage", 4 }, { "torch.cuda.DoubleStorage", 8 },
	{ "torch.cuda.HalfStorage", 2 }, { "torch.cuda.BFloat16Storage", 2 },
	{ "torch.cuda.LongStorage", 8 }, { "torch.cuda.IntStorage", 4 },
	{ "torch.cuda.ShortStorage", 2 }, { "torch.cuda.CharStorage", 1 },
	{ "torch.cuda.ByteStorage", 1 }, { "torch.cuda.BoolStorage", 1 },
	{ "torch.float32", 4 }, { "torch.float", 4 },
	{ "torch.float64", 8 }, { "torch.double", 8 },
	{ "torch.float16", 2 }, { "torch.half", 2 },
	{ "torch.bfloat16", 2 }, { "torch.int64", 8 }, { "torch.long", 8 },
	{ "torch.int32", 4 }, { "torch.int", 4 }, { "torch.int16", 2 },
	{ "torch.short", 2 }, { "torch.int8", 1 }, { "torch.uint8", 1 },
	{ "torch.bool", 1 }, { "torch.complex64", 8 },
	{ "torch.cfloat", 8 }, { "torch.complex128", 16 },
	{ "torch.cdouble", 16 }, { "torch.complex32", 4 },
	{ "torch.chalf", 4 }, { "torch.qint8", 1 }, { "torch.quint8", 1 },
	{ "torch.qint32", 4 }, { "torch.quint4x2", 1 },
	{ "torch.quint2x4", 1 }, { "torch.float8_e4m3fn", 1 },
	{ "torch.float8_e5m2", 1 }, { "torch.uint16", 2 },
	{ "torch.uint32", 4 }, { "torch.uint64", 8 },
};

unsigned
torch_element_size(const char *global)
{
	size_t i;

	if (global == NULL)
		return 0;
	for (i = 0; i < sizeof(elem_sizes) / sizeof(elem_sizes[0]); i++)
		if (strcmp(global, elem_sizes[i].name) == 0)
			return elem_sizes[i].size;
	return 0;
}
