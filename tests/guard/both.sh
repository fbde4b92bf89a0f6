#!/bin/sh
# guard and watch together over one directory never fight over a file: a
# malicious file is denied to every opener (the watcher included) and ends
# in the guard's store only; a clean file stays and opens.
. "$top_srcdir/tests/guard/lib.sh"
guard_enter_ns "$0"
mkdir -p "$T/g/hub" "$S/wstate"
cat > "$S/watch.ini" <<EOC
[watch]
roots = $T/g/hub
[quarantine]
directory = $S/wq
[agent]
state_dir = $S/wstate
EOC
guard_start
"$PICKLEWARDEN" watch --config "$S/watch.ini" --foreground 2> "$S/wlog" &
wpid=$!
ready() { grep -q "complete: dirs=" "$S/wlog"; }
wait_for ready || fail "watch did not start"

cp "$T/fx/evil.pkl" "$T/g/hub/.evil.tmp"
mv "$T/g/hub/.evil.tmp" "$T/g/hub/evil.bin"
cp "$T/fx/state.pt" "$T/g/hub/.ok.tmp"
mv "$T/g/hub/.ok.tmp" "$T/g/hub/ok.pt"
gone() { [ ! -e "$T/g/hub/evil.bin" ]; }
stored() { [ "$(quarantined)" = 1 ]; }
wait_for gone
check "malicious file taken" 1 "$(gone && echo 1)"
wait_for stored
check "it is in the guard's store" 1 "$(quarantined)"
check "the watcher's store stays empty" 0 "$(ls "$S/wq" 2>/dev/null | grep -vc '^\.')"
check "the clean file stays and opens" "ok=1 eperm=0 other=0" "$("$GOPEN" open "$T/g/hub/ok.pt")"
sleep 0.3
check "no quarantine failure logged by either" 0 \
	"$(cat "$S/log" "$S/wlog" | grep -c 'quarantine-failed')"
kill -TERM $wpid
wait $wpid
check "watch exits 0" 0 $?
guard_stop
finish
