/*
 * scan_result.h - what the agent knows about one scanned file, whether the
 * scan ran in this process or in a sandboxed worker.
 *
 * The library's pw_result is opaque and has no public constructor, so a
 * result that crossed the worker socket cannot be rebuilt as one.  The
 * agent's consumers (report, decide, log, quarantine) read this struct
 * through accessors that mirror pw_result_*; a finding is the library's
 * public struct pw_finding, so code that walks findings is unchanged.
 */
#ifndef PW_AGENT_SCAN_RESULT_H
#define PW_AGENT_SCAN_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "picklewarden.h"

/*
 * A finding kind the library never produces: the scan worker died (a
 * signal, a crash, a seccomp kill) while it held the file.  The deadline
 * overrun is reported as PW_KIND_LIMIT instead.  Far above the library's
 * append-only enum so the two never meet.
 */
#define SCAN_KIND_CRASH ((enum pw_finding_kind)1000)

struct scan_result {
	enum pw_verdict verdict;
	char *format;		/* owned, never NULL */
	uint64_t bytes_read, bytes_total, opcodes;
	struct pw_finding *findings; /* owned, and every string in them */
	size_t count;
	bool executable;	/* a loader would execute it (see
				   pw_result_executable); a failed worker:
				   true, to fail closed */
	bool worker_failed;	/* made by scan_result_failure: no worker
				   finished this file */
};

/* A new empty result (verdict clean, format "unknown"), or NULL. */
struct scan_result *scan_result_new(void);
/* Frees the result and its findings; NULL is a no-op. */
void scan_result_free(struct scan_result *res);

/* Sets the format (copied).  Returns 0, or -1 when out of memory. */
int scan_result_set_format(struct scan_result *res, const char *format);
/* Appends a copy of f (every string copied; location and reason NULL
 * become "").  Raises the verdict to the finding's severity.  Returns 0,
 * or -1 when out of memory. */
int scan_result_add(struct scan_result *res, const struct pw_finding *f);

/* A deep copy of a library result: *ret on success (returns PW_OK), or
 * PW_ERR_NOMEM. */
int scan_result_from_pw(const struct pw_result *pw, struct scan_result **ret);

/*
 * A result that says the file could not be analysed because the worker
 * scanning it died or overran: verdict error, one error finding of the
 * given kind (SCAN_KIND_CRASH or PW_KIND_LIMIT) with reason why.
 * Returns PW_OK or PW_ERR_NOMEM.
 */
int scan_result_failure(enum pw_finding_kind kind, const char *why,
			struct scan_result **ret);

/* True for a result made by scan_result_failure: the worker died or
 * overran on this file, so scanning it again would do the same. */
bool scan_result_worker_failed(const struct scan_result *res);

/* Accessors, named after the library's. */
enum pw_verdict scan_result_verdict(const struct scan_result *res);
const char *scan_result_format(const struct scan_result *res);
size_t scan_result_finding_count(const struct scan_result *res);
/* The i-th finding, or NULL when i is out of range. */
const struct pw_finding *scan_result_finding(const struct scan_result *res,
					     size_t i);
uint64_t scan_result_bytes_read(const struct scan_result *res);
uint64_t scan_result_bytes_total(const struct scan_result *res);
uint64_t scan_result_opcodes(const struct scan_result *res);
bool scan_result_executable(const struct scan_result *res);
/*
 * pw_result_prefix_final for a result that may have crossed the worker
 * socket: true when it holds a malicious import or call finding.  (The
 * library also counts such findings dropped over max_findings; one that
 * was dropped here only delays the decision to the full scan.)
 */
bool scan_result_prefix_final(const struct scan_result *res);

/*
 * A result for a scan the library could not finish (status PW_ERR_NOMEM:
 * the file needs more memory than a scan may have; PW_ERR_IO: reading it
 * failed): verdict error, judged as a file a loader would run, so the
 * fail-closed default applies.  Without it a file that exhausts the
 * scanner's memory would get no verdict at all and stay where it is.
 * Returns PW_OK and *ret, status itself for any other status, or
 * PW_ERR_NOMEM.
 */
int scan_result_unfinished(int status, struct scan_result **ret);

/* pw_kind_name, plus "crash" for SCAN_KIND_CRASH; never NULL. */
const char *scan_kind_name(enum pw_finding_kind kind);

#endif
