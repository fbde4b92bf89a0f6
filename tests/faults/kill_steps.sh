#!/bin/sh
# kill -9 at every step boundary of a quarantine move (the hooked binary
# raises SIGKILL after step N, N = 1..7; see quarantine_move.c), on the
# same filesystem (rename) and across filesystems (stage + copy), 21 runs
# each.  After each kill: the unfinished move is shown and, in one run in
# four, restored by its new-* ID; otherwise `quarantine list` recovers it.
# Then: every benign file byte-identical in place, the malicious file in
# place (kill before anything moved) or complete in the store exactly
# once, no unfinished move, nothing left in a stage directory.
. "$top_srcdir/tests/faults/lib.sh"
faults_enter_ns "$@"

n_inplace=0 n_stored=0 kills=0 shown=0 restored=0
for mode in same cross; do
	run=0
	while [ $run -lt 21 ]; do
		run=$((run + 1))
		step=$(( (run - 1) % 7 + 1 ))
		name="$mode run $run step $step"
		fresh_env $mode
		reset_manifests
		make_benign "$CACHE/models--a/blobs/b1" 5000
		make_benign "$CACHE/models--a/blobs/b2" 300000
		make_benign "$CACHE/models--a/snapshots/x/config.json" 100
		m="$CACHE/models--a/blobs/m$run"
		make_malicious "$m" $((run * 20000))
		(PICKLEWARDEN_TEST_STOP_AT_STEP=$step "$HOOKED" scan \
			--quarantine --config "$CONF" "$m") > /dev/null 2>&1
		st=$?
		if [ $st = 137 ]; then kills=$((kills + 1)); else
			echo "FAIL: $name: not killed at the step (exit $st)"
			fails=$((fails + 1))
		fi
		check_benign "$name (before recovery)"
		new=$(cd "$STORE" && ls -d .new-* 2>/dev/null | head -n 1)
		if [ -n "$new" ] && [ -f "$STORE/$new/intent.json" ]; then
			"$PICKLEWARDEN" quarantine show --config "$CONF" "${new#.}" > "$T/show" 2>&1
			check "$name: show ${new#.}" $?
			grep -q "^state:" "$T/show"; check "$name: show says the state" $?
			shown=$((shown + 1))
		fi
		if [ -n "$new" ] && [ -f "$STORE/$new/intent.json" ] && [ $((run % 4)) = 0 ] && [ $step -lt 7 ]; then
			# restore accepts the unfinished move: finished first,
			# then restored to where it came from.
			"$PICKLEWARDEN" quarantine restore --config "$CONF" "${new#.}" > /dev/null 2> "$T/err"
			rs=$?
			if [ $step = 1 ]; then
				# nothing was taken: no such entry
				[ $rs = 2 ]; check "$name: restore of an empty move refused" $?
			else
				check "$name: restore ${new#.}" $rs
				restored=$((restored + 1))
			fi
			check_benign "$name (after restore)"
			n0=$n_inplace
			check_malicious "$name (after restore)"
			[ $n_inplace = $((n0 + 1)) ]; check "$name: restored in place" $?
			"$PICKLEWARDEN" quarantine list --config "$CONF" > /dev/null 2>&1
			check_settled "$name"
			runs=$((runs + 1))
			continue
		fi
		"$PICKLEWARDEN" quarantine list --config "$CONF" > "$T/list" 2> "$T/err"
		check "$name: list after the kill" $?
		check_benign "$name (after recovery)"
		n0=$n_stored
		check_malicious "$name (after recovery)"
		check_settled "$name"
		if [ $step -ge 2 ]; then
			# The file had left its directory: recovery finishes.
			[ $n_stored = $((n0 + 1)) ]; check "$name: stored by recovery" $?
		fi
		# A second, uninterrupted pass takes what is still in place.
		"$PICKLEWARDEN" scan --quarantine --config "$CONF" "$m" > /dev/null 2>&1
		[ ! -e "$m" ]; check "$name: quarantined on the next pass" $?
		[ "$(store_digests | wc -l)" = 1 ]; check "$name: one entry in the store" $?
		"$PICKLEWARDEN" quarantine list --config "$CONF" > /dev/null 2>&1
		check "$name: store readable" $?
		runs=$((runs + 1))
	done
done
finish "kill_steps: $runs runs ($kills killed at their step; unfinished moves shown $shown, restored $restored): malicious file after recovery in place $n_inplace, stored $n_stored; failures $fails"
