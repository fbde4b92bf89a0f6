#!/bin/sh
# The guard never hangs the machine: a bad configuration is refused before
# any mark; openers blocked on a stopped guard are released when it is
# killed (-9) and a restarted guard resumes; SIGTERM answers every pending
# open (per on_error) before exiting; a scan that overruns its timeout is
# answered per on_timeout.
. "$top_srcdir/tests/guard/lib.sh"
guard_enter_ns "$0"

# Bad configurations: exit 2, file:line: key: message, and no fanotify
# call at all (strace, when installed, proves it).
printf '[guard]\npaths = %s/g\ntimeout = soon\n' "$T" > "$S/bad1.ini"
printf '[guard]\npaths = %s/g\nbogus = 1\n' "$T" > "$S/bad2.ini"
printf '[guard]\npaths =\n' > "$S/bad3.ini"
printf '[guard]\npaths = relative/dir\n' > "$S/bad4.ini"
for b in 1 2 3 4; do
	"$PICKLEWARDEN" guard --config "$S/bad$b.ini" 2> "$S/bad.err"
	check "bad config $b: exit 2" 2 $?
	cat "$S/bad.err"
done
"$PICKLEWARDEN" guard --config "$S/bad1.ini" 2> "$S/bad.err"
check "bad config message" \
	"picklewarden guard: $S/bad1.ini:3: guard.timeout: expected a duration like 30s or 500ms (1 ms to 3600 s)" \
	"$(cat "$S/bad.err")"
if command -v strace > /dev/null; then
	strace -f -e trace=fanotify_init,fanotify_mark -o "$S/strace" \
		"$PICKLEWARDEN" guard --config "$S/bad2.ini" 2> /dev/null
	check "bad config: no fanotify call" 0 "$(grep -c fanotify "$S/strace")"
else
	echo "note: strace not installed, fanotify calls not traced"
fi

# kill -9 with openers blocked: the kernel releases them.
guard_start
cp "$T/fx/evil.pkl" "$T/g/e1.pkl"
cp "$T/fx/evil.pkl" "$T/g/e2.pkl"
kill -STOP "$GUARD_PID"
i=0
pids=
while [ $i -lt 5 ]; do
	timeout 20 "$GOPEN" open "$T/g/e1.pkl" > "$S/k.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 0.5
check "openers are held while the guard is stopped" 0 "$(cat "$S/k."* | wc -c)"
start=$(date +%s)
kill -9 "$GUARD_PID"
wait $pids
el=$(( $(date +%s) - start ))
check "after kill -9: no opener stays blocked (${el}s)" yes "$([ $el -lt 10 ] && echo yes)"
check "after kill -9: the kernel allowed them" 5 "$(cat "$S/k."* | grep -c 'ok=1 ')"
GUARD_PID=
GUARD_STARTS=2 guard_start
check "restarted guard denies again" "ok=0 eperm=1 other=0" "$("$GOPEN" open "$T/g/e2.pkl")"

# SIGTERM with opens pending: each is answered (on_error = deny for the
# guarded file, allow outside), then the guard exits 0.
cp "$T/fx/evil.pkl" "$T/g/e3.pkl"
cp "$T/fx/state.pkl" "$T/out/o.pkl"
kill -STOP "$GUARD_PID"
timeout 20 "$GOPEN" open "$T/g/e3.pkl" > "$S/t.in" &
p1=$!
timeout 20 "$GOPEN" open "$T/out/o.pkl" > "$S/t.out" &
p2=$!
sleep 0.3
kill -TERM "$GUARD_PID"
kill -CONT "$GUARD_PID"
wait "$GUARD_PID"
check "SIGTERM: guard exits 0" 0 $?
GUARD_PID=
wait $p1 $p2
check "SIGTERM: the pending guarded open is denied" "ok=0 eperm=1 other=0" "$(cat "$S/t.in")"
check "SIGTERM: the pending outside open is allowed" "ok=1 eperm=0 other=0" "$(cat "$S/t.out")"

# A scan that overruns the timeout: answered per on_timeout, logged.
sed -e 's/^timeout = .*/timeout = 1ms/' "$S/guard.ini" > "$S/slow.ini"
GUARD_STARTS=3 guard_start "$S/slow.ini"
"$PYTHON3" "$top_srcdir/tests/guard/gen.py" "$T/fx2" 64 > /dev/null
mv "$T/fx2/big.pt" "$T/g/slow.pt"
out=$("$GOPEN" open "$T/g/slow.pt")
timed_out() { grep -q "did not finish in time.* answer=deny" "$S/log"; }
case "$out" in
"ok=0 eperm=1 other=0")
	wait_for timed_out
	check "timeout: answered per on_timeout (deny) and logged" 0 $? ;;
"ok=1 eperm=0 other=0")
	echo "note: the scan beat 1 ms: its own verdict answered" ;;
*)
	fail "timeout: unexpected '$out'" ;;
esac
guard_stop
finish
