#!/bin/sh
# A clean file modified to malicious is denied on its next open (in place
# and closed, in place while the writer keeps it open, and replaced by a
# rename); a file outside the guarded paths is never scanned nor held; 20
# processes opening one unscanned large checkpoint cause one scan and all
# get its answer; a filesystem mounted below a guarded path later is
# guarded too.
GUARD_BIG_MB=${GUARD_BIG_MB:-512}
. "$top_srcdir/tests/guard/lib.sh"
guard_enter_ns "$0"
guard_start

# In place, writer closes (the kernel drops the ignore mark on the write;
# FAN_CLOSE_WRITE drops the verdict).
cp "$T/fx/state.pkl" "$T/g/m1.pkl"
check "clean file opens" "ok=3 eperm=0 other=0" "$("$GOPEN" open "$T/g/m1.pkl" 3)"
cat "$T/fx/evil.pkl" > "$T/g/m1.pkl"
check "modified in place: denied" "ok=0 eperm=1 other=0" "$("$GOPEN" open "$T/g/m1.pkl")"

# In place, the writer keeps the file open.
cp "$T/fx/state.pkl" "$T/g/m2.pkl"
check "clean file opens" "ok=3 eperm=0 other=0" "$("$GOPEN" open "$T/g/m2.pkl" 3)"
exec 3<> "$T/g/m2.pkl"
cat "$T/fx/evil.pkl" >&3
check "modified, writer still open: denied" "ok=0 eperm=1 other=0" \
	"$("$GOPEN" open "$T/g/m2.pkl")"
exec 3>&-

# Replaced by a rename (a new inode under the old name).
cp "$T/fx/state.pkl" "$T/g/m3.pkl"
check "clean file opens" "ok=3 eperm=0 other=0" "$("$GOPEN" open "$T/g/m3.pkl" 3)"
cp "$T/fx/evil.pkl" "$T/g/.m3.tmp" && mv "$T/g/.m3.tmp" "$T/g/m3.pkl"
check "replaced by rename: denied" "ok=0 eperm=1 other=0" "$("$GOPEN" open "$T/g/m3.pkl")"

# Twenty openers of one unscanned large checkpoint, and meanwhile opens
# outside the guarded paths (a malicious file there is not our business).
mv "$T/fx/big.pt" "$T/g/big.pt"
cp "$T/fx/evil.pkl" "$T/out/evil.pkl"
i=0
pids=
while [ $i -lt 20 ]; do
	"$GOPEN" open "$T/g/big.pt" > "$S/big.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
"$GOPEN" lat "$T/out/evil.pkl" 500 > "$S/outside.out"
wait $pids
same=$(cat "$S/big."* | sort | uniq -c | sed 's/^ *//')
check "20 openers of the checkpoint: all opened" "20 ok=1 eperm=0 other=0" "$same"
scanned_big() { grep -q "guard: scanned path=\"$T/g/big.pt\"" "$S/log"; }
wait_for scanned_big
sleep 0.2
n=$(grep -c "guard: scanned path=\"$T/g/big.pt\"" "$S/log")
check "20 openers of the checkpoint: one scan" 1 "$n"
grep "guard: scanned path=\"$T/g/big.pt\"" "$S/log"
check "outside the paths: every open allowed" "ok=500 eperm=0 other=0" \
	"$(sed 's/.*\(ok=\)/\1/' "$S/outside.out")"
check "outside the paths: never scanned" 0 \
	"$(grep -c "scanned path=\"$T/out/" "$S/log")"
cat "$S/outside.out"

# Outside opens are not held behind a running scan: while a loader waits
# for the scan of a dense 15 MB pickle (about a second), 200 outside opens
# complete.
"$PYTHON3" -c "import sys; open(sys.argv[1], 'wb').write(b'\\x80\\x02' + b'K\\x010' * 5000000 + b'N.')" "$T/fx/dense.pkl"
mv "$T/fx/dense.pkl" "$T/g/dense.pkl"
"$GOPEN" open "$T/g/dense.pkl" > "$S/dense.out" &
dpid=$!
sleep 0.1
"$GOPEN" lat "$T/out/evil.pkl" 200 > "$S/outside2.out"
if kill -0 $dpid 2>/dev/null; then
	check "outside opens done while a guarded open waits for its scan" \
		"ok=200 eperm=0 other=0" "$(sed 's/.*\(ok=\)/\1/' "$S/outside2.out")"
else
	echo "note: the dense scan ended before the outside opens (fast machine)"
fi
wait $dpid
check "the dense pickle opens after its scan" "ok=1 eperm=0 other=0" "$(cat "$S/dense.out")"
# A filesystem mounted below a guarded path after the guard started is
# marked too.
mkdir "$T/g/vol"
mount -t tmpfs -o size=16m tmpfs "$T/g/vol"
remarked() { grep -q "guard: mount table changed" "$S/log"; }
wait_for remarked
check "a new mount below a guarded path is noticed" 0 $?
cp "$T/fx/evil.pkl" "$T/g/vol/x.pkl"
check "a malicious file on the new mount is denied" "ok=0 eperm=1 other=0" \
	"$("$GOPEN" open "$T/g/vol/x.pkl")"

guard_stop
finish
