/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.h - helpers shared by the scanner tests: reading files, scanning
 * a copy of a buffer that is exactly as long as the data (so that ASan
 * sees any read past its end), checking that a result is well formed, and
 * reading a fixture manifest (see tests/fixtures/gen_fixtures.py).
 */
#ifndef PW_TEST_COMMON_H
#define PW_TEST_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "picklewarden.h"

/* Reads a whole file; *ret_len gets its size.  NULL on failure (errno). */
static inline uint8_t *
tc_read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (nbuf == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

/* Reallocates buf to exactly len bytes (1 for an empty file). */
static inline uint8_t *
tc_shrink(uint8_t *buf, size_t len)
{
	uint8_t *exact = malloc(len ? len : 1);

	if (exact != NULL && len)
		memcpy(exact, buf, len);
	free(buf);
	return exact;
}

/*
 * Scans the first len bytes of data from a heap copy of exactly len bytes
 * (a zero-length scan gets a one-byte allocation it must not read).
 */
static inline int
tc_scan_exact(const struct pw_scanner *sc, const uint8_t *data, size_t len,
	      struct pw_result **ret)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (copy == NULL)
		return PW_ERR_NOMEM;
	if (len)
		memcpy(copy, data, len);
	rc = pw_scan_buffer(sc, copy, len, ret);
	free(copy);
	return rc;
}

/*
 * Checks the invariants every result must hold; returns NULL when it is
 * well formed, else a static description of the first violation.
 */
static inline const char *
tc_result_problem(const struct pw_result *r, uint64_t len)
{
	size_t i, n = pw_result_finding_count(r);
	enum pw_verdict v = pw_result_verdict(r);
	int worst = -1;

	if ((int)v < PW_VERDICT_CLEAN || (int)v > PW_VERDICT_MALICIOUS)
		return "verdict out of range";
	if (pw_result_format(r) == NULL)
		return "format is NULL";
	if (pw_result_bytes_total(r) != len)
		return "bytes_total differs from the input length";
	if (pw_result_finding(r, n) != NULL)
		return "finding(count) is not NULL";
	for (i = 0; i < n; i++) {
		const struct pw_finding *f = pw_result_finding(r, i);
		int sev;

		if (f == NULL)
			return "finding(i < count) is NULL";
		if ((int)f->severity < PW_SEV_INFO ||
		    (int)f->severity > PW_SEV_MALICIOUS)
			return "severity out of range";
		if ((int)f->kind < PW_KIND_IMPORT ||
		    (int)f->kind > PW_KIND_PARSE)
			return "kind out of range";
		if (f->reason == NULL)
			return "reason is NULL";
		if (f->location == NULL)
			return "location is NULL";
		/* Touch every string so that ASan checks it is readable. */
		(void)strlen(f->reason);
		(void)strlen(f->location);
		if (f->global != NULL)
			(void)strlen(f->global);
		if (f->module != NULL)
			(void)strlen(f->module);
		if (f->name != NULL)
			(void)strlen(f->name);
		if (f->opcode != NULL)
			(void)strlen(f->opcode);
		if (f->location[0] == '\0' && f->offset > len)
			return "finding offset beyond the end of the input";
		sev = (int)f->severity;
		/* Verdict order: clean < suspicious < error < malicious. */
		if (sev > worst)
			worst = sev;
	}
	/* The verdict is the worst severity among the findings (the header's
	 * contract; severities and verdicts share their numbering). */
	if (worst < 0)
		worst = PW_SEV_INFO;
	if (n < pw_limit_default(PW_LIMIT_MAX_FINDINGS) && (int)v != worst)
		return "verdict is not the worst severity among the findings";
	return NULL;
}

/* Prints a result's findings (for failure diagnostics). */
static inline void
tc_print_findings(FILE *out, const struct pw_result *r, size_t max)
{
	size_t i, n = pw_result_finding_count(r);

	for (i = 0; i < n && i < max; i++) {
		const struct pw_finding *f = pw_result_finding(r, i);

		fprintf(out, "      [%s/%s] %s op=%s off=%llu loc=%s: %s\n",
			pw_severity_name(f->severity), pw_kind_name(f->kind),
			f->global ? f->global : "-",
			f->opcode ? f->opcode : "-",
			(unsigned long long)f->offset, f->location, f->reason);
	}
	if (n > max)
		fprintf(out, "      ... %zu more\n", n - max);
}

/* One manifest row (columns documented in gen_fixtures.py). */
struct tc_fixture {
	char *file;
	char *expected;
	char *cls;
	int protocol;
	long long payload;	/* -1 when '-' */
};

struct tc_manifest {
	struct tc_fixture *rows;
	size_t count;
};

static inline void
tc_manifest_free(struct tc_manifest *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->rows[i].file);
		free(m->rows[i].expected);
		free(m->rows[i].cls);
	}
	free(m->rows);
	m->rows = NULL;
	m->count = 0;
}

/* Reads dir/manifest.tsv; returns false (with a message on stderr) when it
 * is missing or malformed. */
static inline bool
tc_manifest_read(const char *dir, struct tc_manifest *m)
{
	char path[4096], line[8192];
	FILE *f;
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/manifest.tsv", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cols[6] = {0}, *save = NULL, *tok;
		int n = 0;
		struct tc_fixture *row;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line, "\t", &save); tok != NULL && n < 6;
		     tok = strtok_r(NULL, "\t", &save))
			cols[n++] = tok;
		if (n < 5) {
			fprintf(stderr, "%s: malformed row\n", path);
			fclose(f);
			tc_manifest_free(m);
			return false;
		}
		if (m->count == cap) {
			struct tc_fixture *nr;

			cap = cap ? cap * 2 : 256;
			nr = realloc(m->rows, cap * sizeof(*nr));
			if (nr == NULL) {
				fclose(f);
				tc_manifest_free(m);
				return false;
			}
			m->rows = nr;
		}
		row = &m->rows[m->count++];
		row->file = strdup(cols[0]);
		row->expected = strdup(cols[1]);
		row->cls = strdup(cols[2]);
		row->protocol = atoi(cols[3]);
		row->payload = strcmp(cols[4], "-") == 0 ? -1 : atoll(cols[4]);
		if (row->file == NULL || row->expected == NULL ||
		    row->cls == NULL) {
			fclose(f);
			tc_manifest_free(m);
			return false;
		}
	}
	fclose(f);
	return true;
}

/* Whether a verdict satisfies a manifest expectation. */
static inline bool
tc_verdict_ok(const char *expected, enum pw_verdict v)
{
	if (strcmp(expected, "malicious") == 0)
		return v == PW_VERDICT_MALICIOUS;
	if (strcmp(expected, "clean") == 0)
		return v == PW_VERDICT_CLEAN;
	if (strcmp(expected, "suspicious") == 0)
		return v == PW_VERDICT_SUSPICIOUS;
	if (strcmp(expected, "suspicious-or-clean") == 0)
		return v == PW_VERDICT_SUSPICIOUS || v == PW_VERDICT_CLEAN;
	if (strcmp(expected, "not-clean") == 0)
		return v != PW_VERDICT_CLEAN;
	return false;
}

#endif
