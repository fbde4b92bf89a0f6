/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	if (kind == PW_KIND_IMPORT || kind == PW_KIND_CALL) {
		ctx->executed++;
		ctx->executed_here++;
	}
	if (sev == PW_SEV_ERROR)
		ctx->errors++;
	if (ctx->mute) {
		if (sev > ctx->mute_worst)
			ctx->mute_worst = sev;
		return;
	}
	if (sev == PW_SEV_MALICIOUS &&
	    (kind == PW_KIND_IMPORT || kind == PW_KIND_CALL))
		ctx->res->exec_malicious = true;
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
scan_mark_executable(struct scan_ctx *ctx)
{
	ctx->res->executable = true;
}

void
scan_limit(struct scan_ctx *ctx, uint64_t offset, const char *what)
{
	ctx->limit_hit = true;
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_LIMIT, NULL, offset,
		    "analysis limit reached: %s; the rest was not analysed",
		    what);
}

bool
scan_check_stop(struct scan_ctx *ctx, uint64_t offset)
{
	struct timespec now;
	const char *why = NULL;

	if (ctx->stopped)
		return true;
	if (!ctx->can_stop)
		return false;
	if (ctx->abort_flag != NULL && *ctx->abort_flag != 0) {
		why = "aborted (the caller's abort flag was set)";
	} else if (ctx->deadline_ns != UINT64_MAX &&
		   clock_gettime(CLOCK_MONOTONIC, &now) == 0 &&
		   (uint64_t)now.tv_sec * 1000000000ULL +
				   (uint64_t)now.tv_nsec >= ctx->deadline_ns) {
		why = "deadline (the scan ran out of time)";
	}
	if (why == NULL)
		return false;
	/* Reported before setting `stopped`: nothing else reads it here. */
	scan_limit(ctx, offset, why);
	ctx->stopped = true;
	return true;
}

void
scan_set_format(struct scan_ctx *ctx, enum pw_format format)
{
	if (ctx->depth == 0 && ctx->res->format == FMT_UNKNOWN)
		ctx->res->format = format;
}

void
scan_relabel(struct scan_ctx *ctx, enum pw_format from, enum pw_format to)
{
	if (ctx->depth == 0 && ctx->res->format == from)
		ctx->res->format = to;
}

bool
scan_enter(struct scan_ctx *ctx, const char *name, size_t *ret_saved)
{
	size_t len = strlen(name), need;
	const char *sep = ctx->location_len ? "!" : "";

	*ret_saved = ctx->location_len;
	/* Between container members: the caller may have stopped the scan. */
	if (scan_check_stop(ctx, 0))
		return false;
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
	/* Past PW_EXEC_TRACK_DEPTH levels the counter is not reset, so a
	 * parent's fact is kept (over-, never under-reported). */
	if (ctx->depth < PW_EXEC_TRACK_DEPTH) {
		ctx->executed_outer[ctx->depth] = ctx->executed_here;
		ctx->executed_here = 0;
	}
	ctx->depth++;
	return true;
}

void
scan_leave(struct scan_ctx *ctx, size_t saved)
{
	ctx->location_len = saved;
	ctx->location[saved] = '\0';
	if (ctx->depth > 0) {
		ctx->depth--;
		if (ctx->depth < PW_EXEC_TRACK_DEPTH)
			ctx->executed_here = ctx->executed_outer[ctx->depth];
	}
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
