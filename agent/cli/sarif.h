/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sarif.h - `picklewarden scan --sarif`: the scan as one SARIF 2.1.0 log,
 * for code-scanning dashboards in CI.
 *
 * One run; one result per finding (info findings only with --all); the
 * rule of a result is its finding kind and severity ("import/malicious");
 * the level follows the severity (malicious: error, error: warning,
 * suspicious: note, info: none).  Each result names the file (a URI) and,
 * as a logical location, the container path inside it.  Files that could
 * not be read are results of rule "parse/error"; skipped files (symlinks,
 * special files) are tool notifications, not results.
 */
#ifndef PW_AGENT_CLI_SARIF_H
#define PW_AGENT_CLI_SARIF_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

struct sarif_writer;

/* Starts a log on out (which stays the caller's).  Writes *ret only on
 * success; returns 0, or -1 with errno set (out of memory). */
int sarif_begin(FILE *out, struct sarif_writer **ret);

/* One scanned file: a result per finding above info (every finding with
 * all).  path is the name as given on the command line. */
void sarif_file(struct sarif_writer *w, const char *path,
		const struct scan_result *res, bool all);
/* A file with no result (unreadable): one "parse/error" result. */
void sarif_failure(struct sarif_writer *w, const char *path, const char *why);
/* A file not scanned on purpose: a notification of the invocation. */
void sarif_skipped(struct sarif_writer *w, const char *path, const char *why);

/* Closes the log and frees w; NULL is a no-op. */
void sarif_end(struct sarif_writer *w);

#endif
