# Tests for policy/: the INI configuration.  (The store's tests are in
# tests/store.mk: one fragment per component.)
if HAVE_CMOCKA
check_PROGRAMS += tests/policy/test_policy
TESTS += tests/policy/test_policy

tests_policy_test_policy_SOURCES = tests/policy/test_policy.c
tests_policy_test_policy_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_policy_test_policy_CFLAGS = $(PW_TEST_CFLAGS)
tests_policy_test_policy_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
endif
