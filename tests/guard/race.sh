#!/bin/sh
# A malicious file written into a guarded directory and opened at once by
# a separate loader process (200 files, 0 ms delay, the loader spinning on
# each name while the writer's rename is in flight): every open fails
# with EPERM, every file ends in the quarantine, and the log names the
# opener.  Benign files (state dicts, npy, safetensors, text) open every
# time.
. "$top_srcdir/tests/guard/lib.sh"
guard_enter_ns "$0"
guard_start

mkdir "$T/g/race"
"$GOPEN" race "$T/g/race" 200 > "$S/race.out" &
racer=$!
"$GOPEN" write "$T/g/race" 200 "$T/fx/evil.pkl"
check "writer wrote 200 files" 0 $?
wait $racer
check "race: every open denied" "missing=0 ok=0 eperm=200 other=0" \
	"$(cat "$S/race.out")"
cat "$S/race.out"

has200() { [ "$(quarantined)" = 200 ]; }
wait_for has200
check "race: 200 files quarantined" 200 "$(quarantined)"
check "race: none left in place" 0 "$(ls "$T/g/race" | grep -c model-)"
opener_lines() {
	grep -c "action=quarantine verdict=malicious path=\"$T/g/race/model-[0-9]*.bin\".* answer=deny pid=$racer uid=0 exe=\"[^\"]*/guard-open\" cmdline=\"[^\"]*guard-open race $T/g/race 200\"" "$S/log"
}
lines200() { [ "$(opener_lines)" = 200 ]; }
# Each line is written after its move: wait for the last one.
wait_for lines200
n=$(opener_lines)
check "race: the log names the opener 200 times" 200 "$n"

# Benign files, in a plain guarded directory and under a glob.
for dir in "$T/g" "$T/h/alice/cache"; do
	for f in state.pt state.pkl array.npy model.safetensors readme.txt; do
		cp "$T/fx/$f" "$dir/$f"
		out=$("$GOPEN" open "$dir/$f" 50)
		check "benign $dir/$f opens every time" "ok=50 eperm=0 other=0" "$out"
	done
done
cp "$T/fx/evil.pkl" "$T/h/bob/cache/x.bin"
out=$("$GOPEN" open "$T/h/bob/cache/x.bin")
check "malicious file under a glob is denied" "ok=0 eperm=1 other=0" "$out"

# Ten loaders hammering one malicious file while it is denied and moved
# into the quarantine: none may ever open it, under the old name or the
# new one (a file renamed away while its opener waits stays denied).
cp "$T/fx/evil.pkl" "$T/g/hammer.pkl"
pids=
i=0
while [ $i -lt 10 ]; do
	"$GOPEN" open "$T/g/hammer.pkl" 50 > "$S/hammer.$i" 2>/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
check "hammer: no loader opened the malicious file" 0 \
	"$(cat "$S/hammer."* | grep -vc '^ok=0 ')"

guard_stop
# The store is on the marked tmpfs: the guard's own opens there reach it
# as events (fanotify does not exempt the listener) and were answered
# without waiting on a scan, or the 200 moves above would have hung.
own=$(sed -n 's/.*guard: stopped: .*own \([0-9]*\).*/\1/p' "$S/log")
check "own opens in the store were reported and answered" yes \
	"$([ "${own:-0}" -gt 0 ] && echo yes)"
echo "own opens answered: $own"
finish
