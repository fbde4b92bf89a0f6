# tests for signed models (issue 17): a cmocka binary for the encoders
# (the strict JSON reader that reads bundles is tested with the store,
# tests/store.mk), and end-to-end `verify` and agent cases whose vectors
# tests/signing/sign.py makes with python3-cryptography.
EXTRA_DIST += \
	tests/signing/sign.py \
	tests/signing/verify.sh tests/signing/verify_cases.py \
	tests/signing/agent.sh tests/signing/agent_cases.py \
	tests/bench/verify-hash.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/signing/test_sig_encode tests/signing/test_policy_signing
TESTS += tests/signing/test_sig_encode tests/signing/test_policy_signing
tests_signing_test_sig_encode_SOURCES = tests/signing/test_sig_encode.c
tests_signing_test_sig_encode_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_signing_test_sig_encode_CFLAGS = $(PW_TEST_CFLAGS)
tests_signing_test_sig_encode_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
tests_signing_test_policy_signing_SOURCES = tests/signing/test_policy_signing.c
tests_signing_test_policy_signing_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_signing_test_policy_signing_CFLAGS = $(PW_TEST_CFLAGS)
tests_signing_test_policy_signing_LDADD = $(PW_AGENT_LIBS) $(CMOCKA_LIBS)
endif

TESTS += tests/signing/verify.sh tests/signing/agent.sh

# libFuzzer harness for the signature reader (CC=clang --enable-fuzz), and
# in every build tests/fuzz/replay_sig_bundle, which make check runs over
# tests/fuzz/seeds/sig_bundle (tests/fuzz/replay-all.sh).  The seeds are
# bundles tests/signing/sign.py made (key P-256 and P-384 with shards, a
# certificate chain, the v0.2 form) and three of their decoded statements;
# ECDSA signatures are random, so they are committed, not regenerated.
EXTRA_DIST += tests/fuzz/fuzz_sig_bundle.c
check_PROGRAMS += tests/fuzz/replay_sig_bundle
tests_fuzz_replay_sig_bundle_SOURCES = tests/fuzz/fuzz_sig_bundle.c tests/fuzz/replay_main.c
tests_fuzz_replay_sig_bundle_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_replay_sig_bundle_LDADD = $(PW_AGENT_LIBS)
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_sig_bundle
tests_fuzz_fuzz_sig_bundle_SOURCES = tests/fuzz/fuzz_sig_bundle.c
tests_fuzz_fuzz_sig_bundle_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_fuzz_fuzz_sig_bundle_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_sig_bundle_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_sig_bundle_LDADD = $(PW_AGENT_LIBS)
endif
