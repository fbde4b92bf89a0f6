#!/bin/sh
# restore writes only where it means to: through a parent directory that
# became a symlink (refused, nothing written at the symlink's target),
# into a directory made again at the same path (refused: not the one the
# file came from), and with --to DIR (the original name inside DIR) or
# --to PATH; a --to through a symlinked directory is refused too.
. "$top_srcdir/tests/faults/lib.sh"
faults_enter_ns "$@"

quarantine_one() {	# quarantine_one PATH: sets ID
	mal_bytes 2000 "$1" > "$1"
	SUM=$(sha256sum < "$1" | cut -d' ' -f1)
	"$PICKLEWARDEN" scan --quarantine --config "$CONF" "$1" > /dev/null 2>&1
	ID=$(ls "$STORE" | grep -v '^\.' | tail -n 1)
	[ -n "$ID" ] && [ ! -e "$1" ]
}
n_refused=0 n_restored=0
for mode in same cross; do
	fresh_env $mode
	reset_manifests
	d="$CACHE/models--r/blobs"
	mkdir -p "$d" "$T/fs/elsewhere" "$T/fs/other"
	rm -f "$T/fs/elsewhere"/*

	quarantine_one "$d/m1"; check "$mode: quarantined" $?
	mv "$d" "$d.real"; ln -s "$T/fs/elsewhere" "$d"
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" > /dev/null 2> "$T/err"
	[ $? = 2 ]; check "$mode: restore through a symlinked parent refused" $?
	grep -q "symlink or was replaced; nothing was written" "$T/err"
	check "$mode: clear message" $?
	[ -z "$(ls -A "$T/fs/elsewhere")" ]; check "$mode: nothing written at the symlink's target" $?
	n_refused=$((n_refused + 1))
	rm "$d"; mkdir "$d"	# made again: another directory
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" > /dev/null 2> "$T/err"
	[ $? = 2 ]; check "$mode: restore into a replaced directory refused" $?
	grep -q "with --to DIR" "$T/err"; check "$mode: --to suggested" $?
	[ ! -e "$d/m1" ]; check "$mode: nothing written in the replaced directory" $?
	n_refused=$((n_refused + 1))
	ln -s "$T/fs/other" "$T/fs/other-link"
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" --to "$T/fs/other-link" > /dev/null 2>&1
	[ $? = 2 ] && [ -z "$(ls -A "$T/fs/other")" ]
	check "$mode: --to through a symlink refused" $?
	n_refused=$((n_refused + 1))
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" --to "$T/fs/other" > /dev/null 2>&1
	check "$mode: --to DIR" $?
	[ "$(sha256sum < "$T/fs/other/m1" | cut -d' ' -f1)" = "$SUM" ]
	check "$mode: restored byte-identical under the original name" $?
	n_restored=$((n_restored + 1))

	rm -rf "$d" "$d.real"; mkdir -p "$d"
	quarantine_one "$d/m2"; check "$mode: quarantined again" $?
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" --to "$T/fs/other/renamed.bin" > /dev/null 2>&1
	check "$mode: --to PATH" $?
	[ "$(sha256sum < "$T/fs/other/renamed.bin" | cut -d' ' -f1)" = "$SUM" ]
	check "$mode: restored byte-identical at PATH" $?
	n_restored=$((n_restored + 1))

	quarantine_one "$d/m3"; check "$mode: quarantined a third time" $?
	"$PICKLEWARDEN" quarantine restore --config "$CONF" "$ID" > /dev/null 2>&1
	check "$mode: restore to the untouched original directory" $?
	[ "$(sha256sum < "$d/m3" | cut -d' ' -f1)" = "$SUM" ]
	check "$mode: restored byte-identical in place" $?
	n_restored=$((n_restored + 1))
	runs=$((runs + 1))
done
finish "restore: $runs runs: unsafe targets refused $n_refused, restores done $n_restored; failures $fails"
