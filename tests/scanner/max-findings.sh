#!/bin/sh
# A verdict never depends on how many findings are kept for display: scans
# every fixture (the generated pickle set, the container fixtures with the
# real files, the fuzz regressions) with max_findings 1, 2 and the default,
# and requires the same verdict for every file and the same exit status of
# `picklewarden scan`.  polyglot-allowlisted-head.pt is the case that broke
# it: a pickle importing only an allowlisted global with a zip appended was
# malicious by default and suspicious (exit 0) with max_findings = 1.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}" \
	"${PICKLEWARDEN:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ]; then
	echo "SKIP: python3 is needed to generate the fixtures and read the JSON"
	exit 77
fi
gen=$top_builddir/tests/fixtures/gen
if [ ! -f "$gen/manifest.tsv" ]; then
	echo "FAIL: $gen was not generated (make check builds it first)" >&2
	exit 1
fi
dirs="$gen $top_srcdir/tests/containers/fixtures $top_srcdir/tests/fuzz/regressions"
[ -d "$top_builddir/tests/containers/gen" ] && dirs="$dirs $top_builddir/tests/containers/gen"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-maxfind.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for cap in 1 2 default; do
	if [ "$cap" = default ]; then
		cfg=--no-config
	else
		printf '[limits]\nmax_findings = %s\n' "$cap" >"$tmp/cap$cap.ini"
		cfg="--config $tmp/cap$cap.ini"
	fi
	# shellcheck disable=SC2086
	"$PICKLEWARDEN" scan --json $cfg $dirs >"$tmp/$cap.json" 2>"$tmp/$cap.err"
	echo $? >"$tmp/$cap.rc"
done
poly=$top_srcdir/tests/containers/fixtures/regress/polyglot-allowlisted-head.pt
for cap in 1 2; do
	"$PICKLEWARDEN" scan --config "$tmp/cap$cap.ini" "$poly" >/dev/null 2>&1
	echo $? >>"$tmp/poly.rc"
done
"$PICKLEWARDEN" scan --no-config "$poly" >/dev/null 2>&1
echo $? >>"$tmp/poly.rc"
exec "$py" - "$tmp" "$poly" <<'PYEOF'
import json, sys
tmp, poly = sys.argv[1], sys.argv[2]
runs = {}
for cap in ("1", "2", "default"):
    with open(f"{tmp}/{cap}.json") as f:
        doc = json.load(f)
    rc = int(open(f"{tmp}/{cap}.rc").read())
    runs[cap] = ({e["path"]: e["verdict"] for e in doc["files"]}, rc)
base, base_rc = runs["default"]
bad = 0
if len(base) < 1000:
    print(f"FAIL: only {len(base)} files scanned; fixtures missing?")
    bad += 1
for cap in ("1", "2"):
    got, rc = runs[cap]
    if rc != base_rc:
        print(f"FAIL: exit status {rc} with max_findings={cap}, {base_rc} by default")
        bad += 1
    for path, v in base.items():
        if got.get(path) != v:
            print(f"FAIL: {path}: {got.get(path)} with max_findings={cap}, {v} by default")
            bad += 1
if base.get(poly) != "malicious":
    print(f"FAIL: {poly} is {base.get(poly)}, expected malicious")
    bad += 1
rcs = open(f"{tmp}/poly.rc").read().split()
if rcs != ["1", "1", "1"]:
    print(f"FAIL: exit statuses of the polyglot with caps 1, 2, default: {rcs}")
    bad += 1
print(f"{len(base)} files, caps 1, 2 and default: {bad} differences")
sys.exit(1 if bad else 0)
PYEOF
