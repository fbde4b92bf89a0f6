/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_names.c - how an imported global resolves and is judged: Python 2
 * remapping below protocol 3, dotted names, the allowlist, the denylist
 * and the user's own patterns (a user cannot allow os.system).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "picklewarden.h"
#include "pickle/names.h"

static struct pw_scanner *sc_default, *sc_user;

static int
setup(void **state)
{
	struct pw_options *o = NULL;

	(void)state;
	if (pw_scanner_new(NULL, &sc_default) != PW_OK ||
	    pw_options_new(&o) != PW_OK ||
	    pw_options_allow_global(o, "mypkg.*") != PW_OK ||
	    pw_options_allow_global(o, "os.system") != PW_OK ||
	    pw_options_deny_global(o, "collections.OrderedDict") != PW_OK ||
	    pw_scanner_new(o, &sc_user) != PW_OK)
		return -1;
	pw_options_free(o);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pw_scanner_free(sc_default);
	pw_scanner_free(sc_user);
	return 0;
}

static enum pw_severity
judge(struct pw_scanner *sc, const char *module, const char *name, int proto,
      const char **ret_resolved)
{
	static struct imp_table t;
	struct imp *imp;

	imp_table_init(&t);
	imp = imp_lookup(&t, sc, false, module, name, proto);
	assert_non_null(imp);
	if (ret_resolved != NULL) {
		static char buf[256];

		snprintf(buf, sizeof(buf), "%s", imp_resolved_name(imp));
		*ret_resolved = buf;
	}
	{
		enum pw_severity sev = imp->sev;

		imp_table_fini(&t);
		return sev;
	}
}

static void
test_resolution(void **state)
{
	const char *r;

	(void)state;
	/* Protocol < 3 remaps Python 2 names, >= 3 does not. */
	assert_int_equal(judge(sc_default, "__builtin__", "eval", 2, &r),
			 PW_SEV_MALICIOUS);
	assert_string_equal(r, "builtins.eval");
	assert_int_equal(judge(sc_default, "copy_reg", "_reconstructor", 2,
			       &r), judge(sc_default, "copyreg",
					  "_reconstructor", 4, NULL));
	/* Dotted names resolve attribute by attribute. */
	assert_int_equal(judge(sc_default, "pathlib", "os.system", 4, NULL),
			 PW_SEV_MALICIOUS);
	assert_int_equal(judge(sc_default, "os", "system", 4, NULL),
			 PW_SEV_MALICIOUS);
	assert_int_equal(judge(sc_default, "collections", "OrderedDict", 4,
			       NULL), PW_SEV_INFO);
	assert_int_equal(judge(sc_default, "mypkg", "Model", 4, NULL),
			 PW_SEV_SUSPICIOUS);
	/* A package's __main__ runs a program on import; the top-level
	 * __main__ holds users' own classes. */
	assert_int_equal(judge(sc_default, "lib2to3.__main__", "main", 4,
			       NULL), PW_SEV_MALICIOUS);
	assert_int_equal(judge(sc_default, "mypkg.__main__", "Model", 4,
			       NULL), PW_SEV_MALICIOUS);
	assert_int_equal(judge(sc_default, "__main__", "Model", 4, NULL),
			 PW_SEV_SUSPICIOUS);
}

static void
test_user_lists(void **state)
{
	(void)state;
	assert_int_equal(judge(sc_user, "mypkg", "Model", 4, NULL),
			 PW_SEV_INFO);
	/* The built-in denylist wins over a user's allow. */
	assert_int_equal(judge(sc_user, "os", "system", 4, NULL),
			 PW_SEV_MALICIOUS);
	/* A user's deny makes even an allowlisted name malicious. */
	assert_int_equal(judge(sc_user, "collections", "OrderedDict", 4,
			       NULL), PW_SEV_MALICIOUS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_user_lists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
