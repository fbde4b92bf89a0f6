# lib.sh - shared by the guard's end-to-end tests (sourced).
#
# Each test re-runs itself in a private mount namespace (unshare -m) with a
# tmpfs holding the guarded directories, the fixtures and the quarantine
# store, so the guard marks only that tmpfs (FAN_MARK_FILESYSTEM), never a
# filesystem of the machine.  Needs root and fanotify permission events;
# without them the test skips (77) and says why.

fails=0
GUARD_PID=
GOPEN="$top_builddir/tests/guard/guard-open"

skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (got '$3', expected '$2')"; fi
}

guard_enter_ns() {
	[ "$(id -u)" = 0 ] || skip "the guard needs root (fanotify permission events)"
	[ -n "$PYTHON3" ] || skip "python3 is needed to generate the fixtures"
	[ -x "$GOPEN" ] || { echo "FAIL: $GOPEN not built"; exit 1; }
	if [ -z "$PW_GUARD_IN_NS" ]; then
		unshare -m --propagation private true 2>/dev/null ||
			skip "unshare -m is not permitted here"
		PW_GUARD_IN_NS=1 exec unshare -m --propagation private \
			/bin/sh "$1"
	fi
	# Scratch files (log, outputs) live outside the marked tmpfs: the
	# tests read them while the guard is stopped on purpose.
	S=$(mktemp -d "${TMPDIR:-/tmp}/pw-guard-s.XXXXXX")
	T=$(mktemp -d "${TMPDIR:-/tmp}/pw-guard.XXXXXX")
	mount -t tmpfs -o "size=${GUARD_TMPFS_SIZE:-1200m},mode=755" tmpfs "$T" ||
		skip "cannot mount a tmpfs"
	trap guard_cleanup EXIT
	mkdir -p "$T/g" "$T/out" "$T/q" "$T/h/alice/cache" "$T/h/bob/cache"
	chmod 700 "$T/q"
	"$PYTHON3" "$top_srcdir/tests/guard/gen.py" "$T/fx" "${GUARD_BIG_MB:-0}" ||
		{ echo "FAIL: fixtures"; exit 1; }
	printf 'Model card\nlicense: mit\n' > "$T/fx/readme.txt"
	cat > "$S/guard.ini" <<EOC
[guard]
paths = $T/g, $T/h/*/cache
timeout = ${GUARD_TIMEOUT:-20s}
on_timeout = deny
on_error = deny
quarantine = $T/q/store
workers = 2
EOC
}

guard_cleanup() {
	[ -n "$GUARD_PID" ] && kill -9 "$GUARD_PID" 2>/dev/null
	wait 2>/dev/null
	umount -l "$T" 2>/dev/null
	rmdir "$T" 2>/dev/null
	rm -rf "$S"
}

# Starts the guard (log in $S/log) and waits until its marks are placed.
guard_start() {
	"$PICKLEWARDEN" guard --config "${1:-$S/guard.ini}" --foreground \
		2>> "$S/log" &
	GUARD_PID=$!
	i=0
	while [ $i -lt 200 ]; do
		n=$(grep -c 'guard: ready' "$S/log" 2>/dev/null)
		[ "${n:-0}" -ge "${GUARD_STARTS:-1}" ] && return 0
		kill -0 "$GUARD_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: the guard did not start"; cat "$S/log"; exit 1
}

guard_stop() {
	kill -TERM "$GUARD_PID"
	wait "$GUARD_PID"
	check "guard exits 0 on SIGTERM" 0 $?
	GUARD_PID=
}

# Entries in the quarantine store.
quarantined() {
	ls "$T/q/store" 2>/dev/null | grep -vc '^\.'
}

# wait_for CMD...: retries a condition for up to 10 s.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		"$@" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

finish() {
	if [ "$fails" -ne 0 ]; then
		echo "--- guard log"; tail -n 50 "$S/log"
		exit 1
	fi
	exit 0
}
