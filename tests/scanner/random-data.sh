#!/bin/sh
# Random bytes are not a pickle: random files are clean.  Raw
# weights, compressed blobs and other binary files in a model cache read
# as a few opcodes and then garbage; none of them may be called malicious.
# 2,000 seeded random files of 12 KiB: at most 1 malicious (0.05 %: data
# that starts with an EXT code and then claims a payload longer than the
# file reads as a pickle cut short after an unresolvable import, which a
# partial download can be) and no error (an error on a file a loader would
# execute is quarantined by default; random data read as BININT then
# BINPERSID was one, until a persistent id that is a number was known to
# stop every persistent_load).  Before: 4 malicious, 2 error in 3,000.
set -u
if [ -z "${PYTHON3:-}" ] || ! command -v "$PYTHON3" >/dev/null 2>&1; then
	echo "SKIP: python3 is required to write the random files"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$PYTHON3" - "$tmp" <<'PY' || exit 1
import random, sys
r = random.Random(20261203)
for i in range(2000):
    with open("%s/r%04d.bin" % (sys.argv[1], i), "wb") as f:
        f.write(r.randbytes(12288))
PY
"$PICKLEWARDEN" scan --no-config --no-sandbox "$tmp" >"$tmp/out" 2>&1
mal=$(grep -c ': malicious' "$tmp/out")
err=$(grep -c ': error' "$tmp/out")
sus=$(grep -c ': suspicious' "$tmp/out")
echo "random files: 2000, malicious $mal, error $err, suspicious $sus"
grep ': malicious' "$tmp/out" | head -5
[ "$mal" -le 1 ] || { echo "FAIL: random data judged malicious"; exit 1; }
[ "$err" -eq 0 ] || { echo "FAIL: random data judged an error"; grep ': error' "$tmp/out" | head -5; exit 1; }
echo "ok"
