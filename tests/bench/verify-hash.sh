#!/bin/sh
# verify-hash.sh - hashing speed of `picklewarden verify` (not a test).
#
#   tests/bench/verify-hash.sh [PICKLEWARDEN]
#
# Writes a 1 GB model file (PW_BENCH_MB, default 1024 MiB of random bytes),
# signs its directory with tests/signing/sign.py, then times in one
# hyperfine run `picklewarden verify --key K DIR` (one signature check and
# a SHA-256 of the whole file) against `sha256sum FILE` and `openssl dgst
# -sha256 FILE`, and prints each in GB/s.  Without an argument it builds an optimised picklewarden
# (default CFLAGS, no sanitizers) in a temporary directory; never
# benchmark an ASan build.  Needs /usr/bin/python3 with python3-cryptography,
# hyperfine and openssl.  PW_BENCH_DIR: where the data goes (default a temporary
# directory, removed at the end; note /tmp may be a tmpfs, which measures
# the page cache, as the warm-up run does anyway); PW_BENCH_RUNS: runs.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
runs=${PW_BENCH_RUNS:-5}
mb=${PW_BENCH_MB:-1024}
command -v hyperfine >/dev/null || { echo "missing hyperfine" >&2; exit 2; }
tmp=${PW_BENCH_DIR:-$(mktemp -d /tmp/pw-vbench-XXXXXX)}
[ -n "${PW_BENCH_DIR:-}" ] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/model"
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
f=$tmp/model/weights.bin
head -c "$((mb * 1024 * 1024))" /dev/urandom > "$f"
/usr/bin/python3 "$src/tests/signing/sign.py" pki "$tmp/pki" >/dev/null
/usr/bin/python3 "$src/tests/signing/sign.py" sign --key "$tmp/pki/p256.pem" \
	"$tmp/model"
"$pw" verify --no-config --key "$tmp/pki/p256.pub" "$tmp/model"
# openssl dgst is the same SHA-256 code: the floor for verify.
hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/h.json" \
	"$pw verify --no-config --key $tmp/pki/p256.pub $tmp/model" \
	"sha256sum $f" "openssl dgst -sha256 $f" >&2
/usr/bin/python3 - "$tmp/h.json" "$f" <<'PY'
import json, os, sys
res = json.load(open(sys.argv[1]))["results"]
size = os.path.getsize(sys.argv[2])
names = ["picklewarden verify", "sha256sum", "openssl dgst -sha256"]
for name, r in zip(names, res):
    print(f"{name:20s} {r['mean']:.3f} s +- {r['stddev']:.3f}  "
          f"{size / r['mean'] / 1e9:.2f} GB/s")
print(f"verify/sha256sum time ratio: {res[0]['mean'] / res[1]['mean']:.2f}")
PY
