/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.c - helpers shared by the container parsers: the strong pickle
 * signature, the per-stream ratio cap and torch element sizes.
 */
#include "config.h"

#include <string.h>

#include "container/internal.h"
#include "pickle/opcodes.h"
#include "result.h"


bool
container_strong_pickle(const uint8_t *head, size_t len)
{
	return len >= 3 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5 &&
	       pickle_opcode_valid(head[2]);
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
