/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fixtures - scans every fixture that tests/fixtures/gen_fixtures.py
 * generated (the directory comes from $PW_FIXTURE_DIR, which
 * tests/scanner/fixtures.sh sets) and checks:
 *
 *  verdicts    the verdict the manifest expects, and a well-formed result;
 *  truncation  every prefix of every fixture (for fixtures over 16 KB:
 *              every byte of the first and last 4 KB and 512 points in
 *              between) scans without a crash or an out-of-bounds read
 *              (the prefix ends exactly at the end of an allocation or at
 *              ASan-poisoned memory), and a prefix that still holds the
 *              payload's import (manifest column "payload") is never clean;
 *  fd          pw_scan_fd on the file gives the same verdict and findings
 *              as pw_scan_buffer (the windowed reader against memory).
 *
 * It fails, never skips, when the directory or the manifest is missing.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"

#if defined(__SANITIZE_ADDRESS__)
#define TC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TC_ASAN 1
#endif
#endif
#ifdef TC_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define BIG_FIXTURE (16 * 1024)
#define EDGE_BYTES 4096
#define MIDDLE_POINTS 512
#define MAX_REPORTS 40

struct state {
	const char *dir;
	struct tc_manifest man;
	struct pw_scanner *sc;
};

static int
group_setup(void **vstate)
{
	static struct state st;
	size_t i, mal = 0, clean = 0;

	st.dir = getenv("PW_FIXTURE_DIR");
	if (st.dir == NULL || st.dir[0] == '\0') {
		fprintf(stderr, "test_fixtures: PW_FIXTURE_DIR is not set; run "
			"it through tests/scanner/fixtures.sh, which generates "
			"the fixtures with python3 (python3 is required)\n");
		return -1;
	}
	if (!tc_manifest_read(st.dir, &st.man))
		return -1;
	for (i = 0; i < st.man.count; i++) {
		if (strcmp(st.man.rows[i].expected, "malicious") == 0)
			mal++;
		else if (strcmp(st.man.rows[i].expected, "clean") == 0)
			clean++;
	}
	/* An empty or one-sided manifest would make every check vacuous. */
	if (mal == 0 || clean == 0) {
		fprintf(stderr, "test_fixtures: manifest has %zu malicious and "
			"%zu clean fixtures; the generator is broken\n", mal,
			clean);
		return -1;
	}
	if (pw_scanner_new(NULL, &st.sc) != PW_OK)
		return -1;
	*vstate = &st;
	return 0;
}

static int
group_teardown(void **vstate)
{
	struct state *st = *vstate;

	if (st != NULL) {
		pw_scanner_free(st->sc);
		tc_manifest_free(&st->man);
	}
	return 0;
}

static uint8_t *
load(const struct state *st, const struct tc_fixture *fx, size_t *len)
{
	char path[4096];
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/%s", st->dir, fx->file);
	data = tc_read_file(path, len);
	if (data == NULL) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	/* Exactly as long as the file, so that ASan bounds the data. */
	return tc_shrink(data, *len);
}

static void
test_verdicts(void **vstate)
{
	struct state *st = *vstate;
	size_t i, bad = 0, by_ok[5] = {0}, by_all[5] = {0};
	static const char *const exp_names[5] = {
		"malicious", "clean", "suspicious", "suspicious-or-clean",
		"not-clean"};

	for (i = 0; i < st->man.count; i++) {
		const struct tc_fixture *fx = &st->man.rows[i];
		struct pw_result *r = NULL;
		const char *problem;
		size_t len, k;
		uint8_t *data = load(st, fx, &len);
		int rc;

		assert_non_null(data);
		rc = tc_scan_exact(st->sc, data, len, &r);
		free(data);
		if (rc != PW_OK) {
			if (bad++ < MAX_REPORTS)
				fprintf(stderr, "SCAN %s: status %s\n", fx->file,
					pw_strerror(rc));
			continue;
		}
		for (k = 0; k < 5; k++)
			if (strcmp(fx->expected, exp_names[k]) == 0)
				by_all[k]++;
		problem = tc_result_problem(r, len);
		/* A malicious verdict must point at the payload: some
		 * malicious finding with an opcode name and an offset before
		 * the end of the payload's import. */
		if (problem == NULL && fx->payload >= 0 &&
		    pw_result_verdict(r) == PW_VERDICT_MALICIOUS) {
			size_t j, n = pw_result_finding_count(r);
			bool located = false;

			for (j = 0; j < n; j++) {
				const struct pw_finding *f =
					pw_result_finding(r, j);

				if (f->severity == PW_SEV_MALICIOUS &&
				    f->location[0] == '\0' &&
				    f->offset < (uint64_t)fx->payload)
					located = true;
			}
			if (!located)
				problem = "no malicious finding at or before "
					  "the payload's offset";
		}
		if (problem != NULL || !tc_verdict_ok(fx->expected,
						      pw_result_verdict(r))) {
			if (bad++ < MAX_REPORTS) {
				fprintf(stderr, "VERDICT %s [%s]: expected %s, "
					"got %s%s%s\n", fx->file, fx->cls,
					fx->expected,
					pw_verdict_name(pw_result_verdict(r)),
					problem ? "; " : "",
					problem ? problem : "");
				tc_print_findings(stderr, r, 6);
			}
		} else {
			for (k = 0; k < 5; k++)
				if (strcmp(fx->expected, exp_names[k]) == 0)
					by_ok[k]++;
		}
		pw_result_free(r);
	}
	fprintf(stderr, "verdicts: %zu fixtures, %zu wrong", st->man.count,
		bad);
	for (i = 0; i < 5; i++)
		fprintf(stderr, "; %s %zu/%zu", exp_names[i], by_ok[i],
			by_all[i]);
	fprintf(stderr, "\n");
	assert_int_equal(bad, 0);
}

/* The prefix lengths to try for a fixture of len bytes. */
static bool
next_point(size_t len, size_t *l)
{
	size_t step;

	if (len <= BIG_FIXTURE || *l < EDGE_BYTES || *l + EDGE_BYTES >= len) {
		++*l;
	} else {
		step = (len - 2 * EDGE_BYTES) / MIDDLE_POINTS + 1;
		*l += step;
		if (*l + EDGE_BYTES > len)
			*l = len - EDGE_BYTES;
	}
	return *l < len;
}

static void
test_truncation(void **vstate)
{
	struct state *st = *vstate;
	size_t i, scans = 0, bad = 0, payload_prefixes = 0;
	size_t pv[4] = {0}, benign_malicious = 0;

	for (i = 0; i < st->man.count; i++) {
		const struct tc_fixture *fx = &st->man.rows[i];
		size_t len, l, reports = 0;
		uint8_t *data = load(st, fx, &len);
		bool benign = strcmp(fx->expected, "malicious") != 0 &&
			      strcmp(fx->expected, "not-clean") != 0;

		assert_non_null(data);
#ifdef TC_ASAN
		size_t opened = 0;

		ASAN_POISON_MEMORY_REGION(data, len);
#endif
		l = 0;
		do {
			struct pw_result *r = NULL;
			const char *problem;
			enum pw_verdict v;
			int rc;

#ifdef TC_ASAN
			/* Everything past the prefix stays poisoned: a read of
			 * it is an out-of-bounds read of the prefix.  Prefix
			 * lengths only grow, so unpoisoning is incremental
			 * (from the granule that holds the previous end). */
			ASAN_UNPOISON_MEMORY_REGION(data + (opened & ~(size_t)7),
						    l - (opened & ~(size_t)7));
			opened = l;
			rc = pw_scan_buffer(st->sc, data, l, &r);
#else
			rc = len > BIG_FIXTURE ?
				pw_scan_buffer(st->sc, data, l, &r) :
				tc_scan_exact(st->sc, data, l, &r);
#endif
			scans++;
			if (rc != PW_OK) {
				bad++;
				if (reports++ < 3)
					fprintf(stderr, "TRUNC %s@%zu: status "
						"%s\n", fx->file, l,
						pw_strerror(rc));
				continue;
			}
			v = pw_result_verdict(r);
			problem = tc_result_problem(r, l);
			if (problem != NULL) {
				bad++;
				if (reports++ < 3)
					fprintf(stderr, "TRUNC %s@%zu: %s\n",
						fx->file, l, problem);
			}
			if (fx->payload >= 0 && (long long)l >= fx->payload) {
				payload_prefixes++;
				pv[v]++;
				if (v == PW_VERDICT_CLEAN) {
					bad++;
					if (reports++ < 3) {
						fprintf(stderr, "TRUNC %s@%zu: "
							"clean, but the prefix "
							"holds the payload "
							"(ends at %lld)\n",
							fx->file, l,
							fx->payload);
						tc_print_findings(stderr, r, 4);
					}
				}
			}
			/* Not a failure: a truncated benign file judged
			 * malicious is worth seeing, but cutting a name can
			 * make an unknown one. */
			if (benign && v == PW_VERDICT_MALICIOUS &&
			    benign_malicious++ < 10)
				fprintf(stderr, "note: %s@%zu (benign) is "
					"malicious when truncated\n",
					fx->file, l);
			pw_result_free(r);
		} while (next_point(len, &l));
#ifdef TC_ASAN
		ASAN_UNPOISON_MEMORY_REGION(data, len);
#endif
		if (reports > 3)
			fprintf(stderr, "TRUNC %s: %zu problems in all\n",
				fx->file, reports);
		free(data);
	}
	fprintf(stderr, "truncation: %zu scans, %zu problems; %zu prefixes "
		"holding a payload: %zu malicious, %zu error, %zu suspicious, "
		"%zu clean; %zu truncated benign prefixes judged malicious\n",
		scans, bad, payload_prefixes, pv[PW_VERDICT_MALICIOUS],
		pv[PW_VERDICT_ERROR], pv[PW_VERDICT_SUSPICIOUS],
		pv[PW_VERDICT_CLEAN], benign_malicious);
	assert_int_equal(bad, 0);
}

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
test_fd_matches_buffer(void **vstate)
{
	struct state *st = *vstate;
	size_t i, bad = 0;

	for (i = 0; i < st->man.count; i++) {
		const struct tc_fixture *fx = &st->man.rows[i];
		struct pw_result *rb = NULL, *rf = NULL;
		char path[4096];
		size_t len, k, n;
		uint8_t *data = load(st, fx, &len);
		const char *why = NULL;
		int fd;

		assert_non_null(data);
		assert_int_equal(tc_scan_exact(st->sc, data, len, &rb), PW_OK);
		free(data);
		snprintf(path, sizeof(path), "%s/%s", st->dir, fx->file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(pw_scan_fd(st->sc, fd, &rf), PW_OK);
		close(fd);
		n = pw_result_finding_count(rb);
		if (pw_result_verdict(rb) != pw_result_verdict(rf))
			why = "verdict";
		else if (n != pw_result_finding_count(rf))
			why = "finding count";
		else if (pw_result_bytes_total(rf) != len)
			why = "bytes_total";
		for (k = 0; why == NULL && k < n; k++) {
			const struct pw_finding *a = pw_result_finding(rb, k);
			const struct pw_finding *b = pw_result_finding(rf, k);

			if (a->severity != b->severity || a->kind != b->kind ||
			    a->offset != b->offset ||
			    !same_str(a->global, b->global) ||
			    !same_str(a->module, b->module) ||
			    !same_str(a->name, b->name) ||
			    !same_str(a->opcode, b->opcode))
				why = "a finding";
		}
		if (why != NULL && bad++ < MAX_REPORTS) {
			fprintf(stderr, "FD %s: pw_scan_fd and pw_scan_buffer "
				"differ in %s (%s vs %s)\n", fx->file, why,
				pw_verdict_name(pw_result_verdict(rf)),
				pw_verdict_name(pw_result_verdict(rb)));
			fprintf(stderr, "    fd:\n");
			tc_print_findings(stderr, rf, 4);
			fprintf(stderr, "    buffer:\n");
			tc_print_findings(stderr, rb, 4);
		}
		pw_result_free(rb);
		pw_result_free(rf);
	}
	fprintf(stderr, "fd vs buffer: %zu fixtures, %zu differ\n",
		st->man.count, bad);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_fd_matches_buffer),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
