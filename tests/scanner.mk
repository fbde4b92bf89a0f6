# tests for scanner: cmocka unit tests, generated-fixture verdicts and
# truncation, fuzz regressions, and the CPython differential.
# A test that needs python3 skips (exit 77) and says so when it is missing.

PW_SCANNER_TEST_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)

EXTRA_DIST += \
	tests/fixtures/gen_fixtures.py \
	tests/fixtures/pickles \
	tests/scanner/gen_opcodes.py \
	tests/scanner/opcodes.expected \
	tests/scanner/fixtures.sh \
	tests/scanner/max-findings.sh \
	tests/scanner/random-data.sh \
	tests/scanner/layering.sh \
	tests/scanner/exports.sh \
	tests/scanner/no-cmocka.sh \
	tests/scanner/common.h \
	tests/differential/differential.py \
	tests/differential/differential.sh \
	tests/differential/fuzz.py \
	tests/differential/fuzz.sh \
	tests/differential/fuzz-check.sh \
	tests/differential/regressions \
	tests/differential/open \
	tests/bench/scan-throughput.sh

if HAVE_CMOCKA
check_PROGRAMS += \
	tests/scanner/test_stream \
	tests/scanner/test_opcodes \
	tests/scanner/test_fixtures \
	tests/scanner/test_regressions \
	tests/scanner/test_hostile \
	tests/scanner/test_stop \
	tests/scanner/test_sniff \
	tests/scanner/test_names \
	tests/scanner/test_calls \
	tests/scanner/test_memo \
	tests/scanner/test_numparse
TESTS += \
	tests/scanner/test_stream \
	tests/scanner/test_opcodes \
	tests/scanner/test_hostile \
	tests/scanner/test_stop \
	tests/scanner/test_sniff \
	tests/scanner/test_names \
	tests/scanner/test_calls \
	tests/scanner/test_memo \
	tests/scanner/test_numparse \
	tests/scanner/fixtures.sh \
	tests/scanner/max-findings.sh \
	tests/scanner/random-data.sh \
	tests/scanner/test_regressions

tests_scanner_test_stream_SOURCES = tests/scanner/test_stream.c
tests_scanner_test_stream_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_stream_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_stream_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_calls_SOURCES = tests/scanner/test_calls.c
tests_scanner_test_calls_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_calls_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_calls_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_hostile_SOURCES = tests/scanner/test_hostile.c
tests_scanner_test_hostile_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_hostile_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_hostile_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_stop_SOURCES = tests/scanner/test_stop.c
tests_scanner_test_stop_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_stop_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_stop_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_sniff_SOURCES = tests/scanner/test_sniff.c
tests_scanner_test_sniff_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_sniff_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_sniff_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_names_SOURCES = tests/scanner/test_names.c
tests_scanner_test_names_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_names_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_names_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_memo_SOURCES = tests/scanner/test_memo.c
tests_scanner_test_memo_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_memo_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_memo_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_numparse_SOURCES = tests/scanner/test_numparse.c
tests_scanner_test_numparse_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_numparse_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_numparse_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_opcodes_SOURCES = tests/scanner/test_opcodes.c
tests_scanner_test_opcodes_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_opcodes_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_opcodes_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_fixtures_SOURCES = tests/scanner/test_fixtures.c \
	tests/scanner/common.h
tests_scanner_test_fixtures_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_fixtures_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_fixtures_LDADD = $(PW_SCANNER_TEST_LDADD)

tests_scanner_test_regressions_SOURCES = tests/scanner/test_regressions.c \
	tests/scanner/common.h
tests_scanner_test_regressions_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_scanner_test_regressions_CFLAGS = $(PW_TEST_CFLAGS)
tests_scanner_test_regressions_LDADD = $(PW_SCANNER_TEST_LDADD)
else
# Without cmocka the unit tests cannot be built: fail loudly, not silently.
TESTS += tests/scanner/no-cmocka.sh
endif

# The opcode list test_opcodes checks against: from the running python3
# when there is one (so a new CPython opcode is noticed), else the
# committed copy.
check_SCRIPTS += tests/scanner/opcodes.list
CLEANFILES += tests/scanner/opcodes.list tests/scanner/opcodes.list.tmp
tests/scanner/opcodes.list: $(srcdir)/tests/scanner/gen_opcodes.py \
		$(srcdir)/tests/scanner/opcodes.expected
	$(AM_V_GEN)$(MKDIR_P) tests/scanner && \
	if test -n "$(PYTHON3)"; then \
		$(PYTHON3) $(srcdir)/tests/scanner/gen_opcodes.py >$@.tmp; \
	else \
		cp $(srcdir)/tests/scanner/opcodes.expected $@.tmp; \
	fi && mv $@.tmp $@

# The generated pickle fixtures, made once per build (before any test runs:
# check-am builds check_SCRIPTS first) and shared by fixtures.sh,
# max-findings.sh and differential.sh.
if HAVE_PYTHON3
check_SCRIPTS += tests/fixtures/gen/stamp
tests/fixtures/gen/stamp: $(srcdir)/tests/fixtures/gen_fixtures.py
	$(AM_V_GEN)rm -rf tests/fixtures/gen && $(MKDIR_P) tests/fixtures/gen && \
	$(PYTHON3) $(srcdir)/tests/fixtures/gen_fixtures.py tests/fixtures/gen \
		>/dev/null && touch $@
CLEANFILES += tests/fixtures/gen/*
endif

# The include graph of scanner/ runs one way (no loop).
TESTS += tests/scanner/layering.sh
# Every exported symbol of the library is pw_* (the rest is hidden).
TESTS += tests/scanner/exports.sh

# The CPython differential (needs python3 and the picklewarden program).
TESTS += tests/differential/differential.sh
# The mutation fuzzer's self-test, its regression fixtures and a short
# fixed-seed run (the long run: tests/differential/fuzz.sh SECONDS).
TESTS += tests/differential/fuzz-check.sh

include tests/fuzz.mk
