/*
 * Unit tests of the [signing] section: its syntax, its errors (file:line:
 * key), the longest-path rule of require_signature, and the round trip
 * through policy_write.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

static struct policy *
load(const char *text)
{
	struct policy *p = NULL;
	struct policy_error err;

	memset(&err, 0, sizeof(err));
	if (policy_load_string(text, "t.ini", &p, &err) != 0)
		fail_msg("load failed: %s: %s", err.key, err.message);
	return p;
}

static void
levels(void **state)
{
	struct policy *p;

	(void)state;
	p = load("[signing]\nkeys = /k/a.pub, /k/b.pub\n"
		 "certificate_roots = /k/ca.pem\n"
		 "require_signature = warn, enforce:/srv/models, "
		 "no:/srv/models/scratch, enforce:/x:y\n");
	assert_int_equal(p->signing.n_keys, 2);
	assert_string_equal(p->signing.keys[1], "/k/b.pub");
	assert_int_equal(p->signing.n_roots, 1);
	assert_true(policy_signing_active(&p->signing));
	assert_int_equal(policy_signing_required(&p->signing, "/home/a.pkl"),
			 POLICY_REQUIRE_WARN);
	assert_int_equal(policy_signing_required(&p->signing,
						 "/srv/models/m/a.pkl"),
			 POLICY_REQUIRE_ENFORCE);
	assert_int_equal(policy_signing_required(&p->signing, "/srv/models"),
			 POLICY_REQUIRE_ENFORCE);
	/* Component boundaries: /srv/models2 is not below /srv/models. */
	assert_int_equal(policy_signing_required(&p->signing,
						 "/srv/models2/a.pkl"),
			 POLICY_REQUIRE_WARN);
	assert_int_equal(policy_signing_required(&p->signing,
						 "/srv/models/scratch/a"),
			 POLICY_REQUIRE_NO);
	/* The path is everything after the first colon. */
	assert_int_equal(policy_signing_required(&p->signing, "/x:y/z"),
			 POLICY_REQUIRE_ENFORCE);
	policy_free(p);
	p = load("[watch]\nroots = /tmp\n");
	assert_false(policy_signing_active(&p->signing));
	assert_int_equal(policy_signing_required(&p->signing, "/a"),
			 POLICY_REQUIRE_NO);
	policy_free(p);
}

static void
errors(void **state)
{
	static const char *const bad[] = {
		"[signing]\nrequire_signature = maybe\n",
		"[signing]\nrequire_signature = warn, enforce\n",
		"[signing]\nrequire_signature = enforce:/a, no:/a/\n",
		"[signing]\nrequire_signature = enforce:relative\n",
		"[signing]\nkeys = relative.pub\n",
		"[signing]\nkeys = /a,,/b\n",
		"[signing]\nkey = /a\n",
		"[signing]\nkeys = /a\nkeys = /b\n",
	};
	struct policy *p = NULL;
	struct policy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (policy_load_string(bad[i], "t.ini", &p, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.line, 2 + (i == 7));
		assert_non_null(strstr(err.key, "signing"));
	}
}

static void
round_trip(void **state)
{
	struct policy *p, *q;
	char *a = NULL, *b = NULL;
	size_t an, bn;
	FILE *f;

	(void)state;
	p = load("[signing]\nkeys = \"/k/a;b.pub, /k/$$x.pub\"\n"
		 "require_signature = enforce, warn:/m\n");
	f = open_memstream(&a, &an);
	assert_int_equal(policy_write(p, f), 0);
	fclose(f);
	q = load(a);
	assert_string_equal(q->signing.keys[0], "/k/a;b.pub");
	assert_string_equal(q->signing.keys[1], "/k/$x.pub");
	assert_int_equal(q->signing.require_default, POLICY_REQUIRE_ENFORCE);
	f = open_memstream(&b, &bn);
	assert_int_equal(policy_write(q, f), 0);
	fclose(f);
	assert_string_equal(strchr(a, '\n'), strchr(b, '\n'));
	free(a);
	free(b);
	policy_free(p);
	policy_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(levels),
		cmocka_unit_test(errors),
		cmocka_unit_test(round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
