/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_scan_buffer - libFuzzer harness: scans the input with a default
 * scanner and checks the invariants every result must hold (see
 * tests/scanner/common.h); a violation aborts, so it is kept as a crash.
 * Build: CC=clang ./configure --enable-fuzz --enable-asan --enable-ubsan
 * (tests/fuzz/run.sh does it in a temporary directory).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "tests/scanner/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One scanner for the process: a pw_scanner is immutable once made. */
static struct pw_scanner *scanner;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_result *r = NULL;
	const char *problem;
	int rc;

	if (scanner == NULL && pw_scanner_new(NULL, &scanner) != PW_OK)
		abort();
	/* libFuzzer's buffer is exactly size bytes long. */
	rc = pw_scan_buffer(scanner, data, size, &r);
	if (rc == PW_ERR_NOMEM)
		return 0;
	if (rc != PW_OK || r == NULL) {
		fprintf(stderr, "pw_scan_buffer: %s\n", pw_strerror(rc));
		abort();
	}
	problem = tc_result_problem(r, size);
	if (problem != NULL) {
		fprintf(stderr, "bad result: %s\n", problem);
		tc_print_findings(stderr, r, 20);
		abort();
	}
	pw_result_free(r);
	return 0;
}
