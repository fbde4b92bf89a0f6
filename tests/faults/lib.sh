# lib.sh - shared by tests/faults/*.sh (sourced).  Each test runs as root
# in a private mount namespace: the "cache" is its own tmpfs, the store is
# either on it (same filesystem: renames) or on another small tmpfs
# (EXDEV: stage, then copy), so full, read-only and vanishing stores can
# be made without touching the machine.  Nothing here unpickles anything:
# the malicious files are raw protocol-0 bytes.
set -u
: "${PICKLEWARDEN:=./picklewarden}"
: "${top_builddir:=.}"
HOOKED="$top_builddir/tests/faults/picklewarden-hooked"
fails=0
runs=0

skip() { echo "SKIP: $*"; exit 77; }

# Re-executes the calling script inside a private mount namespace.
faults_enter_ns() {
	[ "$(id -u)" = 0 ] || skip "needs root (mounts tmpfs stores in a private mount namespace)"
	command -v unshare > /dev/null 2>&1 || skip "unshare(1) not installed"
	if [ -z "${PW_FAULTS_IN_NS:-}" ]; then
		PW_FAULTS_IN_NS=1 exec unshare -m --propagation private \
			${SHELL:-/bin/sh} "$0" "$@"
		skip "unshare -m failed"
	fi
	mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null && umount /mnt || \
		skip "cannot mount tmpfs here"
	[ -x "$HOOKED" ] || { echo "FAIL: $HOOKED not built"; exit 1; }
	T=$(mktemp -d /tmp/pw-faults-XXXXXX) || exit 99
	trap 'faults_cleanup' EXIT
	export HOME="$T/home"
	unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CACHE_HOME \
		HF_HUB_CACHE HF_HOME TORCH_HOME KERAS_HOME \
		PICKLEWARDEN_TEST_STOP_AT_STEP PICKLEWARDEN_TEST_PAUSE_AT_STEP
	mkdir -p "$HOME"
}

faults_cleanup() {
	for m in $(awk -v t="$T" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}

# fresh_env MODE: MODE "same" (store on the cache's filesystem) or
# "cross" (store on its own tmpfs).  Sets CACHE, STORE, CONF.
fresh_env() {
	for m in $(awk -v t="$T" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T/fs" "$T/storefs" "$T/state"
	mkdir -p "$T/fs" "$T/storefs" "$T/state"
	mount -t tmpfs -o size=32m tmpfs "$T/fs"
	CACHE="$T/fs/cache/hub"
	mkdir -p "$CACHE"
	if [ "$1" = cross ]; then
		mount -t tmpfs -o size=${STORE_SIZE:-16m} tmpfs "$T/storefs"
		STORE="$T/storefs/q"
	else
		STORE="$T/fs/q"
	fi
	CONF="$T/pw.ini"
	cat > "$CONF" <<INI
[watch]
roots = $CACHE
[quarantine]
directory = $STORE
[agent]
state_dir = $T/state
workers = 2
INI
}

# Files: benign ones get a manifest of digests; malicious ones too.
mal_bytes() {	# a protocol-0 pickle calling os.system, padded to $1 bytes
	printf "cos\nsystem\n(S'echo pwned %s'\ntR." "$2"
	head -c "${1:-0}" /dev/zero | tr '\0' 'x'
}
make_benign() {	# make_benign PATH SIZE: random bytes as hex text (raw random
		# bytes are sometimes a pickle a loader would run: a 'c'
		# first byte is GLOBAL)
	mkdir -p "$(dirname "$1")"
	head -c "$2" /dev/urandom | od -An -v -tx1 | head -c "$2" > "$1"
	echo "$(sha256sum < "$1" | cut -d' ' -f1) $1" >> "$T/benign.manifest"
}
make_malicious() {	# make_malicious PATH PAD: written aside, renamed in
	mkdir -p "$(dirname "$1")"
	mal_bytes "$2" "$1" > "$T/fs/.incoming"
	echo "$(sha256sum < "$T/fs/.incoming" | cut -d' ' -f1) $1" >> "$T/mal.manifest"
	mv "$T/fs/.incoming" "$1"
}
reset_manifests() { : > "$T/benign.manifest"; : > "$T/mal.manifest"; }

check() {	# check NAME CONDITION-STATUS
	if [ "$2" != 0 ]; then
		echo "FAIL: $1"
		fails=$((fails + 1))
	fi
}

# Every benign file byte-identical and in place.
check_benign() {
	while read -r sum path; do
		if [ ! -f "$path" ] || [ "$(sha256sum < "$path" | cut -d' ' -f1)" != "$sum" ]; then
			echo "FAIL: $1: benign file changed or missing: $path"
			fails=$((fails + 1))
		fi
	done < "$T/benign.manifest"
}

# Digests of the data of complete entries in the store, one a line.
store_digests() {
	for e in "$STORE"/*; do
		[ -f "$e/record.json" ] && [ -f "$e/data" ] || continue
		sha256sum < "$e/data" | cut -d' ' -f1
	done
}

# Every malicious file in place (byte-identical) or complete in the
# store, exactly once; counts outcomes in n_inplace / n_stored.
check_malicious() {
	store_digests > "$T/stored"
	while read -r sum path; do
		if [ -f "$path" ] && [ "$(sha256sum < "$path" | cut -d' ' -f1)" = "$sum" ]; then
			n_inplace=$((n_inplace + 1))
			if grep -qx "$sum" "$T/stored"; then
				echo "FAIL: $1: $path both in place and stored"
				fails=$((fails + 1))
			fi
		elif [ "$(grep -cx "$sum" "$T/stored")" = 1 ]; then
			n_stored=$((n_stored + 1))
		else
			echo "FAIL: $1: $path neither in place nor stored once"
			ls -la "$(dirname "$path")" "$STORE" "$STORE"/.new-* 2>&1 | sed 's/^/    /'
			fails=$((fails + 1))
		fi
	done < "$T/mal.manifest"
}

# No unfinished move, nothing waiting in a stage directory.
check_settled() {
	n=$(find "$STORE" -maxdepth 1 -name '.new-*' 2>/dev/null | wc -l)
	[ "$n" = 0 ] || { echo "FAIL: $1: $n unfinished moves left"; fails=$((fails + 1)); }
	n=$(find "$T/fs" -path '*.picklewarden-staging/*' 2>/dev/null | wc -l)
	[ "$n" = 0 ] || { echo "FAIL: $1: $n files left in a stage directory"; fails=$((fails + 1)); }
}

finish() {
	echo "$*"
	[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
	exit 0
}

# The watcher, in the background, logging to $T/watch.log.
start_watch() {	# start_watch [BINARY]
	: > "$T/watch.log"
	# exec in a subshell: the shell reports no "Killed" job when the
	# tests kill it.
	( exec "${1:-$PICKLEWARDEN}" watch --foreground --config "$CONF" \
		>> "$T/watch.log" 2>&1 ) 2>/dev/null &
	WATCH_PID=$!
	wait_log "startup scan complete" 10 || {
		echo "FAIL: watcher did not start"; sed 's/^/    /' "$T/watch.log"
		fails=$((fails + 1)); }
}
stop_watch() {
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
	WATCH_STATUS=$?
}
# wait_log PATTERN SECONDS [COUNT]: until PATTERN (grep -E) is in the
# log COUNT times (default 1).
wait_log() {
	i=0
	while [ "$(grep -cE "$1" "$T/watch.log")" -lt "${3:-1}" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}
watch_alive() { kill -0 "$WATCH_PID" 2>/dev/null; }
