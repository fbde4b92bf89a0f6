#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent/sandbox/scan_result.h"

struct scan_result *
scan_result_new(void)
{
	struct scan_result *res = calloc(1, sizeof(*res));

	if (res == NULL)
		return NULL;
	res->verdict = PW_VERDICT_CLEAN;
	res->format = strdup("unknown");
	if (res->format == NULL) {
		free(res);
		return NULL;
	}
	return res;
}

static void
finding_clear(struct pw_finding *f)
{
	free((char *)f->global);
	free((char *)f->module);
	free((char *)f->name);
	free((char *)f->opcode);
	free((char *)f->location);
	free((char *)f->reason);
}

void
scan_result_free(struct scan_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->count; i++)
		finding_clear(&res->findings[i]);
	free(res->findings);
	free(res->format);
	free(res);
}

int
scan_result_set_format(struct scan_result *res, const char *format)
{
	char *s = strdup(format);

	if (s == NULL)
		return -1;
	free(res->format);
	res->format = s;
	return 0;
}

static int
dup_opt(const char *s, const char *dflt, const char **ret)
{
	if (s == NULL)
		s = dflt;
	*ret = NULL;
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -1;
}

int
scan_result_add(struct scan_result *res, const struct pw_finding *f)
{
	struct pw_finding copy, *n;

	memset(&copy, 0, sizeof(copy));
	copy.severity = f->severity;
	copy.kind = f->kind;
	copy.offset = f->offset;
	if (dup_opt(f->global, NULL, &copy.global) != 0 ||
	    dup_opt(f->module, NULL, &copy.module) != 0 ||
	    dup_opt(f->name, NULL, &copy.name) != 0 ||
	    dup_opt(f->opcode, NULL, &copy.opcode) != 0 ||
	    dup_opt(f->location, "", &copy.location) != 0 ||
	    dup_opt(f->reason, "", &copy.reason) != 0)
		goto fail;
	/* Grows one at a time: results hold at most max_findings (1000 by
	 * default), and a copy is made once per file. */
	n = reallocarray(res->findings, res->count + 1, sizeof(*n));
	if (n == NULL)
		goto fail;
	res->findings = n;
	res->findings[res->count++] = copy;
	/* Severities and verdicts share their numbering (info = clean). */
	if ((int)f->severity > (int)res->verdict)
		res->verdict = (enum pw_verdict)f->severity;
	return 0;
fail:
	finding_clear(&copy);
	return -1;
}

int
scan_result_from_pw(const struct pw_result *pw, struct scan_result **ret)
{
	struct scan_result *res = scan_result_new();
	size_t i, n = pw_result_finding_count(pw);

	if (res == NULL)
		return PW_ERR_NOMEM;
	if (scan_result_set_format(res, pw_result_format(pw)) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (scan_result_add(res, pw_result_finding(pw, i)) != 0)
			goto fail;
	/* The library's verdict may be worse than its kept findings (a
	 * finding over max_findings still counts). */
	res->verdict = pw_result_verdict(pw);
	res->bytes_read = pw_result_bytes_read(pw);
	res->bytes_total = pw_result_bytes_total(pw);
	res->opcodes = pw_result_opcodes(pw);
	res->executable = pw_result_executable(pw);
	*ret = res;
	return PW_OK;
fail:
	scan_result_free(res);
	return PW_ERR_NOMEM;
}

/* A verdict-error result with one error finding; worker_failed says
 * whether a worker died for it (scan_result_failure) or the library
 * said it could not finish (scan_result_unfinished). */
static int
error_result(enum pw_finding_kind kind, const char *why, bool worker_failed,
	     struct scan_result **ret)
{
	struct scan_result *res = scan_result_new();
	struct pw_finding f;

	if (res == NULL)
		return PW_ERR_NOMEM;
	memset(&f, 0, sizeof(f));
	f.severity = PW_SEV_ERROR;
	f.kind = kind;
	f.location = "";
	f.reason = why;
	if (scan_result_add(res, &f) != 0) {
		scan_result_free(res);
		return PW_ERR_NOMEM;
	}
	res->worker_failed = worker_failed;
	/* A file that could not be judged is judged as one a loader would
	 * run: the fail-closed default for errors then applies. */
	res->executable = true;
	*ret = res;
	return PW_OK;
}

int
scan_result_failure(enum pw_finding_kind kind, const char *why,
		    struct scan_result **ret)
{
	return error_result(kind, why, true, ret);
}

int
scan_result_unfinished(int status, struct scan_result **ret)
{
	if (status == PW_ERR_NOMEM)
		return error_result(PW_KIND_LIMIT,
				    "the scan ran out of memory: the file "
				    "needs more than a scan may use "
				    "([agent] worker_memory)", false, ret);
	if (status == PW_ERR_IO)
		return error_result(PW_KIND_PARSE,
				    "reading the file failed during the scan",
				    false, ret);
	return status;
}

bool
scan_result_worker_failed(const struct scan_result *res)
{
	return res->worker_failed;
}

enum pw_verdict
scan_result_verdict(const struct scan_result *res)
{
	return res->verdict;
}

const char *
scan_result_format(const struct scan_result *res)
{
	return res->format;
}

size_t
scan_result_finding_count(const struct scan_result *res)
{
	return res->count;
}

const struct pw_finding *
scan_result_finding(const struct scan_result *res, size_t i)
{
	return i < res->count ? &res->findings[i] : NULL;
}

uint64_t
scan_result_bytes_read(const struct scan_result *res)
{
	return res->bytes_read;
}

uint64_t
scan_result_bytes_total(const struct scan_result *res)
{
	return res->bytes_total;
}

uint64_t
scan_result_opcodes(const struct scan_result *res)
{
	return res->opcodes;
}

const char *
scan_kind_name(enum pw_finding_kind kind)
{
	if (kind == SCAN_KIND_CRASH)
		return "crash";
	return pw_kind_name(kind);
}

bool
scan_result_executable(const struct scan_result *res)
{
	return res->executable;
}

bool
scan_result_prefix_final(const struct scan_result *res)
{
	size_t i;

	if (res == NULL || res->verdict != PW_VERDICT_MALICIOUS)
		return false;
	for (i = 0; i < res->count; i++)
		if (res->findings[i].severity == PW_SEV_MALICIOUS &&
		    (res->findings[i].kind == PW_KIND_IMPORT ||
		     res->findings[i].kind == PW_KIND_CALL))
			return true;
	return false;
}
