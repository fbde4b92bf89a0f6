#!/bin/bash
# The guard's system unit under a real systemd (issue 14).
#
# As root: a private mount namespace with a tmpfs /run (so systemctl and
# systemd believe the system was booted with systemd), and a real
# `systemd --system` as PID 1 of a new PID namespace (container mode, in a
# cgroup of its own), told to start nothing but an empty target.  The unit
# is packaging/picklewarden-guard.service.in as shipped, with a drop-in that
# only keeps the test off the host: no default dependencies (they would
# start the host's early-boot services), a configuration that guards a
# tmpfs of the test (the guard marks only that filesystem), writable there,
# and no state directory on the host.  Then:
#   - `systemctl start` returns once the guard is READY, and STATUS= shows;
#   - inside the unit's sandbox (capabilities, system-call filter,
#     ProtectSystem=...) the scan workers run: a malicious file in the
#     guarded directory fails to open with EPERM, a clean one opens;
#   - the outside ignore marks work in the unit's own mount namespace;
#   - `systemctl stop` stops it cleanly (exit 0, result success).
# Skips (77) only where the machine cannot host it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a mount and a PID namespace, a cgroup)"
SYSTEMD=/lib/systemd/systemd
[ -x "$SYSTEMD" ] || skip "$SYSTEMD missing (Debian package systemd)"
for t in unshare nsenter systemctl; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
: "${top_srcdir:?}" "${PICKLEWARDEN:?}" "${top_builddir:?}"
GOPEN=$top_builddir/tests/guard/guard-open
[ -x "$GOPEN" ] || { echo "FAIL: $GOPEN not built"; exit 1; }
[ -n "${PYTHON3:-}" ] || skip "python3 is needed to generate the fixtures"

if [ "${PW_GUARD_UNIT_INNER:-}" != 1 ]; then
	unshare -m --propagation private true 2>/dev/null ||
		skip "unshare -m is not permitted here"
	T=$(mktemp -d /tmp/pw-guard-unit.XXXXXX) || exit 1
	chmod 755 "$T"
	start=$(date +%s)
	PW_GUARD_UNIT_INNER=1 T=$T unshare -m --propagation private "$BASH" "$0"
	rc=$?
	rm -rf "$T"
	echo "guard-unit.sh: $(( $(date +%s) - start )) s"
	exit "$rc"
fi

# --- inside the private mount namespace ------------------------------------
fail=0
mgr=
sd=
cgroups=()
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

teardown() {
	if [ -n "$sd" ]; then
		sctl stop picklewarden-guard >/dev/null 2>&1
		# PID 1 of its namespace: killing it ends every process there.
		kill -KILL "$sd" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$sd" 2>/dev/null || break
			sleep 0.1
		done
	fi
	if [ -n "$mgr" ]; then
		kill -KILL "$mgr" 2>/dev/null
		wait "$mgr" 2>/dev/null
	fi
	for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do
		for _ in $(seq 50); do
			find "${cgroups[i]}" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "${cgroups[i]}" ] || break
			sleep 0.1
		done
	done
}
trap teardown EXIT

until_ok() {	# until_ok TENTHS CMD...
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

mount -t tmpfs -o mode=755 tmpfs /run || skip "cannot mount a tmpfs on /run"
mkdir -p /run/systemd/system
# The guarded filesystem, and the fixtures outside it.
mkdir -p "$T/w" "$T/bin" "$T/etc"
mount -t tmpfs -o size=32m,mode=755 tmpfs "$T/w" || skip "cannot mount a tmpfs"
mkdir -p "$T/w/g" "$T/w/q"
chmod 700 "$T/w/q"
"$PYTHON3" "$top_srcdir/tests/guard/gen.py" "$T/fx" > /dev/null || {
	echo "FAIL: fixtures"; exit 1; }
cp "$PICKLEWARDEN" "$T/bin/picklewarden"
cat > "$T/etc/guard.ini" <<EOC
[guard]
paths = $T/w/g
quarantine = $T/w/q/store
timeout = 20s
EOC

# The unit as shipped, and the drop-in that keeps it off the host.
sed -e "s|@bindir[@]|$T/bin|g" -e "s|@sysconfdir[@]|$T/etc|g" \
	"$top_srcdir/packaging/picklewarden-guard.service.in" \
	> /run/systemd/system/picklewarden-guard.service
mkdir -p /run/systemd/system/picklewarden-guard.service.d
cat > /run/systemd/system/picklewarden-guard.service.d/test.conf <<EOC
[Unit]
DefaultDependencies=no
[Service]
ExecStart=
ExecStart=$T/bin/picklewarden guard --config $T/etc/guard.ini --foreground
# No journald here: the log goes to a file the test shows on failure.
StandardError=append:$T/guard.log
ReadWritePaths=$T/w
StateDirectory=
# In a sanitizer build: LeakSanitizer stops the world with ptrace, which
# the unit's system-call filter forbids (leaks are checked elsewhere).
Environment=ASAN_OPTIONS=detect_leaks=0
EOC
cat > /run/systemd/system/pw-test.target <<EOC
[Unit]
Description=picklewarden guard test: nothing
DefaultDependencies=no
EOC

# A cgroup of its own in each hierarchy systemd uses.
sub=pw-guard-unit.$$
bases=()
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	bases=(/sys/fs/cgroup)
else
	[ -d /sys/fs/cgroup/systemd ] && bases+=(/sys/fs/cgroup/systemd)
	[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		bases+=(/sys/fs/cgroup/unified)
fi
[ "${#bases[@]}" -gt 0 ] || skip "no usable cgroup hierarchy"
for b in "${bases[@]}"; do
	mkdir -p "$b/$sub" || skip "cannot create a cgroup under $b"
	cgroups+=("$b/$sub")
done

(
	for b in "${bases[@]}"; do echo "$BASHPID" > "$b/$sub/cgroup.procs"; done
	exec unshare --pid --fork --mount-proc env -i container=pw-test \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$SYSTEMD" --system \
		--unit=pw-test.target --log-target=console --log-level=info
) > "$T/manager.log" 2>&1 < /dev/null &
mgr=$!
# systemctl runs in the manager's PID namespace (the private socket wants
# a peer it can name) and mount namespace.
sctl() { nsenter -t "$sd" -p -m systemctl "$@"; }
manager_pid() {
	sd=$(cat "/proc/$mgr/task/$mgr/children" 2>/dev/null)
	sd=${sd%% *}
	[ -n "$sd" ]
}
until_ok 50 manager_pid || skip "systemd --system did not start here"
until_ok 150 sctl is-active pw-test.target || {
	tail -n 30 "$T/manager.log"
	skip "systemd --system did not start here"
}

if timeout 60 nsenter -t "$sd" -p -m systemctl start picklewarden-guard; then
	ok "systemctl start returns once the guard is ready"
else
	bad "systemctl start picklewarden-guard"
	sctl status picklewarden-guard --no-pager 2>&1 | tail -n 20
	tail -n 30 "$T/manager.log"
fi
state=$(sctl show -P ActiveState picklewarden-guard)
[ "$state" = active ] && ok "active" || bad "ActiveState=$state"
status_shows() { sctl show -P StatusText picklewarden-guard | grep -q guarding; }
until_ok 100 status_shows
status=$(sctl show -P StatusText picklewarden-guard)
case "$status" in
guarding*) ok "STATUS= $status" ;;
*) bad "StatusText='$status'" ;;
esac

cp "$T/fx/evil.pkl" "$T/w/g/evil.pkl"
cp "$T/fx/state.pt" "$T/w/g/state.pt"
got=$("$GOPEN" open "$T/w/g/evil.pkl")
[ "$got" = "ok=0 eperm=1 other=0" ] && ok "malicious file denied under the unit's sandbox" ||
	bad "malicious file: $got"
got=$("$GOPEN" open "$T/w/g/state.pt")
[ "$got" = "ok=1 eperm=0 other=0" ] && ok "clean checkpoint opens" ||
	bad "clean checkpoint: $got"
n=$(ls "$T/w/q/store" 2>/dev/null | grep -vc '^\.')
[ "$n" = 1 ] && ok "the malicious file is in the quarantine" || bad "quarantine holds $n"

# The outside ignore marks work inside the unit's own mount namespace
# (ProtectSystem= binds directories onto themselves): a pinned root-only
# directory is marked, a clean file opened twice is scanned and marked.
mkdir -p "$T/w/sys/lib" "$T/w/u"
cp "$T/fx/notes.txt" "$T/w/sys/lib/a.txt"
cp "$T/fx/notes.txt" "$T/w/u/b.txt"
chown -R 65534:65534 "$T/w/u"
"$GOPEN" open "$T/w/sys/lib/a.txt" > /dev/null
"$GOPEN" open "$T/w/u/b.txt" 2 > /dev/null
marked() {
	sctl kill -s USR1 picklewarden-guard &&
	sleep 0.1 &&
	grep 'guard: status:' "$T/guard.log" | tail -n 1 |
		grep -q 'ignored directories 1, scans 1, ignored files 1'
}
if until_ok 50 marked; then
	ok "outside ignore marks under the unit: a directory and a file"
else
	bad "outside ignore marks: $(grep 'guard: status:' "$T/guard.log" | tail -n 1)"
fi

if timeout 60 nsenter -t "$sd" -p -m systemctl stop picklewarden-guard; then
	ok "systemctl stop returns"
else
	bad "systemctl stop picklewarden-guard"
fi
state=$(sctl show -P ActiveState picklewarden-guard)
result=$(sctl show -P Result picklewarden-guard)
code=$(sctl show -P ExecMainStatus picklewarden-guard)
[ "$state/$result/$code" = "inactive/success/0" ] && ok "stopped cleanly (exit 0)" ||
	bad "after stop: ActiveState=$state Result=$result ExecMainStatus=$code"
if [ "$fail" -ne 0 ]; then
	echo "--- guard log"
	tail -n 40 "$T/guard.log"
	exit 1
fi
exit 0
