/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "result.h"

int
result_new(size_t max_findings, struct pw_result **ret)
{
	struct pw_result *res = calloc(1, sizeof(*res));

	if (res == NULL)
		return PW_ERR_NOMEM;
	res->max_findings = max_findings ? max_findings : 1;
	res->verdict = PW_VERDICT_CLEAN;
	res->format = FMT_UNKNOWN;
	*ret = res;
	return PW_OK;
}

static void
finding_clear(struct pw_finding *f)
{
	free((char *)f->global);
	free((char *)f->module);
	free((char *)f->name);
	free((char *)f->location);
	free((char *)f->reason);
}

static enum pw_verdict
severity_verdict(enum pw_severity sev)
{
	switch (sev) {
	case PW_SEV_MALICIOUS:
		return PW_VERDICT_MALICIOUS;
	case PW_SEV_ERROR:
		return PW_VERDICT_ERROR;
	case PW_SEV_SUSPICIOUS:
		return PW_VERDICT_SUSPICIOUS;
	default:
		return PW_VERDICT_CLEAN;
	}
}

static bool
dup_opt(const char *s, const char **ret)
{
	*ret = NULL;
	if (s == NULL)
		return true;
	*ret = strdup(s);
	return *ret != NULL;
}

int
result_add(struct pw_result *res, const struct pw_finding *f)
{
	struct pw_finding copy;
	enum pw_verdict v = severity_verdict(f->severity);
	size_t i;

	if (v > res->verdict)
		res->verdict = v;
	if (res->count >= res->max_findings) {
		/* The list is for display only (no decision reads it back):
		 * keep the worst, replacing the first of the least severe
		 * findings when this one is more severe. */
		size_t least;

		/* The least severe kept finding is cached: a flood of
		 * findings over the cap (a hundred thousand broken members)
		 * costs O(1) each, not a walk of the list. */
		if (res->count == 0 || f->severity <= res->least_sev) {
			res->dropped++;
			return PW_OK;
		}
		least = 0;
		for (i = 1; i < res->count; i++)
			if (res->findings[i].severity <
			    res->findings[least].severity)
				least = i;
		i = least;
		finding_clear(&res->findings[i]);
		memmove(&res->findings[i], &res->findings[i + 1],
			(res->count - i - 1) * sizeof(*res->findings));
		res->count--;
		res->dropped++;
	}
	if (res->count == res->cap) {
		size_t ncap = res->cap ? res->cap * 2 : 16;
		struct pw_finding *n = reallocarray(res->findings, ncap,
						    sizeof(*n));

		if (n == NULL)
			return PW_ERR_NOMEM;
		res->findings = n;
		res->cap = ncap;
	}
	memset(&copy, 0, sizeof(copy));
	copy.severity = f->severity;
	copy.kind = f->kind;
	copy.offset = f->offset;
	copy.opcode = f->opcode;	/* static opcode names */
	if (!dup_opt(f->global, &copy.global) ||
	    !dup_opt(f->module, &copy.module) ||
	    !dup_opt(f->name, &copy.name) ||
	    !dup_opt(f->location ? f->location : "", &copy.location) ||
	    !dup_opt(f->reason ? f->reason : "", &copy.reason)) {
		finding_clear(&copy);
		return PW_ERR_NOMEM;
	}
	res->findings[res->count++] = copy;
	if (res->count >= res->max_findings) {
		enum pw_severity m = res->findings[0].severity;

		for (i = 1; i < res->count; i++)
			if (res->findings[i].severity < m)
				m = res->findings[i].severity;
		res->least_sev = m;
	}
	return PW_OK;
}

int
result_finish(struct pw_result *res)
{
	(void)res;
	return PW_OK;
}

void
pw_result_free(struct pw_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->count; i++)
		finding_clear(&res->findings[i]);
	free(res->findings);
	free(res);
}

enum pw_verdict
pw_result_verdict(const struct pw_result *res)
{
	return res->verdict;
}

const char *
pw_result_format(const struct pw_result *res)
{
	return format_name(res->format);
}

size_t
pw_result_finding_count(const struct pw_result *res)
{
	return res->count;
}

const struct pw_finding *
pw_result_finding(const struct pw_result *res, size_t i)
{
	return i < res->count ? &res->findings[i] : NULL;
}

bool
pw_result_executable(const struct pw_result *res)
{
	return res->executable;
}

bool
pw_result_prefix_final(const struct pw_result *res)
{
	return res != NULL && res->exec_malicious;
}

uint64_t
pw_result_bytes_read(const struct pw_result *res)
{
	return res->bytes_read;
}

uint64_t
pw_result_bytes_total(const struct pw_result *res)
{
	return res->bytes_total;
}

uint64_t
pw_result_opcodes(const struct pw_result *res)
{
	return res->opcodes;
}
