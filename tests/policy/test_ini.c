/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ini.c - policy/ini.c parses the INI text once, taking values by
 * iniparser 4.1's rules itself.  This test keeps that honest: for every
 * value form the strict parse accepts, the value must equal what
 * iniparser_load reads from the same text in a file (iniparser stays the
 * reference for the dialect).  Also: keys keep their file order and lines.
 */
#include "config.h"

#include <iniparser/iniparser.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/ini.h"

/* Value forms: quoting, comments, spaces, '=', non-ASCII, empties. */
static const char *const values[] = {
	"plain", "  spaced  out  ", "a ; comment", "a#b", "#x", ";x", "",
	"\"\"", "''", "\"a;b\"", "'a#b'", "\" sp \"", "x \"y\"", "a=b=c",
	"\"\t\"", "caf\xc3\xa9 \xe2\x82\xac", "a\\tb", "x'", "1,2, 3",
	"\"a, b\"", "   ", "'  q  '", "v\t; tab comment", "\"#\"", "x;y#z",
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

static int
silent(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/* The text: [trusted] with label kN = values[N], lines ending in eol. */
static char *
make_text(const char *eol)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fprintf(f, "; a comment%s[ Trusted ]%s", eol, eol);
	for (i = 0; i < N_VALUES; i++)
		fprintf(f, "%sK%zu =%s%s", i % 2 ? "" : "  ", i, values[i],
			eol);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
check_against_iniparser(const char *eol)
{
	char dir[] = "/tmp/pw-test-ini-XXXXXX", path[64];
	struct policy_ini *ini = NULL;
	struct policy_error err;
	char *text = make_text(eol);
	dictionary *d;
	FILE *f;
	size_t i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	d = iniparser_load(path);
	assert_non_null(d);
	assert_int_equal(policy_ini_parse(text, strlen(text), "t.ini", &ini,
					  &err), 0);
	assert_int_equal(policy_ini_count(ini), N_VALUES);
	for (i = 0; i < N_VALUES; i++) {
		enum policy_section sec;
		const char *key, *value, *want;
		char dkey[32], label[16];
		unsigned line;

		policy_ini_get(ini, i, &sec, &key, &value, &line);
		snprintf(label, sizeof(label), "k%zu", i);
		snprintf(dkey, sizeof(dkey), "trusted:%s", label);
		want = iniparser_getstring(d, dkey, NULL);
		assert_non_null(want);
		assert_int_equal(sec, POLICY_SECTION_TRUSTED);
		assert_string_equal(key, label);
		assert_int_equal(line, i + 3);
		if (strcmp(value, want) != 0)
			fail_msg("value %zu <%s>: ours <%s>, iniparser <%s>",
				 i, values[i], value, want);
	}
	policy_ini_free(ini);
	iniparser_freedict(d);
	unlink(path);
	rmdir(dir);
	free(text);
}

static void
test_values_lf(void **state)
{
	(void)state;
	check_against_iniparser("\n");
}

static void
test_values_crlf(void **state)
{
	(void)state;
	check_against_iniparser("\r\n");
}

/* A byte order mark is skipped; the last line needs no newline. */
static void
test_bom_and_last_line(void **state)
{
	static const char text[] = "\xef\xbb\xbf[agent]\nworkers = 3";
	struct policy_ini *ini = NULL;
	enum policy_section sec;
	const char *key, *value;
	unsigned line;

	(void)state;
	assert_int_equal(policy_ini_parse(text, sizeof(text) - 1, "b", &ini,
					  NULL), 0);
	assert_int_equal(policy_ini_count(ini), 1);
	policy_ini_get(ini, 0, &sec, &key, &value, &line);
	assert_int_equal(sec, POLICY_SECTION_AGENT);
	assert_string_equal(key, "workers");
	assert_string_equal(value, "3");
	assert_int_equal(line, 2);
	policy_ini_free(ini);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_lf),
		cmocka_unit_test(test_values_crlf),
		cmocka_unit_test(test_bom_and_last_line),
	};

	/* iniparser_load prints its complaints by default. */
	iniparser_set_error_callback(silent);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
