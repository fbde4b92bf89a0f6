# Evasion corpus of issues 9 and 10: fixtures generated at test time,
# scanned, judged against the manifest and known-gaps.txt; loader self-test
# when Debian's python3-torch/numpy/joblib/pandas are installed.
TESTS += tests/evasions/check.sh
EXTRA_DIST += tests/evasions/check.sh tests/evasions/gen.py \
	tests/evasions/pk.py tests/evasions/arc.py tests/evasions/selftest.py \
	tests/evasions/compare.py tests/evasions/known-gaps.txt \
	tests/evasions/peers/peers.py tests/evasions/peers/README.md \
	tests/evasions/peers/picklescan
