#!/bin/sh
# make check (fuzz builds only): runs every corpus and regression input
# once through the libFuzzer harness.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
files=$(find "$top_srcdir/tests/fuzz/corpus" "$top_srcdir/tests/fuzz/regressions" -type f ! -name README)
[ -n "$files" ] || { echo "FAIL: no inputs" >&2; exit 1; }
# shellcheck disable=SC2086
"$top_builddir/tests/fuzz/fuzz_scan_buffer" -runs=1 $files || exit 1
