#!/bin/sh
# `picklewarden scan` sends files to its workers in batches (issue 13):
# 300 files, with a worker crash and a hang in the middle of batches, a
# new worker every 37 files, and once with few descriptors allowed (smaller
# batches).  Every file must get its own verdict, in order: the crash and
# the hang on their own file only, every other file judged as in process.
set -u
pw=$top_builddir/tests/sandbox/picklewarden-hooks
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
d=$tmp/files
mkdir -p "$d"
i=0
while [ $i -lt 300 ]; do
	n=$(printf '%03d' $i)
	if [ $i = 150 ]; then
		printf 'PWTESTHOOK:abort\n' >"$d/f$n"
	elif [ $i = 230 ]; then
		printf 'PWTESTHOOK:loop\n' >"$d/f$n"
	elif [ $((i % 7)) = 3 ]; then
		printf 'cos\nsystem\n(S%secho x%s\ntR.' "'" "'" >"$d/f$n"
	else
		printf '\200\002}q\000.' >"$d/f$n"
	fi
	i=$((i + 1))
done
cat >"$tmp/c.ini" <<INI
[agent]
scan_deadline = 1
worker_scans = 37
INI

# What each line must say.
check() {
	out=$1
	[ "$(wc -l <"$out")" = 301 ] || { cat "$out"; fail "$2: expected 300 lines and the summary"; }
	tail -n 1 "$out" | grep -qx "300 files scanned: 256 clean, 0 suspicious, 42 malicious, 2 errors; 0 skipped" ||
		{ tail -n 3 "$out"; fail "$2: summary line"; }
	awk -v what="$2" '
	NR > 300 { exit }
	{
		i = NR - 1
		want = (i == 150) ? "error .*crash.*SIGABRT" : \
		       (i == 230) ? "error .*limit.*deadline of 1000 ms" : \
		       (i % 7 == 3) ? "malicious" : "clean"
		name = sprintf("f%03d: ", i)
		if (index($0, name) == 0 || $0 !~ want) {
			printf "FAIL: %s: line %d: %s (wanted %s)\n", what, NR, $0, want
			bad = 1
		}
	}
	END { exit bad }' "$out" || fail "$2: lines"
}

"$pw" scan --config "$tmp/c.ini" "$d" >"$tmp/out" 2>&1
[ $? = 1 ] || fail "exit status, expected 1 (malicious files)"
check "$tmp/out" "batches"

# Few descriptors: the client keeps a quarter of them for files in
# flight, so batches get smaller and no file goes unopened.
(ulimit -n 48 && exec "$pw" scan --config "$tmp/c.ini" "$d") >"$tmp/out2" 2>&1
check "$tmp/out2" "ulimit -n 48"
echo "ok: 300 files in batches, twice"
