#!/bin/sh
# Benchmark of `picklewarden watch` (issue 5).  Not a test: it prints
#   - latency from a file's final rename to its quarantine (200 files,
#     1 KiB to 100 MiB, p50/p99, per size class),
#   - CPU time used over 30 s idle, with the watchdog of the shipped unit,
#   - RSS with 10,000 watched directories.
# Use an optimised build (sanitizers inflate RSS and CPU):
#   PICKLEWARDEN=/path/to/picklewarden tests/bench/watch-latency.sh
# Options go to the Python helper: --files N, --idle-seconds S, --dirs N,
# --max-mb M, --vs-in-process ROUNDS (issue 13: the latency with and
# without the scan workers, taking turns, so both meet the same disk).
set -e
here=$(cd "$(dirname "$0")" && pwd)
: "${PICKLEWARDEN:=$here/../../picklewarden}"
: "${PYTHON3:=python3}"
export PICKLEWARDEN
exec "$PYTHON3" "$here/watch-latency.py" "$@"
