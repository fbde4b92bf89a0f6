#!/bin/sh
# The differential fuzzer's long run:
#   tests/differential/fuzz.sh SECONDS [JOBS]
# mutates the seed pickles for SECONDS, compares picklewarden's imports
# with CPython's find_class calls (tests/differential/fuzz.py) and saves
# every failure, reduced, as a regression fixture in
# tests/differential/regressions/ (PW_FUZZDIFF_SAVE=DIR elsewhere), which
# make check replays.  PICKLEWARDEN names the program (default: the
# build/ tree next to this source tree); PW_FUZZDIFF_SEED the seed
# (default: the time).  Runs at nice 10.
set -eu
secs=${1:?usage: fuzz.sh SECONDS [JOBS]}
jobs=${2:-$(nproc 2>/dev/null || echo 1)}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
pw=${PICKLEWARDEN:-$src/build/picklewarden}
[ -x "$pw" ] || { echo "fuzz.sh: no picklewarden at $pw (set PICKLEWARDEN)" >&2; exit 2; }
save=${PW_FUZZDIFF_SAVE:-$here/regressions}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the generated fixtures are seeds too (standard library only)
python3 "$src/tests/fixtures/gen_fixtures.py" "$tmp/gen" >/dev/null
# a copy: rebuilding the program during a run must not break the run
cp "$pw" "$tmp/picklewarden"
exec nice -n 10 python3 "$here/fuzz.py" run --picklewarden "$tmp/picklewarden" \
	--seeds "$src/tests/fuzz/corpus" "$src/tests/fixtures/pickles" "$tmp/gen" \
	--seconds "$secs" --jobs "$jobs" --seed "${PW_FUZZDIFF_SEED:-$(date +%s)}" \
	--progress 20 --regressions "$save"
