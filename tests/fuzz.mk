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

# ---- The fuzzing campaign (issue 13): one harness per input format ----
# fuzz_wrap.c is built once per format (-DFUZZ_FORMAT); fuzz_policy,
# fuzz_qrecord and fuzz_wire cover the INI reader, the quarantine record
# reader and the scan worker's result parser.  In fuzz builds each is a
# libFuzzer program (tests/fuzz/fuzz_NAME, run by tests/fuzz/campaign.sh);
# in every build each is also linked with replay_main.c as
# tests/fuzz/replay_NAME, and make check replays its seeds and every
# crash it ever found (tests/fuzz/replay-all.sh).
PW_FUZZ_WRAPPED = zip legacy numpy joblib gzip bzip2 xz lzma lz4 zstd zlib archive torchscript
PW_FUZZ_ALL = pickle $(PW_FUZZ_WRAPPED) policy qrecord wire sig_bundle
EXTRA_DIST += \
	tests/fuzz/fuzz_wrap.c tests/fuzz/fuzz_policy.c \
	tests/fuzz/fuzz_qrecord.c tests/fuzz/fuzz_wire.c \
	tests/fuzz/replay_main.c tests/fuzz/replay-all.sh \
	tests/fuzz/campaign.sh tests/fuzz/ledger.sh tests/fuzz/campaign-until.sh tests/fuzz/gen-seeds.py \
	tests/fuzz/seeds tests/fuzz/dict tests/fuzz/harness-regressions
TESTS += tests/fuzz/replay-all.sh
check_PROGRAMS += tests/fuzz/replay_pickle
tests_fuzz_replay_pickle_SOURCES = tests/fuzz/fuzz_scan_buffer.c tests/fuzz/replay_main.c
tests_fuzz_replay_pickle_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_replay_pickle_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_zip
tests_fuzz_replay_zip_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_zip_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=1
tests_fuzz_replay_zip_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_legacy
tests_fuzz_replay_legacy_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_legacy_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=2
tests_fuzz_replay_legacy_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_numpy
tests_fuzz_replay_numpy_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_numpy_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=3
tests_fuzz_replay_numpy_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_joblib
tests_fuzz_replay_joblib_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_joblib_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=4
tests_fuzz_replay_joblib_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_gzip
tests_fuzz_replay_gzip_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_gzip_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=5
tests_fuzz_replay_gzip_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_bzip2
tests_fuzz_replay_bzip2_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_bzip2_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=6
tests_fuzz_replay_bzip2_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_xz
tests_fuzz_replay_xz_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_xz_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=7
tests_fuzz_replay_xz_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_lzma
tests_fuzz_replay_lzma_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_lzma_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=8
tests_fuzz_replay_lzma_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_lz4
tests_fuzz_replay_lz4_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_lz4_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=9
tests_fuzz_replay_lz4_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_zstd
tests_fuzz_replay_zstd_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_zstd_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=10
tests_fuzz_replay_zstd_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_zlib
tests_fuzz_replay_zlib_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_zlib_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=11
tests_fuzz_replay_zlib_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_archive
tests_fuzz_replay_archive_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_archive_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=12
tests_fuzz_replay_archive_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_torchscript
tests_fuzz_replay_torchscript_SOURCES = tests/fuzz/fuzz_wrap.c tests/fuzz/replay_main.c
tests_fuzz_replay_torchscript_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=13
tests_fuzz_replay_torchscript_LDADD = $(PW_SCANNER_LIBS)

check_PROGRAMS += tests/fuzz/replay_policy
tests_fuzz_replay_policy_SOURCES = tests/fuzz/fuzz_policy.c tests/fuzz/replay_main.c
tests_fuzz_replay_policy_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_replay_policy_LDADD = policy/libpolicy.a $(INIPARSER_LIBS)

check_PROGRAMS += tests/fuzz/replay_qrecord
tests_fuzz_replay_qrecord_SOURCES = tests/fuzz/fuzz_qrecord.c tests/fuzz/replay_main.c
tests_fuzz_replay_qrecord_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_replay_qrecord_LDADD = $(PW_AGENT_LIBS)

check_PROGRAMS += tests/fuzz/replay_wire
tests_fuzz_replay_wire_SOURCES = tests/fuzz/fuzz_wire.c tests/fuzz/replay_main.c
tests_fuzz_replay_wire_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_replay_wire_LDADD = $(PW_AGENT_LIBS)
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_zip
tests_fuzz_fuzz_zip_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_zip_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_zip_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=1
tests_fuzz_fuzz_zip_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_legacy
tests_fuzz_fuzz_legacy_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_legacy_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_legacy_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=2
tests_fuzz_fuzz_legacy_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_numpy
tests_fuzz_fuzz_numpy_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_numpy_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_numpy_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=3
tests_fuzz_fuzz_numpy_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_joblib
tests_fuzz_fuzz_joblib_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_joblib_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_joblib_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=4
tests_fuzz_fuzz_joblib_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_gzip
tests_fuzz_fuzz_gzip_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_gzip_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_gzip_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=5
tests_fuzz_fuzz_gzip_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_bzip2
tests_fuzz_fuzz_bzip2_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_bzip2_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_bzip2_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=6
tests_fuzz_fuzz_bzip2_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_xz
tests_fuzz_fuzz_xz_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_xz_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_xz_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=7
tests_fuzz_fuzz_xz_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_lzma
tests_fuzz_fuzz_lzma_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_lzma_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_lzma_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=8
tests_fuzz_fuzz_lzma_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_lz4
tests_fuzz_fuzz_lz4_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_lz4_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_lz4_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=9
tests_fuzz_fuzz_lz4_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_zstd
tests_fuzz_fuzz_zstd_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_zstd_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_zstd_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=10
tests_fuzz_fuzz_zstd_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_zlib
tests_fuzz_fuzz_zlib_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_zlib_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_zlib_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=11
tests_fuzz_fuzz_zlib_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_archive
tests_fuzz_fuzz_archive_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_archive_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_archive_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=12
tests_fuzz_fuzz_archive_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_torchscript
tests_fuzz_fuzz_torchscript_SOURCES = tests/fuzz/fuzz_wrap.c
tests_fuzz_fuzz_torchscript_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_torchscript_CPPFLAGS = $(PW_TEST_CPPFLAGS) $(LIBARCHIVE_CFLAGS) -DFUZZ_FORMAT=13
tests_fuzz_fuzz_torchscript_LDADD = $(PW_SCANNER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_policy
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c
tests_fuzz_fuzz_policy_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_policy_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_fuzz_policy_LDADD = policy/libpolicy.a $(INIPARSER_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_qrecord
tests_fuzz_fuzz_qrecord_SOURCES = tests/fuzz/fuzz_qrecord.c
tests_fuzz_fuzz_qrecord_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_qrecord_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_fuzz_qrecord_LDADD = $(PW_AGENT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_wire
tests_fuzz_fuzz_wire_SOURCES = tests/fuzz/fuzz_wire.c
tests_fuzz_fuzz_wire_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_wire_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_fuzz_wire_LDADD = $(PW_AGENT_LIBS)
endif
