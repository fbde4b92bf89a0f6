#!/bin/sh
# `picklewarden scan` with workers that crash, hang and try forbidden
# system calls on some files of a directory (the test-hook build): each of
# those files is reported as an error with its cause, every other file
# gets its normal verdict, in order, and the exit status says "error".
set -u
pw=$top_builddir/tests/sandbox/picklewarden-hooks
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
d=$tmp/files
mkdir -p "$d"
printf '\200\002}q\000.' >"$d/a-benign.pkl"
printf 'PWTESTHOOK:abort\n' >"$d/b-abort"
printf 'cos\nsystem\n(S%secho x%s\ntR.' "'" "'" >"$d/c-evil.pkl"
printf 'PWTESTHOOK:open\n' >"$d/d-open"
printf 'PWTESTHOOK:loop\n' >"$d/e-loop"
printf '\200\002}q\000.' >"$d/f-benign.pkl"
printf 'PWTESTHOOK:nomem\n' >"$d/g-nomem"
cat >"$tmp/c.ini" <<INI
[agent]
scan_deadline = 1
INI
"$pw" scan --config "$tmp/c.ini" "$d" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (a malicious file)"
[ "$(wc -l <"$tmp/out")" = 8 ] || fail "expected 7 lines and the summary"
tail -n 1 "$tmp/out" | grep -qx "7 files scanned: 2 clean, 0 suspicious, 1 malicious, 4 errors; 0 skipped" ||
	fail "summary line"
sed -n 1p "$tmp/out" | grep -q 'a-benign.pkl: clean' || fail "line 1"
sed -n 2p "$tmp/out" | grep -q 'b-abort: error .*crash.*SIGABRT' || fail "line 2"
sed -n 3p "$tmp/out" | grep -q 'c-evil.pkl: malicious' || fail "line 3"
sed -n 4p "$tmp/out" | grep -q 'd-open: error .*crash.*SIGSYS' || fail "line 4"
sed -n 5p "$tmp/out" | grep -q 'e-loop: error .*limit.*deadline of 1000 ms' || fail "line 5"
sed -n 6p "$tmp/out" | grep -q 'f-benign.pkl: clean' || fail "line 6"
sed -n 7p "$tmp/out" | grep -q 'g-nomem: error .*limit.*out of memory' || fail "line 7"
# The same files in process: the hooks live only in workers.
"$pw" scan --config "$tmp/c.ini" --no-sandbox "$d/a-benign.pkl" \
	"$d/c-evil.pkl" >/dev/null 2>&1
[ $? = 1 ] || fail "--no-sandbox"
# Fail closed: under the default actions a file that killed its worker
# is quarantined (a loader might run it), with the crash in its record.
cat >>"$tmp/c.ini" <<INI
[quarantine]
directory = $tmp/store
INI
"$pw" scan --quarantine --config "$tmp/c.ini" "$d/b-abort" >/dev/null 2>&1
[ ! -e "$d/b-abort" ] || fail "a file that crashed its worker was left in place"
grep -qs 'SIGABRT' "$tmp"/store/*/record.json ||
	fail "the quarantine record does not name the crash"
# So is one the scan could not finish for lack of memory: no verdict at
# all would leave it in place.
"$pw" scan --quarantine --config "$tmp/c.ini" "$d/g-nomem" >/dev/null 2>&1
[ ! -e "$d/g-nomem" ] || fail "a file the scan ran out of memory on was left in place"
echo "ok: crashes, forbidden calls, hangs and running out of memory are errors"
echo "(quarantined by default); the rest is scanned"
