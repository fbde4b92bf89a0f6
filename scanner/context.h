/* SPDX-License-Identifier: Apache-2.0 */
/*
 * context.h - the state of one scan, shared by every parser: the result
 * being built, the container path of what is being read, and the budgets
 * (depth, decompressed bytes, opcodes) that bound the whole scan.
 *
 * Containers call scan_source() or scan_stream() for each member they open;
 * those sniff the member's content and dispatch to the right parser, so
 * nesting works the same way at every level.
 */
#ifndef PW_CONTEXT_H
#define PW_CONTEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "picklewarden.h"
#include "source.h"
#include "stream.h"

struct pw_result;
struct scanner_lists;

struct scan_ctx {
	const struct pw_scanner *scanner;
	struct pw_result *res;
	uint64_t limits[PW_LIMIT_COUNT_];
	char location[PW_LOCATION_MAX];	/* "" or "archive/data.pkl" ... */
	size_t location_len;
	unsigned depth;			/* container nesting */
	uint64_t opcodes;		/* pickle opcodes decoded so far */
	uint64_t decompressed;		/* decompressed bytes so far */
	uint64_t compressed_in;		/* compressed bytes fed to filters */
	unsigned alt_scans;		/* re-scans after STOP-in-frame */
	int status;			/* sticky PW_ERR_NOMEM / PW_ERR_IO */
	bool limit_hit;			/* some cap was reached */
};

/* Records a finding at the current location.  Strings are copied; the
 * reason is printf-formatted.  Never fails: on allocation failure it sets
 * ctx->status to PW_ERR_NOMEM. */
void scan_report(struct scan_ctx *ctx, enum pw_severity sev,
		 enum pw_finding_kind kind, const char *opcode,
		 uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* The same for an import or call of a global: module and name as written,
 * global as resolved (any may be NULL). */
void scan_report_global(struct scan_ctx *ctx, enum pw_severity sev,
			enum pw_finding_kind kind, const char *global,
			const char *module, const char *name,
			const char *opcode, uint64_t offset,
			const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
/* Reports that a cap was hit (an error finding naming the limit). */
void scan_limit(struct scan_ctx *ctx, uint64_t offset, const char *what);

/* Sets the result's format name if it has none yet (outermost wins). */
void scan_set_format(struct scan_ctx *ctx, const char *format);

/*
 * Enters a container member: pushes "name" on the location path (joined
 * with "/" inside one container is the caller's business; levels are
 * joined with "!") and checks the depth limit.  Returns false (having
 * reported the limit) when the member must not be entered; otherwise the
 * caller must call scan_leave(ctx, saved) with the value put in *ret_saved.
 */
bool scan_enter(struct scan_ctx *ctx, const char *name, size_t *ret_saved);
void scan_leave(struct scan_ctx *ctx, size_t saved);

/* Accounts decompressed bytes against the absolute and ratio caps; returns
 * false (having reported the limit) when the scan must stop decompressing. */
bool scan_account_decompressed(struct scan_ctx *ctx, uint64_t out_bytes,
			       uint64_t in_bytes, uint64_t offset);

/* True once the scan must stop (out of memory, I/O error). */
static inline bool
scan_aborted(const struct scan_ctx *ctx)
{
	return ctx->status != PW_OK;
}

/*
 * Dispatch.  scan_source() sniffs a random-access source and runs the
 * matching parser; scan_stream() does the same for sequential content
 * (a decompressed member), buffering it in memory (up to
 * PW_MAX_MEMBER_BUFFER) only when its format needs random access.
 * Both return PW_OK or a fatal status (NOMEM, IO); verdicts are findings.
 */
int scan_source(struct scan_ctx *ctx, const struct source *src);
int scan_stream(struct scan_ctx *ctx, struct stream *st);

#endif
