#!/bin/sh
# Files still being written when they are judged:
#   scan    `scan --quarantine` takes a file whose writer still holds it
#           open and keeps writing (same filesystem and across)
#   walk    a new directory appears under a watched root with a file still
#           being written in it; the watcher's walk scans it
# The malicious prefix gets it quarantined as a frozen copy: the record
# says it was captured while being written (method frozen-copy, the size
# and digest of what was captured), the data matches that digest and
# starts with the prefix, show and restore say so.  A benign file written
# the same way is left alone and ends byte-identical to what its writer
# wrote.
. "$top_srcdir/tests/faults/lib.sh"
faults_enter_ns "$@"

n_frozen=0 n_benign=0
slow_writer() {	# slow_writer FIRST-FILE CHUNKS > target: writes FIRST-FILE,
		# then CHUNKS random 4 KiB chunks 50 ms apart, one open fd
	cat "$1"
	i=0
	while [ $i -lt "$2" ]; do
		head -c 4096 /dev/urandom
		sleep 0.05
		i=$((i + 1))
	done
}
check_frozen() {	# check_frozen NAME PREFIX-FILE
	e=$(ls -d "$STORE"/2* 2>/dev/null | head -n 1)
	[ -n "$e" ] && [ -f "$e/record.json" ]; check "$1: stored" $?
	[ -n "$e" ] || return
	grep -q '"captured_while_writing": true' "$e/record.json"
	check "$1: record says captured while being written" $?
	grep -q '"method": "frozen-copy"' "$e/record.json"
	check "$1: frozen copy" $?
	sum=$(sha256sum < "$e/data" | cut -d' ' -f1)
	grep -q "\"sha256\": \"$sum\"" "$e/record.json"
	check "$1: digest of what was captured" $?
	size=$(stat -c %s "$e/data")
	grep -q "\"captured_size\": $size" "$e/record.json"
	check "$1: size of what was captured" $?
	plen=$(stat -c %s "$2")
	cmp -s -n "$plen" "$2" "$e/data"; check "$1: data starts with the prefix" $?
	id=$(basename "$e")
	"$PICKLEWARDEN" quarantine show --config "$CONF" "$id" | grep -q "^captured: *while still being written: $size bytes"
	check "$1: show says so" $?
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$id" --to "$T/fs/restored" 2>&1 | grep -q "captured while it was still being written"
	check "$1: restore says so" $?
	n_frozen=$((n_frozen + 1))
}

for mode in same cross; do
	name="scan/$mode"
	fresh_env $mode
	reset_manifests
	mkdir -p "$CACHE/models--w/blobs" "$T/fs/restored"
	mal_bytes 0 w > "$T/prefix"
	slow_writer "$T/prefix" 30 > "$CACHE/models--w/blobs/w" &
	wpid=$!
	sleep 0.2
	"$PICKLEWARDEN" scan --quarantine --config "$CONF" "$CACHE/models--w/blobs/w" > /dev/null 2>&1
	[ ! -e "$CACHE/models--w/blobs/w" ]; check "$name: taken" $?
	wait $wpid
	check_frozen "$name" "$T/prefix"
	check_settled "$name"
	runs=$((runs + 1))
done

for mode in same cross; do
	name="walk/$mode"
	fresh_env $mode
	reset_manifests
	mkdir -p "$T/fs/restored"
	start_watch
	mal_bytes 0 w > "$T/prefix"
	head -c 3000 /dev/urandom > "$T/bprefix"
	mkdir -p "$T/fs/new/snapshots"
	# written in a directory that is then renamed into the root: the
	# watcher walks it while both writers are still writing.
	slow_writer "$T/prefix" 40 > "$T/fs/new/snapshots/model.bin" &
	w1=$!
	slow_writer "$T/bprefix" 40 | tee "$T/benign.ref" > "$T/fs/new/snapshots/readme.bin" &
	w2=$!
	sleep 0.2
	mv "$T/fs/new" "$CACHE/models--new"
	wait_log "action=quarantine .*models--new/snapshots/model.bin" 10
	check "$name: quarantined by the watcher" $?
	wait $w1 $w2
	sleep 0.3
	stop_watch
	check_frozen "$name" "$T/prefix"
	cmp -s "$T/benign.ref" "$CACHE/models--new/snapshots/readme.bin"
	check "$name: benign file written meanwhile byte-identical" $?
	n_benign=$((n_benign + 1))
	check_settled "$name"
	runs=$((runs + 1))
done
finish "writers: $runs runs: frozen copies $n_frozen (record, show and restore say so), benign files being written left byte-identical $n_benign; failures $fails"
