#!/bin/sh
# Container benchmark (issue 3): scan time and bytes read of a ~1 GB
# PyTorch-zip checkpoint, and time/memory of decompression bombs.
#
# usage: tests/bench/containers.sh [BUILDDIR] [CHECKPOINT_MB]
#   BUILDDIR: a configured build without sanitizers (default: .), where
#   tests/bench/containers-scan has been built (make tests/bench/containers-scan)
# Targets: checkpoint < 50 ms and < 1 % of its bytes read; every bomb
# refused (error verdict naming a cap) in < 1 s and < 64 MB RSS.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-.}
mb=${2:-1024}
scan="$build/tests/bench/containers-scan"
[ -x "$scan" ] || { echo "build $scan first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pw-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "generating inputs in $work (a ${mb} MB checkpoint and bombs)..."
python3 "$here/containers-gen.py" "$work" "$mb"

field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

echo
echo "== PyTorch zip checkpoint =="
ls -l "$work/big.pt" | awk '{printf "size: %d bytes\n", $5}'
# Drop nothing from the page cache (needs root); report warm figures.
out=$("$scan" "$work/big.pt")
echo "$out"
read_b=$(echo "$out" | field bytes_read)
total_b=$(echo "$out" | field bytes_total)
awk -v r="$read_b" -v t="$total_b" \
	'BEGIN { printf "bytes read: %d of %d (%.4f %%)\n", r, t, 100 * r / t }'
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 3 --runs 30 "$scan $work/big.pt" 2>/dev/null |
		sed -n '1,4p'
fi

echo
echo "== 100,000 members before data.pkl (target: < 200 ms) =="
"$scan" "$work/many.pt" | cut -c1-200
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 2 --runs 10 "$scan $work/many.pt" 2>/dev/null |
		sed -n '1,4p'
else
	/usr/bin/time -f "%e s wall" "$scan" "$work/many.pt" >/dev/null
fi

bombs() {
	for f in "$work"/bomb-*; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e s wall, %M KB max RSS" \
				"$scan" -v "$@" "$f" 2>"$work/time" |
				grep -E '^\{|limit' | head -3 | cut -c1-160
			cat "$work/time"
		else
			"$scan" -v "$@" "$f" | grep -E '^\{|limit' | head -3 |
				cut -c1-160
		fi
	done
}
echo
echo "== decompression bombs, default caps =="
bombs
# Deflate tops out near 1032:1, under the default ratio cap (2000): a
# deflate bomb runs to max_decompressed.  With a ratio cap under deflate's
# maximum it is refused at once.
echo
echo "== decompression bombs, max_ratio 1000 =="
bombs -r 1000
