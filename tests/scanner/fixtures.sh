#!/bin/sh
# Generates the fixtures with python3 into a fresh temporary directory and
# runs test_fixtures on them.  Without python3 this FAILS: an empty pass
# would hide that nothing was checked (CI installs python3).
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "FAIL: python3 (>= 3.8) is required to generate the pickle fixtures" >&2
	exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/pw-fixtures.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
"$py" "$top_srcdir/tests/fixtures/gen_fixtures.py" "$dir" || {
	echo "FAIL: gen_fixtures.py failed" >&2
	exit 1
}
PW_FIXTURE_DIR=$dir "$top_builddir/tests/scanner/test_fixtures"
rc=$?
# cmocka exits with the number of failed tests; 77 would read as "skip".
[ "$rc" -eq 0 ] || exit 1
