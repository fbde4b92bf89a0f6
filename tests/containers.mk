# tests for containers (issue 3)
noinst_PROGRAMS += tests/bench/containers-scan
tests_bench_containers_scan_SOURCES = tests/bench/containers-scan.c
tests_bench_containers_scan_CPPFLAGS = $(AM_CPPFLAGS)
tests_bench_containers_scan_LDADD = $(PW_SCANNER_LIBS)
