#!/bin/sh
# scan-throughput.sh - the issue-2 benchmark (not a test).
#
#   tests/bench/scan-throughput.sh [PICKLEWARDEN]
#
# Generates
#   (a)  dense.pkl   pickle.dumps([(i, float(i), str(i)) for i in
#                    range(700000)], protocol=4)  (~17 MB, ~4 M opcodes)
#   (b4) blobs4.pkl  a list of large bytes objects, protocol 4 (>= 200 MB)
#   (b5) blobs5.pkl  large bytes and bytearrays, protocol 5 (>= 200 MB)
# then times `picklewarden scan FILE` against `cat FILE >/dev/null` in the
# same hyperfine run, and measures peak RSS with /usr/bin/time -f %M.
# Targets: (a) >= 200 MB/s and <= 64 MB RSS; (b) at least as fast as cat
# and <= 32 MB RSS.  Without an argument it builds an optimised
# picklewarden (default CFLAGS, no sanitizers) in a temporary directory;
# never benchmark an ASan build.  Needs python3, hyperfine and GNU time
# (installed with apt-get when missing and running as root).
# Environment: PW_BENCH_DIR (where the data goes; default a temporary
# directory, removed at the end), PW_BENCH_RUNS (hyperfine runs, default 10).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
runs=${PW_BENCH_RUNS:-10}

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y "$2" >/dev/null || {
			apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
	fi
	command -v "$1" >/dev/null 2>&1 || { echo "missing $1 (apt-get install $2)" >&2; exit 2; }
}
need hyperfine hyperfine
need python3 python3
[ -x /usr/bin/time ] || need /usr/bin/time time

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-bench.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
data=${PW_BENCH_DIR:-$tmp/data}
mkdir -p "$data"

if [ $# -ge 1 ]; then
	pw=$1
else
	echo "bench: building an optimised picklewarden in $tmp/build"
	[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null)
	mkdir -p "$tmp/build"
	(cd "$tmp/build" && "$src/configure" >/dev/null &&
		make -j"$(nproc)" picklewarden >/dev/null) ||
		{ echo "bench: build failed" >&2; exit 2; }
	pw=$tmp/build/picklewarden
fi

echo "bench: generating data in $data"
python3 - "$data" <<'EOF'
import os, pickle, sys
d = sys.argv[1]
def write(name, obj, proto):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, 'wb') as f:
            pickle.dump(obj, f, protocol=proto)
write('dense.pkl', [(i, float(i), str(i)) for i in range(700000)], 4)
blob = bytes(range(256)) * (64 << 10)          # 16 MB
# distinct objects (the same object twice would be a memo reference)
write('blobs4.pkl', [blob[:-1] + bytes([i]) for i in range(13)], 4)
write('blobs5.pkl', [blob[:-1] + bytes([i]) for i in range(7)] +
      [bytearray(blob[:-1] + bytes([i])) for i in range(6)], 5)
EOF

# peak RSS in KiB of one run
rss() {
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$tmp/rss"
}

printf '\n%-10s %7s %9s %9s %8s %8s %10s %8s %8s %s\n' file MB scan_ms cat_ms \
	scan/cat MB/s cpu_MB/s rss_MB opcodes verdict
for f in dense.pkl blobs4.pkl blobs5.pkl; do
	p=$data/$f
	bytes=$(stat -c %s "$p")
	verdict=$("$pw" scan --json "$p" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["files"][0]["verdict"])')
	cat "$p" >/dev/null	# warm the page cache for both commands
	hyperfine -N --warmup 2 --runs "$runs" -i --export-json "$tmp/$f.json" \
		"$pw scan $p" "cat $p" >"$tmp/$f.hyperfine" 2>&1 ||
		hyperfine --warmup 2 --runs "$runs" -i --export-json "$tmp/$f.json" \
			"$pw scan $p" "cat $p >/dev/null" >"$tmp/$f.hyperfine" 2>&1
	kb=$(rss "$pw" scan "$p")
	opcodes=$("$pw" scan --json "$p" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d["files"][0]
print(f.get("opcodes", "-"))')
	python3 - "$tmp/$f.json" "$bytes" "$kb" "$f" "$opcodes" "$verdict" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
size, kb, name, ops, verdict = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
r0, r1 = j['results'][0], j['results'][1]
scan, cat = r0['mean'], r1['mean']
cpu = r0['user'] + r0['system']     # CPU seconds: less sensitive to load
print('%-10s %7.1f %9.1f %9.1f %8.2f %8.0f %10.0f %8.1f %8s %s' % (
    name, size / 1e6, scan * 1e3, cat * 1e3, scan / cat, size / 1e6 / scan,
    size / 1e6 / cpu, kb / 1024, ops, verdict))
EOF
done
cat <<'EOF'

Targets: dense.pkl >= 200 MB/s and rss <= 64 MB; blobs*.pkl scan/cat <= 1.00
and rss <= 32 MB.  (MB = 10^6 bytes; rss from /usr/bin/time -f %M; times
are hyperfine means over the runs, page cache warm, -N: no shell; cpu_MB/s
divides by user+system time, which a loaded machine distorts less.)
EOF
