# Tests for agent/store/: the quarantine store, its records, the log,
# and (end to end) the quarantine commands.
if HAVE_CMOCKA
check_PROGRAMS += tests/store/test_quarantine tests/store/test_log \
	tests/store/test_json_writer tests/store/test_escape
TESTS += tests/store/test_quarantine tests/store/test_log \
	tests/store/test_json_writer tests/store/test_escape

# Wraps renameat2, write, fsync and getrandom to simulate EXDEV, ENOSPC,
# EIO and ID collisions; --wrap needs the calls un-fortified.
tests_store_test_quarantine_SOURCES = tests/store/test_quarantine.c
tests_store_test_quarantine_CPPFLAGS = $(PW_TEST_CPPFLAGS) -U_FORTIFY_SOURCE
tests_store_test_quarantine_CFLAGS = $(PW_TEST_CFLAGS) -U_FORTIFY_SOURCE
tests_store_test_quarantine_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=renameat2 -Wl,--wrap=write -Wl,--wrap=fsync \
	-Wl,--wrap=getrandom
tests_store_test_quarantine_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)

tests_store_test_log_SOURCES = tests/store/test_log.c
tests_store_test_log_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_store_test_log_CFLAGS = $(PW_TEST_CFLAGS)
tests_store_test_log_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)

tests_store_test_escape_SOURCES = tests/store/test_escape.c
tests_store_test_escape_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_store_test_escape_CFLAGS = $(PW_TEST_CFLAGS)
tests_store_test_escape_LDADD = agent/libagent.a $(CMOCKA_LIBS)

tests_store_test_json_writer_SOURCES = tests/store/test_json_writer.c
tests_store_test_json_writer_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_store_test_json_writer_CFLAGS = $(PW_TEST_CFLAGS)
tests_store_test_json_writer_LDADD = agent/libagent.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/store/test_hf
TESTS += tests/store/test_hf

# The one strict JSON reader (records and signature bundles).
check_PROGRAMS += tests/store/test_json_reader
TESTS += tests/store/test_json_reader
tests_store_test_json_reader_SOURCES = tests/store/test_json_reader.c
tests_store_test_json_reader_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_store_test_json_reader_CFLAGS = $(PW_TEST_CFLAGS)
tests_store_test_json_reader_LDADD = agent/libagent.a $(CMOCKA_LIBS)
tests_store_test_hf_SOURCES = tests/store/test_hf.c
tests_store_test_hf_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_store_test_hf_CFLAGS = $(PW_TEST_CFLAGS)
tests_store_test_hf_LDADD = agent/libagent.a $(CMOCKA_LIBS)
endif

TESTS += tests/store/cli.sh
dist_noinst_SCRIPTS += tests/store/cli.sh
