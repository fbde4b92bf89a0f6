#!/bin/sh
# sandbox-overhead.sh - the issue-13 benchmark (not a test).
#
#   tests/bench/sandbox-overhead.sh [PICKLEWARDEN]
#
# 1. 10,000 small files (benign pickles of protocols 2-5 and small
#    PyTorch-style zips, 100 B - 4 KiB): `picklewarden scan DIR` in process
#    (--no-sandbox) against sandboxed (the default), in the same hyperfine
#    run.  Target: sandboxed at most 15 % slower.  Also reported: the CPU
#    time of both (the workers included), and the same pair pinned to one
#    CPU (taskset), where the sandbox cannot borrow an idle core: what it
#    costs on a machine with no CPU to spare.
# 2. Idle memory of `picklewarden watch` (default [agent] workers = 2, so
#    two worker processes): VmRSS of the agent plus its workers, and
#    their PSS (shared copy-on-write pages counted once).  Target:
#    <= 24 MB.
# Without an argument it builds an optimised picklewarden (default CFLAGS,
# no sanitizers) in a temporary directory; never benchmark an ASan build.
# Needs python3 and hyperfine.  PW_BENCH_RUNS: hyperfine runs (default 30).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
runs=${PW_BENCH_RUNS:-30}
command -v hyperfine >/dev/null || { echo "missing hyperfine (apt-get install hyperfine)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "missing python3" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-sbench.XXXXXX")
agent=
cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

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

echo "bench: generating 10,000 files in $tmp/files"
python3 - "$tmp/files" <<'PY'
import io, os, pickle, sys, zipfile
from collections import OrderedDict
d = sys.argv[1]
for i in range(10000):
    sub = os.path.join(d, "%02d" % (i % 100))
    os.makedirs(sub, exist_ok=True)
    obj = {"step": i, "lr": 0.001 * (i % 7), "names": ["w%d" % j for j in
           range(i % 50)], "state": OrderedDict(a=i, b=[1.5] * (i % 30))}
    data = pickle.dumps(obj, protocol=2 + i % 4)
    if i % 10 == 9:          # every tenth: a small PyTorch-style zip
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/data.pkl", data)
            z.writestr("archive/version", "3\n")
        data = buf.getvalue()
    with open(os.path.join(sub, "f%05d.bin" % i), "wb") as f:
        f.write(data)
PY
du -sh "$tmp/files" | sed 's/^/bench: /'

"$pw" scan --no-config "$tmp/files" >"$tmp/sb.txt" || true
"$pw" scan --no-config --no-sandbox "$tmp/files" >"$tmp/ip.txt" || true
cmp -s "$tmp/sb.txt" "$tmp/ip.txt" ||
	{ echo "bench: sandboxed and in-process reports differ" >&2; exit 1; }

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/h.json" \
	-n in-process "$pw scan --no-config --no-sandbox $tmp/files" \
	-n sandboxed "$pw scan --no-config $tmp/files"
report() {
	python3 - "$1" "$2" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["in-process"], r["sandboxed"]
what = sys.argv[2]
over = (b["mean"] / a["mean"] - 1) * 100
med = (b["median"] / a["median"] - 1) * 100
print("bench: %s: in-process %.1f ms, sandboxed %.1f ms (%.1f us/file vs "
      "%.1f us/file): overhead %+.1f %% (medians %+.1f %%)%s" %
      (what, a["mean"] * 1e3, b["mean"] * 1e3, a["mean"] * 1e2,
       b["mean"] * 1e2, over, med,
       "" if what != "wall" else
       " (target <= 15 %%) %s" % ("PASS" if over <= 15 else "MISS")))
# CPU (user + system, the workers included: they are reaped children);
# on a busy machine wall time mostly measures the neighbours.
ca, cb = a["user"] + a["system"], b["user"] + b["system"]
print("bench: %s: CPU in-process %.1f ms, sandboxed %.1f ms: %+.1f %%" %
      (what, ca * 1e3, cb * 1e3, (cb / ca - 1) * 100))
PY
}
report "$tmp/h.json" wall
# The same on one CPU: agent and worker take turns, nothing runs beside.
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/h1.json" \
		-n in-process "taskset -c 0 $pw scan --no-config --no-sandbox $tmp/files" \
		-n sandboxed "taskset -c 0 $pw scan --no-config $tmp/files" \
		>/dev/null
	report "$tmp/h1.json" "one CPU"
fi

# 2. Idle memory of the watcher and its workers.
home=$tmp/home
mkdir -p "$home/.cache/huggingface/hub" "$home/.cache/torch/hub" \
	"$home/.keras/models"
env -i HOME="$home" PATH="$PATH" "$pw" watch --foreground \
	>"$tmp/watch.log" 2>&1 &
agent=$!
i=0
until grep -q "startup scan complete" "$tmp/watch.log"; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "bench: watch did not start" >&2; cat "$tmp/watch.log" >&2; exit 1; }
	sleep 0.1
done
sleep 1
pids="$agent $(cat /proc/$agent/task/*/children 2>/dev/null)"
rss=0 pss=0 n=0
for p in $pids; do
	r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status")
	s=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
	rss=$((rss + r)); pss=$((pss + s)); n=$((n + 1))
	echo "bench: pid $p VmRSS ${r} kB Pss ${s} kB"
done
awk -v r="$rss" -v s="$pss" -v n="$n" 'BEGIN {
	printf "bench: idle watch, %d processes: RSS %.1f MB, PSS %.1f MB " \
	       "(target <= 24 MB) %s\n", n, r / 1024, s / 1024,
	       (s / 1024 <= 24 ? "PASS" : "MISS") }'
