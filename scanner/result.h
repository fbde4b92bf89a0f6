/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result.h - building a pw_result (internal).
 */
#ifndef PW_RESULT_H
#define PW_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats.h"
#include "picklewarden.h"

struct pw_result {
	struct pw_finding *findings;
	size_t count, cap;
	size_t max_findings;
	uint64_t dropped;	/* findings over the cap */
	enum pw_severity least_sev;	/* least severe kept, once full */
	enum pw_verdict verdict;
	enum pw_format format;	/* FMT_UNKNOWN until a parser sets it */
	uint64_t bytes_read;
	uint64_t bytes_total;
	uint64_t opcodes;
	bool executable;	/* a loader would execute it (pw_result_executable) */
	bool exec_malicious;	/* a malicious import or call was reported
				   (pw_result_prefix_final), kept even when
				   the finding itself is over the cap */
};

int result_new(size_t max_findings, struct pw_result **ret);
/* Appends a finding, copying every string.  Returns PW_OK or NOMEM. */
int result_add(struct pw_result *res, const struct pw_finding *f);
/* Closes a result: adds a summary of dropped findings. */
int result_finish(struct pw_result *res);

#endif
