/*
 * Unit tests of the signature code's encoders and its strict JSON reader:
 * good documents, every RFC 8259 corner it must refuse, truncation at every
 * byte, and the two DSSE PAE forms against vectors computed with the
 * reference's Python expressions.
 */
#include "config.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/signing/sig_bundle.h"
#include "agent/signing/sig_encode.h"
#include "agent/signing/sig_json.h"
#include "agent/signing/sig_limits.h"

static enum sj_status
parse(const char *s, struct sj_value **v)
{
	*v = NULL;
	return sj_parse(s, strlen(s), v, NULL);
}

static void
good(void **state)
{
	struct sj_value *v;
	uint64_t u;

	(void)state;
	assert_int_equal(parse("{\"a\": [1, -2.5e+3, true, null, \"x\\u00e9"
			       "\\ud83d\\ude00\"], \"b\": {}}", &v), SJ_OK);
	assert_non_null(v);
	assert_int_equal(v->type, SJ_OBJECT);
	assert_int_equal(v->n, 2);
	assert_int_equal(sj_get(v, "a")->n, 5);
	assert_string_equal(sj_get(v, "a")->items[4].text,
			    "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(sj_to_u64(&sj_get(v, "a")->items[0], &u));
	assert_int_equal(u, 1);
	assert_false(sj_to_u64(&sj_get(v, "a")->items[1], &u));
	assert_null(sj_get(v, "c"));
	sj_free(v);
	assert_int_equal(parse(" \"only\" ", &v), SJ_OK);
	sj_free(v);
	assert_int_equal(parse("\"\xe2\x82\xac raw UTF-8\"", &v), SJ_OK);
	sj_free(v);
}

static void
refused(void **state)
{
	static const struct {
		const char *text;
		enum sj_status want;
	} cases[] = {
		{"", SJ_ERR_SYNTAX},
		{"{} x", SJ_ERR_SYNTAX},
		{"{}{}", SJ_ERR_SYNTAX},
		{"{\"a\":1,}", SJ_ERR_SYNTAX},
		{"[1,]", SJ_ERR_SYNTAX},
		{"01", SJ_ERR_SYNTAX},
		{"1.", SJ_ERR_SYNTAX},
		{".5", SJ_ERR_SYNTAX},
		{"+1", SJ_ERR_SYNTAX},
		{"1e", SJ_ERR_SYNTAX},
		{"tru", SJ_ERR_SYNTAX},
		{"nul", SJ_ERR_SYNTAX},
		{"'a'", SJ_ERR_SYNTAX},
		{"\"a\tb\"", SJ_ERR_SYNTAX},
		{"\"\\x\"", SJ_ERR_SYNTAX},
		{"\"\\u12\"", SJ_ERR_SYNTAX},
		{"\xef\xbb\xbf{}", SJ_ERR_SYNTAX},
		{"{\"a\":1,\"a\":2}", SJ_ERR_DUPLICATE},
		{"{\"a\":{\"b\":1,\"b\":1}}", SJ_ERR_DUPLICATE},
		{"{\"\\u0061\":1,\"a\":2}", SJ_ERR_DUPLICATE},
		{"\"\xff\"", SJ_ERR_UTF8},
		{"\"\xc0\xaf\"", SJ_ERR_UTF8},		/* overlong '/' */
		{"\"\xe0\x80\xaf\"", SJ_ERR_UTF8},	/* overlong */
		{"\"\xed\xa0\x80\"", SJ_ERR_UTF8},	/* raw surrogate */
		{"\"\xf4\x90\x80\x80\"", SJ_ERR_UTF8},	/* > U+10FFFF */
		{"\"\xe2\x82\"", SJ_ERR_UTF8},		/* cut sequence */
		{"\"\\ud800\"", SJ_ERR_UTF8},		/* lone high */
		{"\"\\udc00\"", SJ_ERR_UTF8},		/* lone low */
		{"\"\\ud800\\u0041\"", SJ_ERR_UTF8},
		{"\"a\\u0000b\"", SJ_ERR_UTF8},
	};
	struct sj_value *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sj_status st = sj_parse(cases[i].text,
					     strlen(cases[i].text), &v, NULL);

		if (st != cases[i].want)
			fail_msg("case %zu (%s): got %s", i, cases[i].text,
				 sj_strerror(st));
	}
	/* An embedded NUL byte is a control character. */
	assert_int_equal(sj_parse("\"a\0b\"", 5, &v, NULL), SJ_ERR_SYNTAX);
}

static void
limits(void **state)
{
	char deep[2 * SIG_JSON_MAX_DEPTH + 8], *wide;
	struct sj_value *v;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < SIG_JSON_MAX_DEPTH + 2; i++)
		deep[n++] = '[';
	for (i = 0; i < SIG_JSON_MAX_DEPTH + 2; i++)
		deep[n++] = ']';
	assert_int_equal(sj_parse(deep, n, &v, NULL), SJ_ERR_LIMIT);
	/* Exactly at the depth cap is fine. */
	n = 0;
	for (i = 0; i < SIG_JSON_MAX_DEPTH; i++)
		deep[n++] = '[';
	for (i = 0; i < SIG_JSON_MAX_DEPTH; i++)
		deep[n++] = ']';
	assert_int_equal(sj_parse(deep, n, &v, NULL), SJ_OK);
	sj_free(v);
	/* Too many members in one object. */
	wide = malloc(16 * (SIG_JSON_MAX_MEMBERS + 2));
	assert_non_null(wide);
	n = 0;
	wide[n++] = '{';
	for (i = 0; i <= SIG_JSON_MAX_MEMBERS; i++)
		n += (size_t)sprintf(wide + n, "%s\"k%zu\":0", i ? "," : "", i);
	wide[n++] = '}';
	assert_int_equal(sj_parse(wide, n, &v, NULL), SJ_ERR_LIMIT);
	free(wide);
	assert_int_equal(sj_parse("{}", (size_t)SIG_MAX_BUNDLE + 1, &v, NULL),
			 SJ_ERR_LIMIT);
}

/* Every proper prefix of an object fails, and fails cleanly (ASan). */
static void
truncated(void **state)
{
	const char *doc = "{\"mediaType\": \"x\", \"a\": [1, 2.5, \"\\u00e9\","
			  " {\"b\": null, \"c\": true}], \"d\": \"\xf0\x9f\x98"
			  "\x80\"}";
	size_t n = strlen(doc), i;
	struct sj_value *v;

	(void)state;
	for (i = 0; i < n; i++) {
		char *copy = malloc(i + 1);

		assert_non_null(copy);
		memcpy(copy, doc, i);
		v = NULL;
		assert_int_not_equal(sj_parse(copy, i, &v, NULL), SJ_OK);
		assert_null(v);
		free(copy);
	}
	assert_int_equal(sj_parse(doc, n, &v, NULL), SJ_OK);
	sj_free(v);
}

static void
base64(void **state)
{
	unsigned char *out;
	size_t n;

	(void)state;
	assert_int_equal(sig_b64_decode("aGk=", 4, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "hi", 2);
	free(out);
	assert_int_equal(sig_b64_decode("aGk", 3, &out, &n), 0); /* no pad */
	free(out);
	assert_int_equal(sig_b64_decode("-_8=", 4, &out, &n), 0); /* URL */
	assert_int_equal(out[0], 0xfb);
	free(out);
	assert_int_equal(sig_b64_decode("a", 1, &out, &n), -1);
	assert_int_equal(sig_b64_decode("aGk==", 5, &out, &n), -1);
	assert_int_equal(sig_b64_decode("a=Gk", 4, &out, &n), -1);
	assert_int_equal(sig_b64_decode("aG k", 4, &out, &n), -1);
	assert_int_equal(sig_b64_decode("", 0, &out, &n), 0);
	assert_int_equal(n, 0);
	free(out);
}

/* Vectors: pae(b'{"a": 1}\n') and pae_compat() of two payloads from
 * sign_sigstore_pb.py, evaluated with Debian's Python 3.11. */
static void
check_pae(bool compat, const char *payload, size_t len, const char *want)
{
	unsigned char *p;
	size_t n;

	p = compat ? sig_pae_compat("application/vnd.in-toto+json",
				    (const unsigned char *)payload, len, &n)
		   : sig_pae("application/vnd.in-toto+json",
			     (const unsigned char *)payload, len, &n);
	assert_non_null(p);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
	free(p);
}

static void
pae(void **state)
{
	(void)state;
	check_pae(false, "{\"a\": 1}\n", 9,
		  "DSSEv1 28 application/vnd.in-toto+json 9 {\"a\": 1}\n");
	check_pae(false, "", 0, "DSSEv1 28 application/vnd.in-toto+json 0 ");
	/* b"it's\t\x00\xff\\x": a ' and no " switches to double quotes. */
	check_pae(true, "it's\t\0\xff\\x", 9,
		  "DSSEV1 28 application/vnd.in-toto+json 9 "
		  "b\"it's\\t\\x00\\xff\\\\x\"");
	/* b'\'"\n\r\x7f': both quotes keep single quotes, ' escaped. */
	check_pae(true, "'\"\n\r\x7f", 5,
		  "DSSEV1 28 application/vnd.in-toto+json 5 "
		  "b'\\'\"\\n\\r\\x7f'");
}

static void
paths(void **state)
{
	static const char *const cases[][2] = {
		{"a/b", "a/b"}, {"./a//b/", "a/b"}, {"", "."}, {".", "."},
		{"a/./b/.", "a/b"}, {"../x", "../x"}, {"/etc/x", "/etc/x"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = sig_path_normalise(cases[i][0]);

		assert_non_null(n);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(refused),
		cmocka_unit_test(limits),
		cmocka_unit_test(truncated),
		cmocka_unit_test(base64),
		cmocka_unit_test(pae),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
