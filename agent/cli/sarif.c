/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sarif.c - the SARIF 2.1.0 writer of `picklewarden scan --sarif`.
 *
 * Results are streamed as files are scanned (a scan of a large tree never
 * holds its findings in memory); the rules are a fixed table written
 * first, and the few skip notifications are kept in a memory stream until
 * the end, where they go into the run's invocation.  Every string that
 * came from a file or a file name goes through escape_json_write, so the
 * log is valid JSON (and valid UTF-8) whatever the names hold.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/sarif.h"
#include "agent/store/escape.h"

/* Severities and kinds are append-only enums of the library; the rule
 * table covers those this writer knows.  A newer kind or severity still
 * gets a result, under the catch-all rule "other". */
#define SARIF_NSEV (PW_SEV_MALICIOUS + 1)
#define SARIF_NKIND (PW_KIND_PARSE + 1)
#define SARIF_RULE_OTHER (SARIF_NKIND * SARIF_NSEV)

/* Messages are one line built from at most a path, a container path, a
 * global and a reason; longer ones are cut (the JSON report has it all). */
#define SARIF_MESSAGE_MAX 4096

struct sarif_writer {
	FILE *out;		/* the caller's */
	bool first_result;
	FILE *notes;		/* skip notifications, JSON, comma-separated */
	char *notes_buf;
	size_t notes_len;
	bool first_note;
};

static const char *const kind_text[SARIF_NKIND] = {
	[PW_KIND_IMPORT] = "a global the unpickler would import",
	[PW_KIND_CALL] = "a call of a resolved or unknown callable",
	[PW_KIND_STRUCTURE] = "a structural anomaly of a pickle stream",
	[PW_KIND_DIFFERENTIAL] =
	    "a structure on which the two CPython unpicklers execute "
	    "different things",
	[PW_KIND_CONTAINER] =
	    "a container anomaly (CRC, flag bits, duplicate or mismatched "
	    "names, polyglot)",
	[PW_KIND_LIMIT] = "an analysis limit was hit before a verdict",
	[PW_KIND_PARSE] = "data a loader would read could not be parsed, or "
			  "the file could not be read",
};

static const char *const sev_text[SARIF_NSEV] = {
	[PW_SEV_INFO] = "Informational (allowlisted, shown with --all)",
	[PW_SEV_SUSPICIOUS] =
	    "Suspicious: outside the allowlist, nothing known-dangerous",
	[PW_SEV_ERROR] = "Inconclusive: the file could not be analysed to "
			 "the end, so it is not known to be clean",
	[PW_SEV_MALICIOUS] = "Malicious: loading this file runs code",
};

/* SARIF levels: "error" fails a code-scanning gate, as a malicious file
 * fails `scan`; an inconclusive file must be looked at ("warning"); a
 * suspicious global is a "note" to allow or remove. */
static const char *
level_of(enum pw_severity s)
{
	switch (s) {
	case PW_SEV_MALICIOUS:
		return "error";
	case PW_SEV_ERROR:
		return "warning";
	case PW_SEV_SUSPICIOUS:
		return "note";
	case PW_SEV_INFO:
		return "none";
	}
	return "warning";
}

/* GitHub code scanning ranks security alerts by this property (0-10). */
static const char *
security_severity_of(enum pw_severity s)
{
	switch (s) {
	case PW_SEV_MALICIOUS:
		return "9.8";
	case PW_SEV_ERROR:
		return "5.0";
	case PW_SEV_SUSPICIOUS:
		return "3.0";
	case PW_SEV_INFO:
		return "0.0";
	}
	return "5.0";
}

static unsigned
rule_index(enum pw_finding_kind k, enum pw_severity s)
{
	if ((unsigned)k >= SARIF_NKIND || (unsigned)s >= SARIF_NSEV)
		return SARIF_RULE_OTHER;
	return (unsigned)k * SARIF_NSEV + (unsigned)s;
}

static void
write_rule_id(FILE *out, unsigned idx)
{
	if (idx == SARIF_RULE_OTHER)
		fputs("\"other\"", out);
	else
		fprintf(out, "\"%s/%s\"",
			scan_kind_name((enum pw_finding_kind)(idx / SARIF_NSEV)),
			pw_severity_name((enum pw_severity)(idx % SARIF_NSEV)));
}

static void
write_rules(FILE *out)
{
	unsigned idx;
	char text[512];

	fputs("\"rules\":[", out);
	for (idx = 0; idx <= SARIF_RULE_OTHER; idx++) {
		enum pw_finding_kind k = (enum pw_finding_kind)(idx / SARIF_NSEV);
		enum pw_severity s = (enum pw_severity)(idx % SARIF_NSEV);

		if (idx > 0)
			fputc(',', out);
		fputs("{\"id\":", out);
		write_rule_id(out, idx);
		if (idx == SARIF_RULE_OTHER) {
			fputs(",\"shortDescription\":{\"text\":\"A finding of a "
			      "kind or severity newer than this writer\"},"
			      "\"defaultConfiguration\":{\"level\":\"warning\"}}",
			      out);
			continue;
		}
		snprintf(text, sizeof(text), "%s: %s", sev_text[s],
			 kind_text[k]);
		fputs(",\"shortDescription\":{\"text\":", out);
		escape_json_write(out, text);
		fputs("},\"helpUri\":\"man:picklewarden(1)\","
		      "\"defaultConfiguration\":{\"level\":\"", out);
		fputs(level_of(s), out);
		fputs("\"},\"properties\":{\"tags\":[\"security\"],"
		      "\"security-severity\":\"", out);
		fputs(security_severity_of(s), out);
		fputs("\"}}", out);
	}
	fputc(']', out);
}

int
sarif_begin(FILE *out, struct sarif_writer **ret)
{
	struct sarif_writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->notes = open_memstream(&w->notes_buf, &w->notes_len);
	if (w->notes == NULL) {
		free(w);
		return -1;
	}
	w->out = out;
	w->first_result = true;
	w->first_note = true;
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	      "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
	      "\"name\":\"picklewarden\"", out);
	/* configure's AC_INIT gives no home page yet: leave it out
	 * rather than write an empty URI. */
	if (PACKAGE_URL[0] != '\0') {
		fputs(",\"informationUri\":", out);
		escape_json_write(out, PACKAGE_URL);
	}
	fputs(",\"version\":", out);
	escape_json_write(out, pw_version());
	fputs(",\"semanticVersion\":", out);
	escape_json_write(out, pw_version());
	fputc(',', out);
	write_rules(out);
	fputs("}},\"columnKind\":\"unicodeCodePoints\",\"results\":[", out);
	*ret = w;
	return 0;
}

static bool
uri_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '/';
}

/* A path as a URI reference: absolute paths become file:// URIs, relative
 * ones stay relative (dashboards resolve them against the checkout).  Every
 * byte but the unreserved ones and '/' is percent-encoded, so a ':' in a
 * first segment cannot turn into a scheme and any byte survives. */
static void
write_uri(FILE *out, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;

	fputc('"', out);
	if (*p == '/')
		fputs("file://", out);
	for (; *p != '\0'; p++) {
		if (uri_unreserved(*p))
			fputc(*p, out);
		else
			fprintf(out, "%%%02X", *p);
	}
	fputc('"', out);
}

/* A result's location: the file, and where the finding is inside it.  The
 * byte offset is an offset in the file itself only when the finding is not
 * inside a container member (a zip member's offset is in the member). */
static void
write_location(FILE *out, const char *path, const char *container,
	       bool has_offset, uint64_t offset)
{
	const char *last;

	fputs("{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
	write_uri(out, path);
	fputc('}', out);
	if (has_offset && container[0] == '\0')
		fprintf(out, ",\"region\":{\"byteOffset\":%" PRIu64 "}",
			offset);
	fputc('}', out);
	if (container[0] != '\0') {
		/* The innermost level names the member; the full path is
		 * the container path the text and JSON reports show. */
		last = strrchr(container, '!');
		last = last != NULL ? last + 1 : container;
		fputs(",\"logicalLocations\":[{\"name\":", out);
		escape_json_write(out, last);
		fputs(",\"fullyQualifiedName\":", out);
		escape_json_write(out, container);
		fputs(",\"kind\":\"resource\"}]", out);
	}
	fputc('}', out);
}

static void
result_sep(struct sarif_writer *w)
{
	if (!w->first_result)
		fputc(',', w->out);
	w->first_result = false;
}

static void
write_finding(struct sarif_writer *w, const char *path,
	      const struct scan_result *res, const struct pw_finding *f)
{
	FILE *out = w->out;
	unsigned idx = rule_index(f->kind, f->severity);
	char msg[SARIF_MESSAGE_MAX];

	snprintf(msg, sizeof(msg), "%s %s%s%s%s%s at %s%s%s@%" PRIu64 ": %s",
		 pw_severity_name(f->severity), scan_kind_name(f->kind),
		 f->global ? " " : "", f->global ? f->global : "",
		 f->opcode ? " via " : "", f->opcode ? f->opcode : "", path,
		 f->location[0] ? "!" : "", f->location, f->offset, f->reason);
	result_sep(w);
	fputs("{\"ruleId\":", out);
	write_rule_id(out, idx);
	fprintf(out, ",\"ruleIndex\":%u,\"kind\":\"%s\",\"level\":\"%s\"", idx,
		f->severity == PW_SEV_INFO ? "informational" : "fail",
		level_of(f->severity));
	fputs(",\"message\":{\"text\":", out);
	escape_json_write(out, msg);
	fputs("},\"locations\":[", out);
	write_location(out, path, f->location, true, f->offset);
	fputs("],\"properties\":{\"verdict\":", out);
	escape_json_write(out, pw_verdict_name(scan_result_verdict(res)));
	fputs(",\"format\":", out);
	escape_json_write(out, scan_result_format(res));
	if (f->global != NULL) {
		fputs(",\"global\":", out);
		escape_json_write(out, f->global);
	}
	if (f->opcode != NULL) {
		fputs(",\"opcode\":", out);
		escape_json_write(out, f->opcode);
	}
	fprintf(out, ",\"offset\":%" PRIu64 "}}", f->offset);
}

void
sarif_file(struct sarif_writer *w, const char *path,
	   const struct scan_result *res, bool all)
{
	size_t i, n = scan_result_finding_count(res);

	for (i = 0; i < n; i++) {
		const struct pw_finding *f = scan_result_finding(res, i);

		if (all || f->severity != PW_SEV_INFO)
			write_finding(w, path, res, f);
	}
}

void
sarif_failure(struct sarif_writer *w, const char *path, const char *why)
{
	FILE *out = w->out;
	char msg[SARIF_MESSAGE_MAX];
	unsigned idx = rule_index(PW_KIND_PARSE, PW_SEV_ERROR);

	snprintf(msg, sizeof(msg), "error: %s: %s", path, why);
	result_sep(w);
	fputs("{\"ruleId\":", out);
	write_rule_id(out, idx);
	fprintf(out, ",\"ruleIndex\":%u,\"kind\":\"fail\",\"level\":\"%s\"",
		idx, level_of(PW_SEV_ERROR));
	fputs(",\"message\":{\"text\":", out);
	escape_json_write(out, msg);
	fputs("},\"locations\":[", out);
	write_location(out, path, "", false, 0);
	fputs("],\"properties\":{\"verdict\":\"error\"}}", out);
}

void
sarif_skipped(struct sarif_writer *w, const char *path, const char *why)
{
	char msg[SARIF_MESSAGE_MAX];

	snprintf(msg, sizeof(msg), "skipped: %s: %s", path, why);
	if (!w->first_note)
		fputc(',', w->notes);
	w->first_note = false;
	fputs("{\"level\":\"note\",\"descriptor\":{\"id\":\"skipped\"},"
	      "\"message\":{\"text\":", w->notes);
	escape_json_write(w->notes, msg);
	fputs("},\"locations\":[", w->notes);
	write_location(w->notes, path, "", false, 0);
	fputs("]}", w->notes);
}

void
sarif_end(struct sarif_writer *w)
{
	if (w == NULL)
		return;
	fputs("],\"invocations\":[{\"executionSuccessful\":true", w->out);
	if (fclose(w->notes) == 0 && w->notes_len > 0) {
		fputs(",\"toolExecutionNotifications\":[", w->out);
		fwrite(w->notes_buf, 1, w->notes_len, w->out);
		fputc(']', w->out);
	}
	fputs("}]}]}\n", w->out);
	free(w->notes_buf);
	free(w);
}
