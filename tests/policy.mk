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

# policy/ini.c against iniparser_load on the same text.
if HAVE_CMOCKA
check_PROGRAMS += tests/policy/test_ini
TESTS += tests/policy/test_ini
tests_policy_test_ini_SOURCES = tests/policy/test_ini.c
tests_policy_test_ini_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_policy_test_ini_CFLAGS = $(PW_TEST_CFLAGS)
tests_policy_test_ini_LDADD = policy/libpolicy.a $(INIPARSER_LIBS) $(CMOCKA_LIBS)
endif
