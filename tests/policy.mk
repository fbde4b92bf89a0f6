# Tests for issue 4: configuration, quarantine store, logging, decisions.
if HAVE_CMOCKA
check_PROGRAMS += tests/policy/test_policy tests/quarantine/test_quarantine \
	tests/quarantine/test_log
TESTS += tests/policy/test_policy tests/quarantine/test_quarantine \
	tests/quarantine/test_log

tests_policy_test_policy_SOURCES = tests/policy/test_policy.c
tests_policy_test_policy_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_policy_test_policy_CFLAGS = $(PW_TEST_CFLAGS)
tests_policy_test_policy_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)

# Wraps renameat2, write, fsync and getrandom to simulate EXDEV, ENOSPC,
# EIO and ID collisions; --wrap needs the calls un-fortified.
tests_quarantine_test_quarantine_SOURCES = tests/quarantine/test_quarantine.c
tests_quarantine_test_quarantine_CPPFLAGS = $(PW_TEST_CPPFLAGS) -U_FORTIFY_SOURCE
tests_quarantine_test_quarantine_CFLAGS = $(PW_TEST_CFLAGS) -U_FORTIFY_SOURCE
tests_quarantine_test_quarantine_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=renameat2 -Wl,--wrap=write -Wl,--wrap=fsync \
	-Wl,--wrap=getrandom
tests_quarantine_test_quarantine_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)

tests_quarantine_test_log_SOURCES = tests/quarantine/test_log.c
tests_quarantine_test_log_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_quarantine_test_log_CFLAGS = $(PW_TEST_CFLAGS)
tests_quarantine_test_log_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
endif

TESTS += tests/quarantine/cli.sh
dist_noinst_SCRIPTS += tests/quarantine/cli.sh
