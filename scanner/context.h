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

#include "formats.h"
#include "pw_limits.h"
#include "picklewarden.h"
#include "source.h"
#include "stream.h"

struct pw_result;
struct scanner_lists;

struct scan_hooks;

struct scan_ctx {
	const struct pw_scanner *scanner;
	const struct scan_hooks *hooks;	/* handed by the dispatcher */
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
	/*
	 * Facts that decisions need, kept here and never read back from the
	 * result's findings: that list is capped for display (max_findings)
	 * and drops entries, so a decision made from it would change with
	 * the cap.  "Executes" means an import or a call was reported.
	 */
	uint64_t executed;		/* import/call findings, everywhere */
	uint64_t executed_here;		/* ... at the current location, since
					   it was entered */
	uint64_t executed_outer[PW_EXEC_TRACK_DEPTH]; /* saved per level */
	/* A trial reading (dispatch.c): findings are not recorded, only the
	 * worst severity seen, so that the result (and its verdict) never
	 * depends on the findings cap. */
	bool mute;
	enum pw_severity mute_worst;
	uint64_t errors;		/* error findings reported (muted too) */
	/* Stopping (pw_options_set_deadline/_timeout_ms/_abort_flag). */
	bool can_stop;			/* a deadline or a flag is set */
	bool stopped;			/* it was hit: everything unwinds */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC, UINT64_MAX = none */
	const volatile int *abort_flag;
	/* pw_scan_fd_prefix: the source is the first bytes of a file still
	 * being written.  Only what a loader reads from offset 0 is read
	 * (no readings that look for content elsewhere in the file). */
	bool prefix;
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

/* Records that a loader would execute the file (pw_result_executable):
 * some reading reached pickle code that runs, or a stream on a loader's
 * path could not be decoded to its end. */
void scan_mark_executable(struct scan_ctx *ctx);

/* Sets the result's format name if it has none yet (outermost wins). */
void scan_set_format(struct scan_ctx *ctx, enum pw_format format);
/*
 * Renames the outermost format (FMT_ZIP -> FMT_PYTORCH_ZIP) once a parser
 * knows better than the sniffer.  Only at depth 0 and only when the format
 * is still `from`.
 */
void scan_relabel(struct scan_ctx *ctx, enum pw_format from,
		  enum pw_format to);

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

/* Number of import/call findings reported so far in this scan; the
 * difference of two readings says whether what ran in between executes. */
static inline uint64_t
scan_exec_mark(const struct scan_ctx *ctx)
{
	return ctx->executed;
}

static inline bool
scan_executed_since(const struct scan_ctx *ctx, uint64_t mark)
{
	return ctx->executed != mark;
}

/* True when something at exactly the current location (not in a member
 * nested below it) imported or called, since the location was entered. */
static inline bool
scan_executed_here(const struct scan_ctx *ctx)
{
	return ctx->executed_here != 0;
}

/* True once the scan must stop (out of memory, I/O error, or the caller's
 * deadline or abort flag was seen). */
static inline bool
scan_aborted(const struct scan_ctx *ctx)
{
	return ctx->status != PW_OK || ctx->stopped;
}

/* Checks the caller's deadline and abort flag (cheap when neither is set);
 * the first time one is hit it reports a limit finding.  True when the scan
 * must stop. */
bool scan_check_stop(struct scan_ctx *ctx, uint64_t offset);

/*
 * Nested content.  The layers run one way: dispatch -> containers -> the
 * pickle machine -> names and lists.  A container or the pickle machine
 * reaches a nested stream (a zip member, a decompressed stream, a nested
 * loader's payload) or joblib's raw array data only through these hooks,
 * which the dispatcher (dispatch.c) hands to every scan; neither includes
 * or calls the layer above it.
 */
struct pv;
struct scan_hooks {
	/* Sniff a random-access source and run the matching parser. */
	int (*scan_source)(struct scan_ctx *ctx, const struct source *src);
	/* The same for sequential content (buffered in memory, up to
	 * PW_MAX_MEMBER_BUFFER, only when its format needs random access). */
	int (*scan_stream)(struct scan_ctx *ctx, struct stream *st);
	/* joblib's raw array data, right after the BUILD of its
	 * NumpyArrayWrapper (container/joblib.c: joblib_read_array). */
	int (*raw_array)(struct scan_ctx *ctx, struct stream *st,
			 const struct pv *state);
};

/* Both return PW_OK or a fatal status (NOMEM, IO); verdicts are findings. */
static inline int
scan_source(struct scan_ctx *ctx, const struct source *src)
{
	return ctx->hooks->scan_source(ctx, src);
}

static inline int
scan_stream(struct scan_ctx *ctx, struct stream *st)
{
	return ctx->hooks->scan_stream(ctx, st);
}

#endif
