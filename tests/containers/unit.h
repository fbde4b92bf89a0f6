/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unit.h - what the per-container unit tests share: one scan of a buffer
 * built in memory, reduced to its verdict, its format label and where its
 * worst findings are, so each case can assert exact answers.
 */
#ifndef PW_TESTS_CONTAINERS_UNIT_H
#define PW_TESTS_CONTAINERS_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "picklewarden.h"

/* os.system('true') at protocol 2. */
static const char unit_mal_pickle[] =
	"\x80\x02" "cos\nsystem\n" "X\x04\x00\x00\x00true" "\x85R.";
#define UNIT_MAL_LEN (sizeof(unit_mal_pickle) - 1)
/* {'a': 1} at protocol 2: nothing but data. */
static const char unit_ok_pickle[] =
	"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.";
#define UNIT_OK_LEN (sizeof(unit_ok_pickle) - 1)

struct unit_scan {
	enum pw_verdict verdict;
	char format[32];
	bool malicious_at_loc;	/* a malicious finding at the asked location */
	size_t findings;
};

/* Scans buf; loc names the container path a malicious finding must have
 * (NULL: not checked). */
static struct unit_scan
unit_scan(const void *buf, size_t len, const char *loc)
{
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;
	struct unit_scan out;
	size_t i;

	memset(&out, 0, sizeof(out));
	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, buf, len, &res), PW_OK);
	out.verdict = pw_result_verdict(res);
	snprintf(out.format, sizeof(out.format), "%s", pw_result_format(res));
	out.findings = pw_result_finding_count(res);
	for (i = 0; loc != NULL && i < out.findings; i++) {
		const struct pw_finding *f = pw_result_finding(res, i);

		if (f->severity == PW_SEV_MALICIOUS && f->location != NULL &&
		    strcmp(f->location, loc) == 0)
			out.malicious_at_loc = true;
	}
	pw_result_free(res);
	pw_scanner_free(sc);
	return out;
}

static inline void
unit_le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
unit_le32(uint8_t *p, uint32_t v)
{
	unit_le16(p, v & 0xffff);
	unit_le16(p + 2, v >> 16);
}

#endif
