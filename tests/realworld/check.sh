#!/bin/sh
# Real files from real libraries: generates the set with the libraries
# Debian ships (tests/realworld/gen.py), scans it and enforces what the
# verdicts must be (tests/realworld/summary.py --check):
#   plain and unusual files: nothing malicious, no error;
#   plain files: at most 1 % suspicious;
#   code files (functions and classes pickled by value): all malicious;
# and that the committed real fixtures keep their verdicts.
# Skips (77) only when not one of the libraries is installed.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${PICKLEWARDEN:?}"
here=$top_srcdir/tests/realworld
# The Debian python3-* packages live under /usr/bin/python3, not under
# whatever python3 comes first on PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
if ! "$py" -c 'import numpy' 2>/dev/null && ! "$py" -c 'import torch' 2>/dev/null &&
   ! "$py" -c 'import sklearn' 2>/dev/null && ! "$py" -c 'import pandas' 2>/dev/null; then
	echo "SKIP: none of numpy, torch, scikit-learn, pandas is installed for $py"
	exit 77
fi
out=$top_builddir/tests/realworld/set
rm -rf "$out"
mkdir -p "$out" || exit 1
"$py" "$here/gen.py" "$out" || { echo "FAIL: gen.py"; exit 1; }
json=$top_builddir/tests/realworld/scan.json
# Exit status 1 (something malicious) is expected: the code files.
"$PICKLEWARDEN" scan --json --all --no-config "$out" >"$json"
rc=$?
if [ $rc -gt 1 ] && ! grep -q '"files"' "$json"; then
	echo "FAIL: picklewarden scan exited $rc"
	exit 1
fi
"$py" "$here/summary.py" --check "$out" "$json"
status=$?
# The committed real fixtures keep their verdicts.
fx=$top_srcdir/tests/containers/fixtures/real
while read -r name want; do
	case $name in ''|'#'*) continue ;; esac
	got=$("$PICKLEWARDEN" scan --json --no-config "$fx/$name" |
		sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p' | head -n 1)
	case "|$want|" in
	*"|$got|"*) ;;
	*) echo "FAIL: fixtures/real/$name: $got, expected $want"; status=1 ;;
	esac
done <"$here/real-verdicts.txt"
exit $status
