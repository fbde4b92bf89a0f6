# Tests for the container parsers (issue 3).

# A small scan tool for debugging fixtures and for the benchmark.
noinst_PROGRAMS += tests/bench/containers-scan
tests_bench_containers_scan_SOURCES = tests/bench/containers-scan.c
tests_bench_containers_scan_CPPFLAGS = $(AM_CPPFLAGS)
tests_bench_containers_scan_LDADD = $(PW_SCANNER_LIBS)

# Container differential (issue 9): Python's zipfile/tarfile/gzip/lzma/bz2
# versus our readers on seeded mutants.
TESTS += tests/containers/readers-diff.sh tests/containers/failclosed.sh
EXTRA_DIST += tests/containers/readers-diff.sh tests/containers/readers-diff.py \
	tests/containers/failclosed.sh

EXTRA_DIST += tests/containers/gen-fixtures.py tests/containers/gen-real.py \
	tests/containers/mk7z.c tests/containers/fixtures \
	tests/bench/containers.sh tests/bench/containers-gen.py

if HAVE_CMOCKA
check_PROGRAMS += tests/containers/test_containers tests/containers/test_formats
TESTS += tests/containers/test_containers tests/containers/test_formats
tests_containers_test_formats_SOURCES = tests/containers/test_formats.c
tests_containers_test_formats_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_formats_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_formats_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
# One unit test binary per container module (issue 8).
check_PROGRAMS += tests/containers/test_zip
TESTS += tests/containers/test_zip
tests_containers_test_zip_SOURCES = tests/containers/test_zip.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_zip_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_zip_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_zip_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/containers/test_zip_prefix
TESTS += tests/containers/test_zip_prefix
tests_containers_test_zip_prefix_SOURCES = tests/containers/test_zip_prefix.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_zip_prefix_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_zip_prefix_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_zip_prefix_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/containers/test_archive
TESTS += tests/containers/test_archive
tests_containers_test_archive_SOURCES = tests/containers/test_archive.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_archive_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_archive_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_archive_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/containers/test_legacy
TESTS += tests/containers/test_legacy
tests_containers_test_legacy_SOURCES = tests/containers/test_legacy.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_legacy_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_legacy_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_legacy_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/containers/test_joblib
TESTS += tests/containers/test_joblib
tests_containers_test_joblib_SOURCES = tests/containers/test_joblib.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_joblib_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_joblib_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS) \
	$(LZMA_CFLAGS)
tests_containers_test_joblib_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS) \
	$(ZLIB_LIBS) $(LZMA_LIBS)
check_PROGRAMS += tests/containers/test_polyglot
TESTS += tests/containers/test_polyglot
tests_containers_test_polyglot_SOURCES = tests/containers/test_polyglot.c \
	tests/containers/unit.h tests/containers/zip_build.h
tests_containers_test_polyglot_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_polyglot_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_containers_test_polyglot_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
tests_containers_test_containers_SOURCES = tests/containers/test_containers.c
tests_containers_test_containers_CFLAGS = $(PW_TEST_CFLAGS)
tests_containers_test_containers_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_containers_test_containers_LDADD = $(PW_SCANNER_LIBS) $(CMOCKA_LIBS)
if HAVE_PYTHON3
# Fixtures are generated (python3 stdlib only) into the build tree.
EXTRA_tests_containers_test_containers_DEPENDENCIES = \
	tests/containers/gen/expect.txt
tests/containers/gen/expect.txt: $(srcdir)/tests/containers/gen-fixtures.py
	$(AM_V_GEN)$(MKDIR_P) tests/containers/gen && \
	$(PYTHON3) $(srcdir)/tests/containers/gen-fixtures.py \
		$(srcdir)/tests/containers tests/containers/gen
CLEANFILES += tests/containers/gen/*
endif
endif

# Structure-aware fuzzing of the container paths (zip, npy, legacy torch,
# legacy tar, gzip): CC=clang ./configure --enable-fuzz ...
EXTRA_DIST += tests/containers/fuzz_containers.c
if ENABLE_FUZZ
noinst_PROGRAMS += tests/containers/fuzz_containers
tests_containers_fuzz_containers_SOURCES = tests/containers/fuzz_containers.c
tests_containers_fuzz_containers_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_containers_fuzz_containers_CFLAGS = $(AM_CFLAGS)
tests_containers_fuzz_containers_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_containers_fuzz_containers_LDADD = $(PW_SCANNER_LIBS)
endif
