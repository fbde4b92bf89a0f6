#!/bin/sh
# sandbox-overhead.sh - the issue-13 benchmark (not a test).
#
#   tests/bench/sandbox-overhead.sh [PICKLEWARDEN]
#
# 1. 10,000 small files (benign pickles of protocols 2-5 and small
#    PyTorch-style zips, 100 B - 4 KiB): `picklewarden scan DIR` in process
#    (--no-sandbox) against sandboxed (the default), interleaved in the same
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
# Needs python3.  PW_BENCH_RUNS: runs of each command (default 30).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
runs=${PW_BENCH_RUNS:-30}
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
# Runs the pair interleaved (A B B A A B ...), not all of one then all of
# the other: this machine's speed drifts by 10-20 % over a minute, which
# a block of runs per command turns into a false ratio.  Wall time and
# CPU time (user + system of the command and the workers it reaped).
compare() {
	python3 - "$runs" "$@" <<'PY'
import os, statistics, sys, time
runs, what, pin = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {"in-process": sys.argv[4].split(), "sandboxed": sys.argv[5].split()}
if pin:
    cmds = {k: ["taskset", "-c", pin] + v for k, v in cmds.items()}
null = os.open(os.devnull, os.O_WRONLY)
res = {k: [] for k in cmds}
order = list(cmds)
for i in range(runs + 2):          # two warm-up rounds
    for k in (order if i % 2 else order[::-1]):
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(null, 1)
            os.execvp(cmds[k][0], cmds[k])
        _, st, ru = os.wait4(pid, 0)
        if st != 0:
            sys.exit("bench: %s failed" % k)
        if i >= 2:
            res[k].append((time.perf_counter() - t,
                           ru.ru_utime + ru.ru_stime))
def med(k, j): return statistics.median(x[j] for x in res[k])
def mean(k, j): return statistics.mean(x[j] for x in res[k])
a, b = "in-process", "sandboxed"
over = (med(b, 0) / med(a, 0) - 1) * 100
print("bench: %s: in-process %.1f ms, sandboxed %.1f ms (%.1f vs %.1f us/file; "
      "medians of %d interleaved runs): overhead %+.1f %% (means %+.1f %%)%s"
      % (what, med(a, 0) * 1e3, med(b, 0) * 1e3, med(a, 0) * 1e2,
         med(b, 0) * 1e2, runs, over, (mean(b, 0) / mean(a, 0) - 1) * 100,
         " (target <= 15 %%) %s" % ("PASS" if over <= 15 else "MISS")
         if what == "wall" else ""))
print("bench: %s: CPU in-process %.1f ms, sandboxed %.1f ms: %+.1f %%"
      % (what, med(a, 1) * 1e3, med(b, 1) * 1e3,
         (med(b, 1) / med(a, 1) - 1) * 100))
PY
}
compare wall "" "$pw scan --no-config --no-sandbox $tmp/files" \
	"$pw scan --no-config $tmp/files"
# The same on one CPU: agent and worker take turns, nothing runs beside.
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
	compare "one CPU" 0 "$pw scan --no-config --no-sandbox $tmp/files" \
		"$pw scan --no-config $tmp/files"
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
