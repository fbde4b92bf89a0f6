/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "result.h"

static void
report_v(struct scan_ctx *ctx, enum pw_severity sev, enum pw_finding_kind kind,
	 const char *global, const char *module, const char *name,
	 const char *opcode, uint64_t offset, const char *fmt, va_list ap)
{
	struct pw_finding f;
	char reason[1024];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	memset(&f, 0, sizeof(f));
	f.severity = sev;
	f.kind = kind;
	f.global = global;
	f.module = module;
	f.name = name;
	f.opcode = opcode;
	f.offset = offset;
	f.location = ctx->location;
	f.reason = reason;
	if (result_add(ctx->res, &f) != PW_OK)
		ctx->status = PW_ERR_NOMEM;
}

void
scan_report(struct scan_ctx *ctx, enum pw_severity sev,
	    enum pw_finding_kind kind, const char *opcode, uint64_t offset,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(ctx, sev, kind, NULL, NULL, NULL, opcode, offset, fmt, ap);
	va_end(ap);
}

void
scan_report_global(struct scan_ctx *ctx, enum pw_severity sev,
		   enum pw_finding_kind kind, const char *global,
		   const char *module, const char *name, const char *opcode,
		   uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(ctx, sev, kind, global, module, name, opcode, offset, fmt, ap);
	va_end(ap);
}

void
scan_limit(struct scan_ctx *ctx, uint64_t offset, const char *what)
{
	ctx->limit_hit = true;
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_LIMIT, NULL, offset,
		    "analysis limit reached: %s; the rest was not analysed",
		    what);
}

void
scan_set_format(struct scan_ctx *ctx, const char *format)
{
	if (ctx->depth == 0 && strcmp(ctx->res->format, "unknown") == 0)
		ctx->res->format = format;
}

bool
scan_enter(struct scan_ctx *ctx, const char *name, size_t *ret_saved)
{
	size_t len = strlen(name), need;
	const char *sep = ctx->location_len ? "!" : "";

	*ret_saved = ctx->location_len;
	if (ctx->depth + 1 > ctx->limits[PW_LIMIT_MAX_DEPTH]) {
		scan_limit(ctx, 0, "max_depth (containers nested too deep)");
		return false;
	}
	need = ctx->location_len + strlen(sep) + len;
	if (need >= sizeof(ctx->location)) {
		scan_limit(ctx, 0, "location path too long");
		return false;
	}
	memcpy(ctx->location + ctx->location_len, sep, strlen(sep));
	memcpy(ctx->location + ctx->location_len + strlen(sep), name, len);
	ctx->location_len = need;
	ctx->location[need] = '\0';
	ctx->depth++;
	return true;
}

void
scan_leave(struct scan_ctx *ctx, size_t saved)
{
	ctx->location_len = saved;
	ctx->location[saved] = '\0';
	if (ctx->depth > 0)
		ctx->depth--;
}

bool
scan_account_decompressed(struct scan_ctx *ctx, uint64_t out_bytes,
			  uint64_t in_bytes, uint64_t offset)
{
	uint64_t ratio_cap = ctx->limits[PW_LIMIT_MAX_RATIO];

	if (__builtin_add_overflow(ctx->decompressed, out_bytes,
				   &ctx->decompressed) ||
	    ctx->decompressed > ctx->limits[PW_LIMIT_MAX_DECOMPRESSED]) {
		scan_limit(ctx, offset, "max_decompressed (decompressed size)");
		return false;
	}
	ctx->compressed_in += in_bytes;
	/* The ratio is judged once there is enough output to matter. */
	if (ctx->decompressed > (1u << 20) &&
	    ctx->decompressed / (ctx->compressed_in ? ctx->compressed_in : 1) >
		    ratio_cap) {
		scan_limit(ctx, offset,
			   "max_ratio (decompression ratio: a compression bomb)");
		return false;
	}
	return true;
}
