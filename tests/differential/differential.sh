#!/bin/sh
# make check wrapper for differential.py: on the fixtures make check
# generated once (tests/fixtures/gen), compares picklewarden's imports
# with CPython's unpicklers on them and on
# seeded mutations.  PW_DIFF_MUTANTS and PW_DIFF_SEED override the
# defaults (2000 mutants, a fixed seed); reproducers of any mismatch are
# kept in a temporary directory that the output names.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}" \
	"${PICKLEWARDEN:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "SKIP: python3 (>= 3.8) is needed to generate the pickle fixtures"
	exit 77
fi
gen=$top_builddir/tests/fixtures/gen
if [ ! -f "$gen/manifest.tsv" ]; then
	echo "FAIL: $gen was not generated (make check builds it first)" >&2
	exit 1
fi
if [ ! -x "$PICKLEWARDEN" ]; then
	echo "FAIL: $PICKLEWARDEN was not built" >&2
	exit 1
fi
"$py" "$top_srcdir/tests/differential/differential.py" \
	--fixtures "$gen" --picklewarden "$PICKLEWARDEN" \
	--mutants "${PW_DIFF_MUTANTS:-2000}" --seed "${PW_DIFF_SEED:-20240501}"
rc=$?
[ "$rc" -eq 0 ] || exit 1
