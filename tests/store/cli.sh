#!/bin/sh
# End-to-end: check-config and the quarantine commands through the
# picklewarden binary, in a private HOME.
set -u
: "${PICKLEWARDEN:=./picklewarden}"
: "${top_srcdir:=.}"
fails=0
t=$(mktemp -d /tmp/pw-cli-XXXXXX) || exit 99
trap 'chmod -R u+rwx "$t" 2>/dev/null; rm -rf "$t"' EXIT
export HOME="$t/home"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CACHE_HOME \
	HF_HUB_CACHE HF_HOME TORCH_HOME KERAS_HOME
mkdir -p "$HOME"

check() {	# check NAME EXPECTED-STATUS ACTUAL-STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1 (exit $3, expected $2)"
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}

# The shipped configuration is valid and documents every key it accepts.
"$PICKLEWARDEN" check-config "$top_srcdir/etc/picklewarden.ini" > "$t/out" 2> "$t/err"
check "shipped config is valid" 0 $?
for key in roots exclude clean suspicious error malicious allow deny \
	max_depth max_members max_decompressed max_ratio max_opcodes \
	max_file_size max_findings directory facility workers queue_length \
	watchdog_sec state_dir; do
	grep -q "^;* *$key *=" "$top_srcdir/etc/picklewarden.ini"
	check "etc/picklewarden.ini documents $key" 0 $?
done
# The printed configuration loads back.
"$PICKLEWARDEN" check-config "$t/out" > "$t/out2" 2>&1
check "effective config loads back" 0 $?
tail -n +2 "$t/out" > "$t/a"; tail -n +2 "$t/out2" > "$t/b"
cmp -s "$t/a" "$t/b"
check "effective config is stable" 0 $?

# Errors: file:line: key: message on stderr, exit 2.
printf '[agent]\nworkers = 4\nworkers = 5\n' > "$t/dup.ini"
"$PICKLEWARDEN" check-config "$t/dup.ini" > /dev/null 2> "$t/err"
check "duplicate key exits 2" 2 $?
grep -qx "$t/dup.ini:3: agent.workers: duplicate key (first given on line 2)" "$t/err"
check "duplicate key message" 0 $?
"$PICKLEWARDEN" check-config "$t/missing.ini" > /dev/null 2>&1
check "missing explicit file exits 2" 2 $?

# Lookup: the user's file wins over the defaults.
mkdir -p "$HOME/.config/picklewarden"
printf '[quarantine]\ndirectory = ~/q\n' > "$HOME/.config/picklewarden/picklewarden.ini"
"$PICKLEWARDEN" check-config | grep -qx "directory = $HOME/q"
check "user config found" 0 $?

# quarantine commands on an empty store
"$PICKLEWARDEN" quarantine list > "$t/out" 2>&1
check "list on an empty store" 0 $?
test -d "$HOME/q" && test "$(stat -c %a "$HOME/q")" = 700
check "store created 0700" 0 $?
"$PICKLEWARDEN" quarantine list --json | tr -d ' \n' | grep -qx '\[\]'
check "list --json empty" 0 $?
"$PICKLEWARDEN" quarantine show 20000101T000000Z-000000000000-00000000 > /dev/null 2>&1
check "show unknown ID" 2 $?
"$PICKLEWARDEN" quarantine restore ../../etc > /dev/null 2>&1
check "restore malformed ID" 2 $?
"$PICKLEWARDEN" quarantine purge --older-than 0 | grep -qx "purged 0 entries"
check "purge --older-than" 0 $?
"$PICKLEWARDEN" quarantine purge > /dev/null 2>&1
check "purge needs ID or --older-than" 2 $?
"$PICKLEWARDEN" quarantine list --to /x > /dev/null 2>&1
check "list rejects --to" 2 $?
"$PICKLEWARDEN" quarantine --help | grep -q "restore ID"
check "quarantine --help" 0 $?
"$PICKLEWARDEN" quarantine list --config "$t/dup.ini" > /dev/null 2>&1
check "quarantine with a broken --config" 2 $?

# A store entry made by hand (as quarantine_move writes it) can be shown,
# restored byte for byte and purged through the CLI.
id=20200101T000000Z-aaaaaaaaaaaa-00000001
printf 'payload\n' > "$t/payload"
sha=$(sha256sum "$t/payload" | cut -d' ' -f1)
mkdir -m 700 "$HOME/q/$id"
cp "$t/payload" "$HOME/q/$id/data"; chmod 0 "$HOME/q/$id/data"
hex=$(printf '%s' "$t/restored.bin" | od -An -v -tx1 | tr -d ' \n')
cat > "$HOME/q/$id/record.json" <<JSON
{"record_version": 1, "method": "rename", "original_path": "$t/restored.bin",
 "original_path_hex": "$hex", "size": 8, "mode": "0640", "uid": 0, "gid": 0,
 "atime_sec": 1000000000, "atime_nsec": 5, "mtime_sec": 1100000000,
 "mtime_nsec": 7, "ctime_sec": 0, "ctime_nsec": 0, "sha256": "$sha",
 "verdict": "malicious", "format": "pickle", "quarantined_at_unix": 1577836800,
 "picklewarden_version": "0", "findings_total": 1, "findings": [
 {"severity": "malicious", "kind": "import", "global": "posix.system",
  "opcode": "GLOBAL", "offset": 2, "location": "", "reason": "runs\nit"}]}
JSON
"$PICKLEWARDEN" quarantine list | grep -q "^$id .* malicious .* $t/restored.bin\$"
check "list shows the entry" 0 $?
"$PICKLEWARDEN" quarantine show "$id" | grep -qF 'posix.system @2: runs\nit'
check "show escapes findings" 0 $?
"$PICKLEWARDEN" quarantine show "$id" --json | grep -q '"sha256"'
check "show --json" 0 $?
"$PICKLEWARDEN" quarantine restore "$id" > /dev/null
check "restore" 0 $?
cmp -s "$t/payload" "$t/restored.bin" && test "$(stat -c '%a %Y' "$t/restored.bin")" = "640 1100000000"
check "restored bytes, mode and mtime" 0 $?
test ! -e "$HOME/q/$id"
check "entry gone after restore" 0 $?

# A move interrupted before it wrote its intent has taken nothing: list
# recovers it (removes it) and says so.
mkdir -m 700 "$HOME/q/.new-0123456789abcdef"
"$PICKLEWARDEN" quarantine list 2>&1 >/dev/null | grep -q "recovered 1 interrupted move (0 finished, 1 had taken nothing)"
check "interrupted move recovered" 0 $?
test ! -e "$HOME/q/.new-0123456789abcdef"
check "empty interrupted move removed" 0 $?

test "$fails" -eq 0
