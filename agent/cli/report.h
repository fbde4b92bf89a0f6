/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h - how `picklewarden scan` prints results: one escaped line per
 * file, or a JSON document.
 */
#ifndef PW_AGENT_REPORT_H
#define PW_AGENT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

struct report_totals {
	unsigned long files, clean, suspicious, malicious, error, skipped;
};

/* The index of the worst finding of a result (first among equals), or
 * (size_t)-1 when it has none above info. */
size_t report_worst_finding(const struct scan_result *res);

/* "model.pt!archive/data.pkl@123" for a finding, escaped, into buf. */
void report_location(const char *path, const struct pw_finding *f, char *buf,
		     size_t cap);

void report_text_file(FILE *out, const char *path,
		      const struct scan_result *res, bool all);
/* A file that could not be scanned (no result): verdict "error". */
void report_text_failure(FILE *out, const char *path, const char *why);
void report_text_skipped(FILE *out, const char *path, const char *why);

/* JSON: begin, one entry per file, end with the summary. */
void report_json_begin(FILE *out);
void report_json_file(FILE *out, const char *path,
		      const struct scan_result *res, bool all);
void report_json_failure(FILE *out, const char *path, const char *why);
void report_json_skipped(FILE *out, const char *path, const char *why);
void report_json_end(FILE *out, const struct report_totals *t);

#endif
