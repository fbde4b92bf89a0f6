#!/bin/sh
# Swaps between the last check and the rename, and right after the rename
# (the hooked binary stops itself with SIGSTOP at the step; the test swaps
# and sends SIGCONT), same filesystem and across filesystems:
#   step 1 + regular file  another file renamed onto the name just before
#                          the move's rename: the move takes it, sees it is
#                          not the judged inode, and puts it back
#   step 1 + symlink       same with a symlink
#   step 2 + new file      the name is free after the rename and a new file
#                          takes it: it is never touched (this was "a
#                          replacement can be deleted" across filesystems)
# The replacement is byte-identical in place every time; the judged file
# is stored only in the step 2 case.
. "$top_srcdir/tests/faults/lib.sh"
faults_enter_ns "$@"

n_inplace=0 n_stored=0 n_putback=0
wait_stopped() {	# until process $1 is stopped (state T)
	i=0
	while [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != T ]; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1; sleep 0.05
	done
}
for mode in same cross; do
	for kind in file symlink late; do
		name="$mode/$kind"
		fresh_env $mode
		reset_manifests
		make_benign "$CACHE/models--s/blobs/b1" 3000
		v="$CACHE/models--s/blobs/victim"
		mal_bytes 5000 v > "$v"
		step=1; [ $kind = late ] && step=2
		PICKLEWARDEN_TEST_PAUSE_AT_STEP=$step "$HOOKED" scan --quarantine \
			--config "$CONF" "$v" > "$T/out" 2>&1 &
		pid=$!
		wait_stopped $pid; check "$name: paused at step $step" $?
		case $kind in
		file)	head -c 7000 /dev/urandom > "$T/fs/repl"
			sum=$(sha256sum < "$T/fs/repl" | cut -d' ' -f1)
			mv "$T/fs/repl" "$v" ;;
		symlink) ln -s "$T/elsewhere-target" "$T/fs/repl"
			rm -f "$v"; mv "$T/fs/repl" "$v" ;;
		late)	[ ! -e "$v" ]; check "$name: taken by the rename" $?
			cp "$(dirname "$v")/b1" "$T/fs/repl"
			sum=$(sha256sum < "$T/fs/repl" | cut -d' ' -f1)
			mv "$T/fs/repl" "$v" ;;
		esac
		kill -CONT $pid
		wait $pid
		st=$?
		case $kind in
		file)	[ "$(sha256sum < "$v" | cut -d' ' -f1)" = "$sum" ]
			check "$name: replacement byte-identical in place" $?
			[ -z "$(store_digests)" ]; check "$name: nothing stored" $?
			! grep -q "quarantined as" "$T/out"
			check "$name: the move did not report success" $?
			n_putback=$((n_putback + 1)) ;;
		symlink) [ -L "$v" ] && [ "$(readlink "$v")" = "$T/elsewhere-target" ]
			check "$name: symlink put back" $?
			[ -z "$(store_digests)" ]; check "$name: nothing stored" $?
			n_putback=$((n_putback + 1)) ;;
		late)	[ $st = 1 ]; check "$name: move succeeded (exit 1: malicious)" $?
			[ "$(sha256sum < "$v" | cut -d' ' -f1)" = "$sum" ]
			check "$name: late file byte-identical in place" $?
			[ "$(store_digests | wc -l)" = 1 ]; check "$name: judged file stored" $?
			n_stored=$((n_stored + 1)) ;;
		esac
		check_benign "$name"
		check_settled "$name"
		runs=$((runs + 1))
	done
done
finish "swap: $runs runs: swapped-in files put back untouched $n_putback, judged file stored with the late file untouched $n_stored; failures $fails"
