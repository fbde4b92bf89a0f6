# tests for the guard (issue 14): end-to-end scripts on real fanotify (root,
# in a private mount namespace on a tmpfs; they skip with 77 otherwise),
# a cmocka test of its configuration and verdict table, and the opener
# helper the scripts and the benchmark run as a separate process.
check_PROGRAMS += tests/guard/guard-open
tests_guard_guard_open_SOURCES = tests/guard/guard-open.c

TESTS += tests/guard/race.sh tests/guard/modify.sh tests/guard/lifecycle.sh \
	tests/guard/both.sh tests/guard/outside.sh
# The system unit as shipped under a real systemd (PID 1 of a private PID
# namespace; root only, skips otherwise).
TESTS += tests/systemd/guard-unit.sh
EXTRA_DIST += tests/guard/race.sh tests/guard/modify.sh \
	tests/guard/lifecycle.sh tests/guard/both.sh tests/guard/outside.sh \
	tests/systemd/guard-unit.sh tests/guard/lib.sh \
	tests/guard/gen.py \
	tests/bench/guard-latency.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/guard/test_guard
TESTS += tests/guard/test_guard
tests_guard_test_guard_SOURCES = tests/guard/test_guard.c
tests_guard_test_guard_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_guard_test_guard_CFLAGS = $(PW_TEST_CFLAGS)
tests_guard_test_guard_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
endif
