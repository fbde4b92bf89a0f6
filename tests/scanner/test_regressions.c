/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_regressions - scans every input the fuzzer ever crashed on
 * (tests/fuzz/regressions/) and the small committed fixtures
 * (tests/fixtures/pickles/, with their manifest) through pw_scan_buffer
 * (from an exact-size heap copy) and pw_scan_fd.  Under the ASan/UBSan
 * build of `make check` a crash, leak or out-of-bounds read fails it; the
 * committed fixtures must also get their manifest verdict, so that the
 * verdict model is checked even on a machine without python3.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"

#define REGRESSIONS_DIR TEST_SRCDIR "/fuzz/regressions"
#define PICKLES_DIR TEST_SRCDIR "/fixtures/pickles"

/* Scans one file both ways; returns the number of problems. */
static size_t
scan_both(const struct pw_scanner *sc, const char *path,
	  enum pw_verdict *ret_verdict)
{
	struct pw_result *r = NULL;
	const char *problem;
	size_t len, bad = 0;
	uint8_t *data = tc_read_file(path, &len);
	enum pw_verdict vb;
	int fd;

	if (data == NULL) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (tc_scan_exact(sc, data, len, &r) != PW_OK) {
		fprintf(stderr, "%s: pw_scan_buffer failed\n", path);
		free(data);
		return 1;
	}
	free(data);
	problem = tc_result_problem(r, len);
	if (problem != NULL) {
		fprintf(stderr, "%s (buffer): %s\n", path, problem);
		bad++;
	}
	vb = pw_result_verdict(r);
	pw_result_free(r);
	r = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pw_scan_fd(sc, fd, &r) != PW_OK) {
		fprintf(stderr, "%s: pw_scan_fd failed\n", path);
		if (fd >= 0)
			close(fd);
		return bad + 1;
	}
	close(fd);
	problem = tc_result_problem(r, len);
	if (problem != NULL) {
		fprintf(stderr, "%s (fd): %s\n", path, problem);
		bad++;
	}
	if (pw_result_verdict(r) != vb) {
		fprintf(stderr, "%s: fd verdict %s, buffer verdict %s\n", path,
			pw_verdict_name(pw_result_verdict(r)),
			pw_verdict_name(vb));
		bad++;
	}
	pw_result_free(r);
	*ret_verdict = vb;
	return bad;
}

static void
test_fuzz_regressions(void **unused)
{
	struct pw_scanner *sc = NULL;
	DIR *d = opendir(REGRESSIONS_DIR);
	struct dirent *e;
	size_t files = 0, bad = 0;

	assert_non_null(d);	/* the directory is part of the source tree */
	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;
		enum pw_verdict v;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", REGRESSIONS_DIR,
			 e->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		/* Named first: a crash must say which input it was. */
		fprintf(stderr, "scanning %s\n", path);
		bad += scan_both(sc, path, &v);
		files++;
	}
	closedir(d);
	pw_scanner_free(sc);
	fprintf(stderr, "fuzz regressions: %zu files, %zu problems\n", files,
		bad);
	assert_int_equal(bad, 0);
}

static void
test_committed_fixtures(void **unused)
{
	struct pw_scanner *sc = NULL;
	struct tc_manifest man;
	size_t i, bad = 0;

	assert_true(tc_manifest_read(PICKLES_DIR, &man));
	assert_true(man.count > 0);
	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	for (i = 0; i < man.count; i++) {
		char path[4096];
		enum pw_verdict v = PW_VERDICT_CLEAN;
		size_t problems;

		snprintf(path, sizeof(path), "%s/%s", PICKLES_DIR,
			 man.rows[i].file);
		problems = scan_both(sc, path, &v);
		if (problems == 0 && !tc_verdict_ok(man.rows[i].expected, v)) {
			fprintf(stderr, "VERDICT %s [%s]: expected %s, got %s\n",
				man.rows[i].file, man.rows[i].cls,
				man.rows[i].expected, pw_verdict_name(v));
			problems = 1;
		}
		bad += problems;
	}
	fprintf(stderr, "committed fixtures: %zu files, %zu problems\n",
		man.count, bad);
	pw_scanner_free(sc);
	tc_manifest_free(&man);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_committed_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
