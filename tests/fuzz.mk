# libFuzzer harness over pw_scan_buffer: built only with
#   CC=clang ./configure --enable-fuzz [--enable-asan --enable-ubsan]
# tests/fuzz/run.sh does that in a temporary directory and fuzzes.
# Every crash ever found is kept in tests/fuzz/regressions/, which
# test_regressions (a cmocka test, run in every build, ASan in CI) scans.

EXTRA_DIST += \
	tests/fuzz/fuzz_scan_buffer.c \
	tests/fuzz/run.sh \
	tests/fuzz/replay.sh \
	tests/fuzz/pickle.dict \
	tests/fuzz/corpus \
	tests/fuzz/regressions

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_scan_buffer
tests_fuzz_fuzz_scan_buffer_SOURCES = tests/fuzz/fuzz_scan_buffer.c
tests_fuzz_fuzz_scan_buffer_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_fuzz_scan_buffer_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_scan_buffer_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_scan_buffer_LDADD = $(PW_SCANNER_LIBS)
# In a fuzz build, also replay the corpus and the regressions through the
# harness itself (each input once).
TESTS += tests/fuzz/replay.sh
endif
