#!/bin/sh
# make check: the evasion corpus of issues 9 and 10.
#  1. gen.py writes every fixture (standard library only) and its manifest;
#  2. picklewarden scans them all; compare.py requires malicious fixtures
#     `malicious` and benign ones not, prints per-class numbers, and lets
#     the fixtures in known-gaps.txt fail without failing the test (a listed
#     fixture that is now right fails it: the list can only shrink);
#  3. when Debian's python3 has the loaders (torch, numpy, joblib, pandas),
#     the self-test proves that every fixture runs under the loaders its
#     manifest names (harmless marker payloads, forked children).
# PW_EVASION_KEEP=1 keeps the fixture directory for inspection.
set -u
: "${top_srcdir:?run through make check}" "${PICKLEWARDEN:?run through make check}"
here="$top_srcdir/tests/evasions"
export PYTHONDONTWRITEBYTECODE=1
# The Debian interpreter first: its python3-* packages are the loaders and
# writers (py7zr, torch) the corpus is about.
py=
for p in /usr/bin/python3 "${PYTHON3:-}"; do
	if [ -n "$p" ] && [ -x "$p" ] &&
	   "$p" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "SKIP: no python3 (>= 3.8) to generate the evasion corpus"
	exit 77
fi
if [ ! -x "$PICKLEWARDEN" ]; then
	echo "FAIL: $PICKLEWARDEN was not built" >&2
	exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/pw-evasions.XXXXXX") || exit 1
if [ "${PW_EVASION_KEEP:-0}" = 1 ]; then
	echo "fixtures kept in $dir"
else
	trap 'rm -rf "$dir"' EXIT
fi
"$py" "$here/gen.py" "$dir/fx" || { echo "FAIL: gen.py"; exit 1; }
"$PICKLEWARDEN" scan --json --no-config "$dir/fx" >"$dir/scan.json"
rc=$?
# 0 (nothing malicious), 1 (something malicious) and 2 (some error) all
# leave a complete report; anything else is a crash.
if [ "$rc" -gt 2 ]; then
	echo "FAIL: picklewarden scan exited $rc"
	exit 1
fi
status=0
"$py" "$here/compare.py" "$dir/fx/manifest.json" "$dir/scan.json" \
	"$here/known-gaps.txt" || status=1
"$py" "$here/gen.py" --self-test
st=$?
case $st in
0) ;;
77) echo "self-test skipped (no loader installed); scan part ran" ;;
*) echo "FAIL: loader self-test"; status=1 ;;
esac
exit $status
