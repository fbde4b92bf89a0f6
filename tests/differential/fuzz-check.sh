#!/bin/sh
# make check for the mutation fuzzer (fuzz.py): its self-test (the checks
# can fail), a replay of every regression fixture it ever saved
# (tests/differential/regressions/), and a short run with a fixed seed
# (PW_FUZZDIFF_MUTANTS, default 1000; PW_FUZZDIFF_SEED).  The long run is
# tests/differential/fuzz.sh.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}" \
	"${PICKLEWARDEN:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "SKIP: python3 (>= 3.8) is needed to run CPython's unpicklers"
	exit 77
fi
gen=$top_builddir/tests/fixtures/gen
if [ ! -f "$gen/manifest.tsv" ]; then
	echo "FAIL: $gen was not generated (make check builds it first)" >&2
	exit 1
fi
fz=$top_srcdir/tests/differential/fuzz.py
rc=0
"$py" "$fz" selftest --picklewarden "$PICKLEWARDEN" || rc=1
"$py" "$fz" replay --picklewarden "$PICKLEWARDEN" \
	--regressions "$top_srcdir/tests/differential/regressions" || rc=1
"$py" "$fz" run --picklewarden "$PICKLEWARDEN" --no-reduce \
	--seeds "$top_srcdir/tests/fuzz/corpus" "$top_srcdir/tests/fixtures/pickles" "$gen" \
	--mutants "${PW_FUZZDIFF_MUTANTS:-1000}" --seed "${PW_FUZZDIFF_SEED:-20261203}" || rc=1
exit $rc
