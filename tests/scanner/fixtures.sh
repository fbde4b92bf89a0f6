#!/bin/sh
# Runs test_fixtures on the fixtures that make check generated once with
# python3 (tests/fixtures/gen in the build tree).  Without python3 it
# skips and says why (CI installs python3).
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
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
PW_FIXTURE_DIR=$gen "$top_builddir/tests/scanner/test_fixtures"
rc=$?
# cmocka exits with the number of failed tests; 77 would read as "skip".
[ "$rc" -eq 0 ] || exit 1
