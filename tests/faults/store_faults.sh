#!/bin/sh
# The store goes wrong under a running watcher, which must keep guarding:
#   symlink   the store is a symlink at start-up (it used to exit EINVAL)
#   swapped   the store is replaced by a symlink while watching
#   missing   the store is deleted while watching (recreated)
#   readonly  the store's filesystem is remounted read-only
#   robind    a read-only bind mount covers the store
#   full      the store is a tiny tmpfs on another filesystem (ENOSPC)
# Each time a malicious file arrives: the quarantine fails, the file stays
# in place byte-identical, the failure is logged at error level and
# retried with back-off (twice at least), nothing is written through a
# symlink; once the store is fixed the next retry takes the file.  Benign
# files stay byte-identical throughout.
. "$top_srcdir/tests/faults/lib.sh"
faults_enter_ns "$@"

n_inplace=0 n_stored=0 outcomes=""
scenario() {	# scenario NAME MODE
	name=$1
	fresh_env $2
	reset_manifests
	make_benign "$CACHE/models--b/blobs/b1" 4000
	make_benign "$CACHE/models--b/blobs/b2" 200000
	mkdir -p "$T/elsewhere"
	rm -rf "$T/elsewhere"/*
}
arrive_and_fail() {	# the malicious file arrives; the move fails, is retried
	make_malicious "$CACHE/models--b/blobs/m-$name" ${1:-100}
	wait_log "action=quarantine-failed .*m-$name" 10
	check "$name: quarantine failure logged" $?
	wait_log "quarantine failed again, still in place .*m-$name" 10
	check "$name: retried with back-off" $?
	watch_alive; check "$name: watcher still running" $?
	n0=$n_inplace
	check_malicious "$name (store broken)"
	[ $n_inplace = $((n0 + 1)) ]; check "$name: file in place while the store is broken" $?
	n_inplace=$n0
	check_benign "$name (store broken)"
	[ -z "$(ls -A "$T/elsewhere")" ]; check "$name: nothing written through the symlink" $?
}
taken_after_fix() {
	i=0
	while [ -e "$CACHE/models--b/blobs/m-$name" ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	stop_watch
	check_malicious "$name (fixed)"
	check_benign "$name (fixed)"
	check_settled "$name"
	[ ! -e "$CACHE/models--b/blobs/m-$name" ]; check "$name: taken once the store is fixed" $?
	[ "$WATCH_STATUS" = 0 ]; check "$name: watcher exits cleanly" $?
	runs=$((runs + 1))
	outcomes="$outcomes $name:$(grep -cE 'quarantine failed' "$T/watch.log")-failures"
}

scenario symlink same
mkdir -p "$(dirname "$STORE")"
ln -s "$T/elsewhere" "$STORE"
start_watch
grep -q 'quarantine store unusable.*symlink' "$T/watch.log"
check "symlink: reported at start-up" $?
arrive_and_fail
rm "$STORE"
taken_after_fix

scenario swapped same
start_watch
mv "$STORE" "$T/fs/q.moved"
ln -s "$T/elsewhere" "$STORE"
arrive_and_fail
rm "$STORE"
taken_after_fix

scenario missing cross
start_watch
rm -rf "$STORE"
make_malicious "$CACHE/models--b/blobs/m-$name" 100
taken_after_fix
grep -q "action=quarantine .*m-missing" "$T/watch.log"
check "missing: store recreated and used" $?

scenario readonly cross
start_watch
mount -o remount,ro "$T/storefs"
arrive_and_fail
mount -o remount,rw "$T/storefs"
taken_after_fix

scenario robind same
start_watch
mount --bind "$STORE" "$STORE" && mount -o remount,bind,ro "$STORE"
arrive_and_fail
umount -l "$STORE"
taken_after_fix

STORE_SIZE=64k scenario full cross
start_watch
arrive_and_fail 300000
mount -o remount,size=8m "$T/storefs"
taken_after_fix

finish "store_faults: $runs scenarios, malicious files stored after the fix $n_stored, in place while broken (checked) $runs; failures logged per scenario:$outcomes; failures $fails"
