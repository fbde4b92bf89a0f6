# Tests of the scan workers (issue 13): the result parser fed forged
# messages, real workers killed for what a test hook makes them do, and a
# `watch` run whose worker crashes on one file.
# PW_TEST_HOOKS is defined only for the worker objects of these programs,
# never for the installed binary.
PW_SANDBOX_HOOK_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBSECCOMP_CFLAGS) \
	-DPW_TEST_HOOKS

EXTRA_DIST += tests/sandbox/watch_crash.sh tests/sandbox/watch_crash.py \
	tests/sandbox/watch_no_worker.sh tests/sandbox/watch_no_worker.py \
	tests/bench/sandbox-overhead.sh \
	tests/sandbox/same_verdicts.sh tests/sandbox/scan_crash.sh \
	tests/sandbox/scan_batches.sh tests/sandbox/under_unit_filter.sh

# Runs a program with seccomp(2) denied, as the systemd unit does.
check_PROGRAMS += tests/sandbox/deny_seccomp
tests_sandbox_deny_seccomp_SOURCES = tests/sandbox/deny_seccomp.c
tests_sandbox_deny_seccomp_CPPFLAGS = $(AM_CPPFLAGS) $(LIBSECCOMP_CFLAGS)
tests_sandbox_deny_seccomp_LDADD = $(LIBSECCOMP_LIBS)

# The agent with the test hooks in its workers, for end-to-end tests.
check_PROGRAMS += tests/sandbox/picklewarden-hooks
tests_sandbox_picklewarden_hooks_SOURCES = agent/cli/main.c \
	agent/sandbox/worker.c
tests_sandbox_picklewarden_hooks_CPPFLAGS = $(PW_SANDBOX_HOOK_CPPFLAGS)
tests_sandbox_picklewarden_hooks_LDADD = $(PW_AGENT_LIBS)

TESTS += tests/sandbox/same_verdicts.sh tests/sandbox/scan_crash.sh \
	tests/sandbox/scan_batches.sh tests/sandbox/under_unit_filter.sh
if HAVE_PYTHON3
TESTS += tests/sandbox/watch_crash.sh tests/sandbox/watch_no_worker.sh
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/sandbox/test_wire tests/sandbox/test_sandbox
TESTS += tests/sandbox/test_wire tests/sandbox/test_sandbox
tests_sandbox_test_wire_SOURCES = tests/sandbox/test_wire.c
tests_sandbox_test_wire_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_sandbox_test_wire_CFLAGS = $(PW_TEST_CFLAGS)
tests_sandbox_test_wire_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)

tests_sandbox_test_sandbox_SOURCES = tests/sandbox/test_sandbox.c \
	agent/sandbox/worker.c
tests_sandbox_test_sandbox_CPPFLAGS = $(PW_SANDBOX_HOOK_CPPFLAGS)
tests_sandbox_test_sandbox_CFLAGS = $(PW_TEST_CFLAGS)
tests_sandbox_test_sandbox_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
endif
