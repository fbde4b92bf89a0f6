/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "agent/store/escape.h"
#include "agent/cli/report.h"

size_t
report_worst_finding(const struct scan_result *res)
{
	size_t i, n = scan_result_finding_count(res), best = (size_t)-1;
	enum pw_severity worst = PW_SEV_INFO;

	for (i = 0; i < n; i++) {
		const struct pw_finding *f = scan_result_finding(res, i);

		if (f->severity > worst) {
			worst = f->severity;
			best = i;
		}
	}
	return best;
}

void
report_location(const char *path, const struct pw_finding *f, char *buf,
		size_t cap)
{
	char raw[8192];

	snprintf(raw, sizeof(raw), "%s%s%s@%" PRIu64, path,
		 f->location[0] ? "!" : "", f->location, f->offset);
	escape_text_buf(raw, buf, cap);
}

static void
text_finding(FILE *out, const char *path, const struct pw_finding *f)
{
	char loc[2048], glob[1024], reason[1024];

	report_location(path, f, loc, sizeof(loc));
	escape_text_buf(f->global ? f->global : "", glob, sizeof(glob));
	escape_text_buf(f->reason, reason, sizeof(reason));
	fprintf(out, "%s %s%s%s%s%s at %s: %s", pw_severity_name(f->severity),
		scan_kind_name(f->kind), f->global ? " " : "", glob,
		f->opcode ? " via " : "", f->opcode ? f->opcode : "", loc,
		reason);
}

void
report_text_file(FILE *out, const char *path, const struct scan_result *res,
		 bool all)
{
	char epath[4096];
	size_t worst = report_worst_finding(res), i, n, shown = 0, more = 0;

	escape_text_buf(path, epath, sizeof(epath));
	fprintf(out, "%s: %s (%s)", epath,
		pw_verdict_name(scan_result_verdict(res)),
		scan_result_format(res));
	n = scan_result_finding_count(res);
	if (worst != (size_t)-1) {
		fputs(" -- ", out);
		text_finding(out, path, scan_result_finding(res, worst));
		shown = 1;
	}
	for (i = 0; i < n; i++)
		if (i != worst &&
		    (all || scan_result_finding(res, i)->severity > PW_SEV_INFO))
			more++;
	if (more > 0 && !all)
		fprintf(out, " (+%zu more)", more);
	fputc('\n', out);
	if (all) {
		for (i = 0; i < n; i++) {
			if (shown && i == worst)
				continue;
			fputs("    ", out);
			text_finding(out, path, scan_result_finding(res, i));
			fputc('\n', out);
		}
	}
}

void
report_text_failure(FILE *out, const char *path, const char *why)
{
	char epath[4096], ewhy[512];

	escape_text_buf(path, epath, sizeof(epath));
	escape_text_buf(why, ewhy, sizeof(ewhy));
	fprintf(out, "%s: error -- %s\n", epath, ewhy);
}

void
report_text_skipped(FILE *out, const char *path, const char *why)
{
	char epath[4096], ewhy[512];

	escape_text_buf(path, epath, sizeof(epath));
	escape_text_buf(why, ewhy, sizeof(ewhy));
	fprintf(out, "%s: skipped -- %s\n", epath, ewhy);
}

/* JSON keeps commas right by tracking whether an entry was written. */
static bool json_first_entry;

void
report_json_begin(FILE *out)
{
	json_first_entry = true;
	fputs("{\"files\":[", out);
}

static void
json_sep(FILE *out)
{
	if (!json_first_entry)
		fputc(',', out);
	json_first_entry = false;
}

static void
json_kv(FILE *out, const char *key, const char *val, bool comma)
{
	escape_json_write(out, key);
	fputc(':', out);
	if (val == NULL)
		fputs("null", out);
	else
		escape_json_write(out, val);
	if (comma)
		fputc(',', out);
}

void
report_json_file(FILE *out, const char *path, const struct scan_result *res,
		 bool all)
{
	size_t i, n = scan_result_finding_count(res);
	bool first = true;

	json_sep(out);
	fputc('{', out);
	json_kv(out, "path", path, true);
	json_kv(out, "verdict", pw_verdict_name(scan_result_verdict(res)), true);
	json_kv(out, "format", scan_result_format(res), true);
	fprintf(out, "\"size\":%" PRIu64 ",\"bytes_read\":%" PRIu64
		     ",\"opcodes\":%" PRIu64 ",\"executable\":%s"
		     ",\"findings\":[",
		scan_result_bytes_total(res), scan_result_bytes_read(res),
		scan_result_opcodes(res),
		scan_result_executable(res) ? "true" : "false");
	for (i = 0; i < n; i++) {
		const struct pw_finding *f = scan_result_finding(res, i);

		if (!all && f->severity == PW_SEV_INFO)
			continue;
		if (!first)
			fputc(',', out);
		first = false;
		fputc('{', out);
		json_kv(out, "severity", pw_severity_name(f->severity), true);
		json_kv(out, "kind", scan_kind_name(f->kind), true);
		json_kv(out, "global", f->global, true);
		json_kv(out, "module", f->module, true);
		json_kv(out, "name", f->name, true);
		json_kv(out, "opcode", f->opcode, true);
		fprintf(out, "\"offset\":%" PRIu64 ",", f->offset);
		json_kv(out, "location", f->location, true);
		json_kv(out, "reason", f->reason, false);
		fputc('}', out);
	}
	fputs("]}", out);
}

/* A file that got no scan result: it failed (verdict "error", a finding
 * of severity error) or was skipped (verdict "skipped", severity info). */
enum report_outcome {
	REPORT_FAILED,
	REPORT_SKIPPED,
};

static void
json_simple(FILE *out, const char *path, enum report_outcome outcome,
	    const char *why)
{
	const char *verdict = outcome == REPORT_FAILED ? "error" : "skipped";

	json_sep(out);
	fputc('{', out);
	json_kv(out, "path", path, true);
	json_kv(out, "verdict", verdict, true);
	json_kv(out, "format", NULL, true);
	fputs("\"findings\":[{", out);
	json_kv(out, "severity", outcome == REPORT_FAILED ? "error" : "info",
		true);
	json_kv(out, "kind", "parse", true);
	json_kv(out, "global", NULL, true);
	json_kv(out, "module", NULL, true);
	json_kv(out, "name", NULL, true);
	json_kv(out, "opcode", NULL, true);
	fputs("\"offset\":0,", out);
	json_kv(out, "location", "", true);
	json_kv(out, "reason", why, false);
	fputs("}]}", out);
}

void
report_json_failure(FILE *out, const char *path, const char *why)
{
	json_simple(out, path, REPORT_FAILED, why);
}

void
report_json_skipped(FILE *out, const char *path, const char *why)
{
	json_simple(out, path, REPORT_SKIPPED, why);
}

void
report_json_end(FILE *out, const struct report_totals *t)
{
	fprintf(out,
		"],\"summary\":{\"files\":%lu,\"clean\":%lu,\"suspicious\":%lu,"
		"\"malicious\":%lu,\"error\":%lu,\"skipped\":%lu}}\n",
		t->files, t->clean, t->suspicious, t->malicious, t->error,
		t->skipped);
}
