#!/bin/bash
# The user unit under a real `systemd --user` (issue 16).
#
# As root, in a private mount namespace (nothing here touches the host's
# /run, /dev or journal): a tmpfs /run with /run/systemd/system (so systemd
# believes it was booted with systemd), a private /dev that has /dev/log,
# a standalone journald, a test user created for the test with its own
# delegated cgroup, and `systemd --user` for that user.  Then, with the
# unit exactly as shipped (packaging/picklewarden.service.in; a drop-in only
# shortens WatchdogSec= and RestartSec= so the test stays short):
#   - `systemctl --user enable --now` returns once the agent is READY;
#   - a malicious file dropped in the watched cache is quarantined, and the
#     journal holds the decision line from the unit;
#   - `reload` with a broken config fails, the agent is not signalled and
#     keeps working on its old configuration;
#   - `kill -KILL` of the main process restarts it;
#   - SIGSTOP trips the watchdog, and the unit restarts;
#   - a broken config at start exits 78 and the unit stays failed (no
#     restart loop).
# Skips (77) only where the machine cannot host it: not root, or no
# systemd / unshare / setpriv / useradd.
# make check runs tests with /bin/sh: this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a test user, a cgroup and a mount namespace)"
SYSTEMD=/lib/systemd/systemd
JOURNALD=/lib/systemd/systemd-journald
for t in "$SYSTEMD" "$JOURNALD"; do
	[ -x "$t" ] || skip "$t missing (Debian package systemd)"
done
for t in unshare setpriv useradd userdel systemctl journalctl; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done

: "${top_srcdir:?}"
[ "${PW_UNIT:-}" = installed ] || : "${PICKLEWARDEN:?}"

# --- outside the namespace: the test user and its files ---------------------
if [ "${PW_SYSTEMD_INNER:-}" != 1 ]; then
	T=$(mktemp -d /tmp/pw-systemd.XXXXXX) || exit 1
	chmod 755 "$T"
	user=pwt$$
	useradd -M -d "$T/home" -s /bin/sh "$user" || skip "useradd failed"
	cleanup() {
		userdel "$user" 2>/dev/null
		getent group "$user" >/dev/null && groupdel "$user" 2>/dev/null
		rm -rf "$T"
	}
	trap cleanup EXIT
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	mkdir -p "$T/bin" "$T/home/cache" "$T/home/.config/picklewarden"
	if [ "${PW_UNIT:-}" = installed ]; then
		# After `dpkg -i` (or a system-wide make install): the unit and
		# binary as installed; only the drop-in is the test's.
		[ -f /usr/lib/systemd/user/picklewarden.service ] ||
			skip "PW_UNIT=installed but no /usr/lib/systemd/user/picklewarden.service"
		ln -s "$(sed -n 's|^ExecStart=\([^ ]*\) .*|\1|p' \
			/usr/lib/systemd/user/picklewarden.service)" "$T/bin/picklewarden"
		dropin=$T/home/.config/systemd/user/picklewarden.service.d
	else
		# The binary must be readable by the test user wherever the
		# build is; the unit goes where a home-prefix install puts it.
		cp "$PICKLEWARDEN" "$T/bin/picklewarden"
		chmod 755 "$T/bin/picklewarden"
		mkdir -p "$T/home/.local/share/systemd/user"
		sed -e "s|@bindir[@]|$T/bin|g" "$top_srcdir/packaging/picklewarden.service.in" \
			>"$T/home/.local/share/systemd/user/picklewarden.service"
		dropin=$T/home/.local/share/systemd/user/picklewarden.service.d
	fi
	mkdir -p "$dropin"
	cat >"$dropin/test.conf" <<-EOC
	[Service]
	WatchdogSec=2
	RestartSec=200ms
	# In a sanitizer build: LeakSanitizer stops the world with ptrace,
	# which the unit's system-call filter forbids (leaks are checked by
	# the other tests, outside the sandbox).
	Environment=ASAN_OPTIONS=detect_leaks=0
	EOC
	cat >"$T/home/.config/picklewarden/picklewarden.ini" <<-EOC
	[watch]
	roots = ~/cache
	EOC
	chown -R "$uid:$gid" "$T/home"
	start=$(date +%s)
	PW_SYSTEMD_INNER=1 T=$T user=$user uid=$uid gid=$gid \
		unshare -m --propagation private "$BASH" "$0"
	rc=$?
	echo "user-unit.sh: $(( $(date +%s) - start )) s"
	exit "$rc"
fi

# --- inside the private mount namespace ------------------------------------
home=$T/home
run=/run/user/$uid
fail=0
pids=()
cgroups=()

log() { echo "--- $*"; }
bad() { echo "FAIL: $*"; fail=1; }

teardown() {
	asuser systemctl --user stop picklewarden >/dev/null 2>&1
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# Deepest first: a cgroup goes only once it is empty of children.
	for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do
		find "${cgroups[i]}" -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$(dirname "${cgroups[i]}")" 2>/dev/null
		rmdir "$(dirname "$(dirname "${cgroups[i]}")")" 2>/dev/null
	done
}
trap teardown EXIT

asuser() {
	setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/bin:/bin \
		XDG_RUNTIME_DIR="$run" "$@"
}

# Wait up to $1 tenths of a second for a command to succeed.
until_ok() {
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

prop() { asuser systemctl --user show -P "$1" picklewarden; }

# /run: systemd's "booted with systemd" test, and room for the journal
# sockets and the user's runtime directory.
mount -t tmpfs -o mode=755 tmpfs /run || skip "cannot mount a tmpfs on /run"
mkdir -p /run/systemd/system "$run"
chown "$uid:$gid" "$run"
chmod 700 "$run"
# The journal stays in this namespace (volatile, under the new /run).
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal

# A private /dev with /dev/log -> journald, and the host's nodes bound in.
mkdir -p "$T/olddev"
mount --rbind /dev "$T/olddev" && mount -t tmpfs -o mode=755 tmpfs /dev ||
	skip "cannot make a private /dev"
for n in null zero full random urandom tty; do
	[ -e "$T/olddev/$n" ] || continue
	touch "/dev/$n" && mount --bind "$T/olddev/$n" "/dev/$n"
done
mkdir -p /dev/pts /dev/shm
mount --rbind "$T/olddev/pts" /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /run/systemd/journal/dev-log /dev/log

"$JOURNALD" >/dev/null 2>&1 &
pids+=($!)
until_ok 50 test -S /run/systemd/journal/dev-log || skip "journald did not start"

# The delegated cgroup the user manager runs in, in each hierarchy systemd
# uses: cgroup2 alone, or (hybrid, as on some hosts) name=systemd + unified.
sub=user.slice/user-$uid.slice/user@$uid.service
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
	chown -R "$uid:$gid" "$b/$sub"
done

(
	for b in "${bases[@]}"; do echo "$BASHPID" >"$b/$sub/cgroup.procs"; done
	exec setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/bin:/bin \
		XDG_RUNTIME_DIR="$run" SYSTEMD_LOG_TARGET=journal "$SYSTEMD" --user
) >"$T/manager.log" 2>&1 &
pids+=($!)
until_ok 100 asuser systemctl --user show -P Version || {
	cat "$T/manager.log"
	skip "systemd --user did not start here"
}

journal() {
	journalctl -D /run/log/journal --no-pager -o cat "$@" 2>/dev/null
}

mal() {	# a pickle that runs os.system on load, written by the user; the
	# command names the file, so each file has its own digest (the store
	# keeps one copy per digest, and this test counts entries)
	asuser sh -c 'printf "cos\nsystem\n(S'"'echo %s'"'\ntR." "${1##*/}" >"$1"' sh "$1"
}

quarantined() {	# $1 = file that must be gone, and more than $2 entries
	[ ! -e "$1" ] || return 1
	[ "$(find "$home/.local/share/picklewarden/quarantine" -mindepth 1 \
		-maxdepth 1 -type d ! -name '.*' | grep -c .)" -gt "$2" ]
}

# 1. enable --now: systemctl returns when the agent has sent READY=1.
log "enable --now"
t0=$(date +%s%N)
asuser systemctl --user enable --now picklewarden || bad "enable --now failed"
echo "ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ "$(prop ActiveState)" = active ] || bad "not active: $(prop ActiveState)"
[ "$(prop SubState)" = running ] || bad "not running: $(prop SubState)"
status=$(prop StatusText)
echo "status: $status"
[ -n "$status" ] || bad "no STATUS= text from the agent"
[ -L "$home/.config/systemd/user/default.target.wants/picklewarden.service" ] ||
	bad "enable did not hook the unit into default.target"
pid1=$(prop MainPID)

# 2. A malicious file in the cache: quarantined, and the decision is in
# the journal, attributed to the unit.
log "malicious file"
mal "$home/cache/evil.pkl"
until_ok 100 quarantined "$home/cache/evil.pkl" 0 || bad "evil.pkl not quarantined"
until_ok 50 sh -c "journalctl -D /run/log/journal --no-pager -o cat _SYSTEMD_USER_UNIT=picklewarden.service | grep -q 'decision action=quarantine verdict=malicious path=\"$home/cache/evil.pkl\"'" ||
	bad "no decision line of the unit in the journal"
journal _SYSTEMD_USER_UNIT=picklewarden.service | grep 'decision' | head -1

# 3. reload with a broken config: fails, no signal reaches the agent, it
# keeps the old config (a second file in ~/cache is still quarantined).
log "reload with a broken configuration"
cp "$home/.config/picklewarden/picklewarden.ini" "$T/good.ini"
printf '[watch]\nroots = ~/cache\nno_such_key = 1\n' >"$home/.config/picklewarden/picklewarden.ini"
if asuser systemctl --user reload picklewarden 2>"$T/reload.err"; then
	bad "reload of a broken configuration reported success"
else
	echo "reload failed as it should: $(head -1 "$T/reload.err")"
fi
[ "$(prop ActiveState)" = active ] || bad "not active after a failed reload"
[ "$(prop MainPID)" = "$pid1" ] || bad "the agent changed after a failed reload"
# By the user's uid, not the unit: journald names the unit of a line from
# the sender's cgroup, which it cannot read any more once a short-lived
# process like check-config has exited (under load it often has).
until_ok 100 sh -c "journalctl -D /run/log/journal --no-pager -o cat _UID=$uid | grep -q no_such_key" ||
	bad "the journal does not say what is wrong with the configuration"
mal "$home/cache/evil2.pkl"
until_ok 100 quarantined "$home/cache/evil2.pkl" 1 ||
	bad "the old configuration stopped working after a failed reload"
# Checked after the agent logged evil2's decision, so a SIGHUP it had got
# would have been logged before.
journal _SYSTEMD_USER_UNIT=picklewarden.service | grep -q 'configuration reloaded\|reload refused' &&
	bad "the agent was signalled although the configuration was broken"
cp "$T/good.ini" "$home/.config/picklewarden/picklewarden.ini"
asuser systemctl --user reload picklewarden || bad "reload of a good configuration failed"
until_ok 50 sh -c "journalctl -D /run/log/journal --no-pager -o cat _SYSTEMD_USER_UNIT=picklewarden.service | grep -q 'configuration reloaded'" ||
	bad "a good reload did not reach the agent"

# 4. kill -KILL: Restart=on-failure brings it back.
log "kill -KILL"
n0=$(prop NRestarts)
kill -KILL "$pid1"
until_ok 100 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --clear-groups env XDG_RUNTIME_DIR=$run systemctl --user show -P NRestarts picklewarden)\" -gt $n0 ]" ||
	bad "no restart after SIGKILL"
until_ok 100 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --clear-groups env XDG_RUNTIME_DIR=$run systemctl --user show -P SubState picklewarden)\" = running ]" ||
	bad "not running again after SIGKILL"
pid2=$(prop MainPID)
[ "$pid2" != "$pid1" ] && [ "$pid2" != 0 ] || bad "same main pid after SIGKILL"

# 5. SIGSTOP: the watchdog (2 s here) fires, the unit restarts.
log "SIGSTOP"
n1=$(prop NRestarts)
t0=$(date +%s%N)
kill -STOP "$pid2"
until_ok 150 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --clear-groups env XDG_RUNTIME_DIR=$run systemctl --user show -P NRestarts picklewarden)\" -gt $n1 ]" ||
	bad "the watchdog did not restart a stopped agent"
echo "watchdog restart after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
# The manager's own line about its unit (USER_UNIT= is set by systemd).
until_ok 30 sh -c "journalctl -D /run/log/journal --no-pager -o cat USER_UNIT=picklewarden.service | grep -q 'Watchdog timeout'" ||
	bad "no watchdog line from the user manager in the journal"
journal USER_UNIT=picklewarden.service | grep 'Watchdog timeout' | head -1
until_ok 100 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --clear-groups env XDG_RUNTIME_DIR=$run systemctl --user show -P SubState picklewarden)\" = running ]" ||
	bad "not running again after the watchdog"

# 6. A broken configuration at start: exit 78, failed, no restart loop.
log "start with a broken configuration"
printf '[watch]\nroots = ~/cache\nno_such_key = 1\n' >"$home/.config/picklewarden/picklewarden.ini"
asuser systemctl --user restart picklewarden 2>/dev/null && bad "restart with a broken configuration succeeded"
n2=$(prop NRestarts)
sleep 1
[ "$(prop ActiveState)" = failed ] || bad "not failed with a broken configuration: $(prop ActiveState)"
[ "$(prop ExecMainStatus)" = 78 ] || bad "exit status $(prop ExecMainStatus), want 78"
[ "$(prop NRestarts)" = "$n2" ] || bad "restarted in a loop on a broken configuration"

if [ "$fail" -ne 0 ] || [ -n "${PW_SYSTEMD_DEBUG:-}" ]; then
	asuser "$T/bin/picklewarden" quarantine list
	echo "--- journal"
	journal -o short | grep -v audit | tail -80
	echo "--- manager"
	tail -20 "$T/manager.log"
fi
exit "$fail"
