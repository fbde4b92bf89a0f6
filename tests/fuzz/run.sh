#!/bin/sh
# Builds the libFuzzer harness with clang (--enable-fuzz --enable-asan
# --enable-ubsan) in a temporary directory and fuzzes pw_scan_buffer.
#
#   tests/fuzz/run.sh [SECONDS] [JOBS]      (defaults: 60 s, 1 job)
#
# It keeps fuzzing after a crash (libFuzzer fork mode) and exits 1 when any
# crash, timeout or out-of-memory input was found.
#
# The seed corpus (tests/fuzz/corpus) is copied, never written to; new
# corpus entries and crash artifacts stay in the temporary directory,
# whose path is printed.  Every crash input must be copied into
# tests/fuzz/regressions/ (test_regressions scans it in make check).
# Set PW_FUZZ_KEEP_CRASHES=1 to have this script copy them there.
set -eu
secs=${1:-60}
jobs=${2:-1}
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || { echo "clang is required (apt-get install clang)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-fuzz.XXXXXX")
echo "fuzz: working in $tmp"
if [ ! -x "$src/configure" ]; then
	(cd "$src" && autoreconf -fi)
fi
mkdir -p "$tmp/build" "$tmp/corpus" "$tmp/artifacts"
(cd "$tmp/build" && CC=clang "$src/configure" --enable-fuzz --enable-asan \
	--enable-ubsan >"$tmp/configure.log" 2>&1) ||
	{ echo "configure failed: $tmp/configure.log" >&2; exit 2; }
make -C "$tmp/build" -j"$(nproc)" tests/fuzz/fuzz_scan_buffer >"$tmp/make.log" 2>&1 ||
	{ echo "build failed: $tmp/make.log" >&2; exit 2; }
cp "$src"/tests/fuzz/corpus/* "$tmp/corpus/" 2>/dev/null || true
cp "$src"/tests/fuzz/regressions/* "$tmp/corpus/" 2>/dev/null || true
rm -f "$tmp/corpus/README"
set +e
# Fork mode keeps fuzzing after a crash, so one run collects every crash
# it can find (each lands in artifacts/).
(cd "$tmp" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	"$tmp/build/tests/fuzz/fuzz_scan_buffer" -max_total_time="$secs" \
		-fork="$jobs" -ignore_crashes=1 -ignore_ooms=0 -ignore_timeouts=0 \
		-rss_limit_mb=2048 -timeout=10 -max_len=65536 \
		-dict="$src/tests/fuzz/pickle.dict" \
		-artifact_prefix="$tmp/artifacts/" "$tmp/corpus" 2>&1) |
	grep -vE '^#|^INFO|^\s*$' | tail -n 60
set -e
n=$(find "$tmp/artifacts" -type f | wc -l)
echo "fuzz: $n crash/timeout/oom artifact(s) in $tmp/artifacts"
if [ "$n" -gt 0 ]; then
	ls -l "$tmp/artifacts"
	if [ "${PW_FUZZ_KEEP_CRASHES:-0}" = 1 ]; then
		for f in "$tmp"/artifacts/*; do
			cp "$f" "$src/tests/fuzz/regressions/$(basename "$f")"
		done
		echo "fuzz: copied into $src/tests/fuzz/regressions/"
	fi
	exit 1
fi
