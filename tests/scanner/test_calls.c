/*
 * test_calls.c - the call model of allowlisted callables (allowlist.txt
 * "@model=shapes"), getattr pinning, BUILD states that set dunders, and
 * methods reached through a dotted path on an allowed class.  Each case is
 * a small protocol-2 pickle written opcode by opcode, scanned through the
 * public API, and judged by its verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "picklewarden.h"

static enum pw_verdict
verdict_of(const char *p, size_t n)
{
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;
	enum pw_verdict v;

	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, (const uint8_t *)p, n, &res),
			 PW_OK);
	v = pw_result_verdict(res);
	pw_result_free(res);
	pw_scanner_free(sc);
	return v;
}

/* String literals hold NULs: sizeof - 1 is their length. */
#define VERDICT(lit) verdict_of((lit), sizeof(lit) - 1)
#define P2 "\x80\x02"
#define ODICT "ccollections\nOrderedDict\n"

/* Shapes: OrderedDict is called with nothing or a list of pairs. */
static void
test_shapes(void **state)
{
	(void)state;
	assert_int_equal(VERDICT(P2 ODICT ")R."), PW_VERDICT_CLEAN);
	assert_int_equal(VERDICT(P2 ODICT "]](X\x01\x00\x00\x00" "aK\x01"
					  "ea\x85R."), PW_VERDICT_CLEAN);
	/* A code string where the items belong: no writer does that. */
	assert_int_equal(VERDICT(P2 ODICT "X\x0a\x00\x00\x00import os!"
					  "\x85R."), PW_VERDICT_MALICIOUS);
	assert_int_equal(VERDICT(P2 "c__builtin__\ndict\nX\x01\x00\x00\x00x"
					  "\x85R."), PW_VERDICT_MALICIOUS);
	/* _codecs.encode(str, str) is how protocol 2 writes bytes; a
	 * global in its first place is not. */
	assert_int_equal(VERDICT(P2 "c_codecs\nencode\nX\x01\x00\x00\x00" "a"
					  "X\x06\x00\x00\x00latin1\x86R."),
			 PW_VERDICT_CLEAN);
	assert_int_equal(VERDICT(P2 "c_codecs\nencode\nctorch\nTensor\n"
					  "X\x05\x00\x00\x00rot13\x86R."),
			 PW_VERDICT_MALICIOUS);
	/* A dtype is a value: writers never call it. */
	assert_int_equal(VERDICT(P2 "ctorch\nfloat32\n)R."),
			 PW_VERDICT_MALICIOUS);
}

/* A higher-order allowed callable calls what it is given. */
static void
test_higher_order(void **state)
{
	(void)state;
	/* defaultdict(list): list is called, and allowed. */
	assert_int_equal(VERDICT(P2 "ccollections\ndefaultdict\n"
					  "c__builtin__\nlist\n\x85R."),
			 PW_VERDICT_CLEAN);
	/* defaultdict(<nested loader>): the loader would be called on keys
	 * we never see. */
	assert_int_equal(VERDICT(P2 "ccollections\ndefaultdict\n"
					  "ctorch.storage\n_load_from_bytes\n"
					  "\x85R."), PW_VERDICT_MALICIOUS);
	/* _rebuild_from_type_v2(func, type, args, state) calls func(*args):
	 * a value obtained at run time there cannot be pinned down. */
	assert_int_equal(VERDICT(P2 "ctorch._tensor\n_rebuild_from_type_v2\n"
					  "(" ODICT ")Rctorch\nTensor\n)}tR."),
			 PW_VERDICT_MALICIOUS);
}

/* A nested loader is followed only as the callable of a call. */
static void
test_nested_loader_value(void **state)
{
	(void)state;
	assert_int_equal(VERDICT(P2 "}X\x04\x00\x00\x00hook"
					  "ctorch.storage\n_load_from_bytes\ns."),
			 PW_VERDICT_MALICIOUS);
	/* Imported and dropped unused: nothing ran. */
	assert_int_equal(VERDICT(P2 "ctorch.storage\n_load_from_bytes\n0N."),
			 PW_VERDICT_CLEAN);
}

/* getattr(<global>, '<name>') is judged as the dotted name. */
static void
test_getattr_pinned(void **state)
{
	(void)state;
	assert_int_equal(VERDICT(P2 "c__builtin__\ngetattr\ncre\nRegexFlag\n"
					  "X\x0a\x00\x00\x00IGNORECASE\x86R."),
			 PW_VERDICT_CLEAN);
	assert_int_equal(VERDICT(P2 "c__builtin__\ngetattr\n" ODICT
					  "X\x08\x00\x00\x00__init__\x86R."),
			 PW_VERDICT_MALICIOUS);
	/* A method of an allowed class through getattr: the entry allows
	 * the class, not its methods. */
	assert_int_equal(VERDICT(P2 "c__builtin__\ngetattr\ncpathlib\n"
					  "PosixPath\nX\x05\x00\x00\x00touch"
					  "\x86R."), PW_VERDICT_MALICIOUS);
	/* On an object built by calling a class: Class.name, by name. */
	assert_int_equal(VERDICT(P2 "c__builtin__\ngetattr\n"
					  "cmylib\nSched\n)\x81"
					  "X\x04\x00\x00\x00_cos\x86R."),
			 PW_VERDICT_SUSPICIOUS);
}

/* BUILD states that set dunder attributes. */
static void
test_dunder_state(void **state)
{
	(void)state;
	assert_int_equal(VERDICT(P2 "cargparse\nNamespace\n)R"
					  "}X\x01\x00\x00\x00" "aK\x01sb."),
			 PW_VERDICT_CLEAN);
	assert_int_equal(VERDICT(P2 "cargparse\nNamespace\n)R"
					  "}X\x09\x00\x00\x00__class__K\x01sb."),
			 PW_VERDICT_MALICIOUS);
	/* ... through the slots half of a (dict, slots) state. */
	assert_int_equal(VERDICT(P2 "cargparse\nNamespace\n)R"
					  "N}X\x0d\x00\x00\x00__reduce_ex__"
					  "K\x01s\x86" "b."), PW_VERDICT_MALICIOUS);
	/* __doc__ is a description real states carry. */
	assert_int_equal(VERDICT(P2 "cargparse\nNamespace\n)R"
					  "}X\x07\x00\x00\x00__doc__"
					  "X\x01\x00\x00\x00xsb."),
			 PW_VERDICT_CLEAN);
}

/* Methods of allowed classes, and dotted methods that are called. */
static void
test_dotted_methods(void **state)
{
	(void)state;
	assert_int_equal(VERDICT("\x80\x04\x8c\x07pathlib\x8c\x0fPosixPath"
				 ".touch\x93."), PW_VERDICT_MALICIOUS);
	/* An unlisted class's method as a value: suspicious, by name ... */
	assert_int_equal(VERDICT("\x80\x04\x8c\x05mylib\x8c\x0bModel.reset"
				 "\x93."), PW_VERDICT_SUSPICIOUS);
	/* ... and called: no writer pickles a call of a method. */
	assert_int_equal(VERDICT("\x80\x04\x8c\x05mylib\x8c\x0bModel.reset"
				 "\x93)R."), PW_VERDICT_MALICIOUS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_higher_order),
		cmocka_unit_test(test_nested_loader_value),
		cmocka_unit_test(test_getattr_pinned),
		cmocka_unit_test(test_dunder_state),
		cmocka_unit_test(test_dotted_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
