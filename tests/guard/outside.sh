#!/bin/sh
# Opens outside the guarded paths: the ignore marks that spare them the
# round trip (a pinned root-only directory's children; a file scanned clean
# in the background) never let a file reach a guarded path unjudged.
# Attacks: a user's directory (or a root-owned one under it) opened outside,
# then renamed into a guarded path; a hard link and a rename of a file out
# of a marked directory; a text file ignored outside, modified to malicious
# and moved in; a pattern that names files directly in a pinned directory;
# a bind mount that shows a marked directory under a guarded path; another
# mount namespace that does (a container's volume).  Benign:
# a pinned directory's files no longer reach the guard after the first open
# (its event counter does not grow).
. "$top_srcdir/tests/guard/lib.sh"
guard_enter_ns "$0"
# One more guarded pattern that names files directly in a directory.
sed -i "s|^paths = .*|&, $T/pub/model*|" "$S/guard.ini"
mkdir -p "$T/u/alice/dl" "$T/u/alice/rootdir" "$T/sys/lib" "$T/sys/share/sub" \
	"$T/pub"
chown -R 65534:65534 "$T/u/alice"
chown 0:0 "$T/u/alice/rootdir"
guard_start

# counter NAME: one of the guard's counters, read from a fresh SIGUSR1
# status line ("opens", "ignored directories", "ignored files").
counter() {
	before=$(grep -c 'guard: status:' "$S/log")
	kill -USR1 "$GUARD_PID"
	i=0
	while [ "$(grep -c 'guard: status:' "$S/log")" -le "$before" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep 'guard: status:' "$S/log" | tail -n 1 |
		sed "s/.*[ (]$1 \([0-9]*\).*/\1/"
}
# Waits until counter NAME exceeds VALUE.
counter_above() {
	[ "$(counter "$1")" -gt "$2" ]
}
denied() {	# denied NAME PATH
	check "$1" "ok=0 eperm=1 other=0" "$("$GOPEN" open "$2")"
}
opens3() {	# three outside opens: learnt, and allowed
	check "outside open allowed: ${1#$T/}" "ok=3 eperm=0 other=0" "$("$GOPEN" open "$1" 3)"
}

files0=$(counter "ignored files")

# 1. A user's directory holding a malicious file, opened outside, renamed
# into a guarded path: its files are judged there.
cp "$T/fx/evil.pkl" "$T/u/alice/dl/evil.pkl"
cp "$T/fx/notes.txt" "$T/u/alice/dl/notes.txt"
opens3 "$T/u/alice/dl/evil.pkl"
opens3 "$T/u/alice/dl/notes.txt"
wait_for counter_above "ignored files" "$files0"
check "a clean text file outside gets an ignore mark" 0 $?
mv "$T/u/alice/dl" "$T/g/dl"
denied "user dir renamed into a guarded path: malicious file denied" "$T/g/dl/evil.pkl"
check "user dir renamed in: its ignored text file opens" "ok=1 eperm=0 other=0" \
	"$("$GOPEN" open "$T/g/dl/notes.txt")"

# 2. A root-owned directory inside a user's directory is not pinned (the
# user can rename it): never marked, its files are judged once moved in.
cp "$T/fx/evil.pkl" "$T/u/alice/rootdir/evil.pkl"
cp "$T/fx/notes.txt" "$T/u/alice/rootdir/a.txt"
dirs0=$(counter "ignored directories")
opens3 "$T/u/alice/rootdir/a.txt"
opens3 "$T/u/alice/rootdir/evil.pkl"
check "a root dir under a user's dir is not marked" "$dirs0" "$(counter "ignored directories")"
mv "$T/u/alice/rootdir" "$T/g/rootdir"
denied "root dir under a user dir renamed in: malicious file denied" "$T/g/rootdir/evil.pkl"

# 3. A pinned root-only directory is marked at its first outside open; a
# hard link or a rename of its file into a guarded path is judged there.
cp "$T/fx/evil.pkl" "$T/sys/lib/evil-link.pkl"
cp "$T/fx/evil.pkl" "$T/sys/lib/evil-move.pkl"
dirs0=$(counter "ignored directories")
opens3 "$T/sys/lib/evil-link.pkl"
check "a pinned directory is marked" "$((dirs0 + 1))" "$(counter "ignored directories")"
ln "$T/sys/lib/evil-link.pkl" "$T/g/linked.pkl"
denied "hard link out of a marked directory: denied" "$T/g/linked.pkl"
mv "$T/sys/lib/evil-move.pkl" "$T/g/moved.pkl"
denied "rename out of a marked directory: denied" "$T/g/moved.pkl"
# The quarantine store is root's and pinned, but never marked: a denied
# file there stays denied at every open.
# (Its record beside it is opened first, as `quarantine list` does.)
data=$(ls "$T"/q/store/*/data | head -n 1)
for f in "$(dirname "$data")"/*; do
	[ "$f" = "$data" ] || [ ! -f "$f" ] || "$GOPEN" open "$f" > /dev/null
done
check "a quarantined file opened in the store: denied twice" \
	"ok=0 eperm=2 other=0" "$("$GOPEN" open "$data" 2)"

# 4. The same from a user's directory (content rule only).
cp "$T/fx/evil.pkl" "$T/u/alice/evil-link.pkl"
cp "$T/fx/evil.pkl" "$T/u/alice/evil-move.pkl"
opens3 "$T/u/alice/evil-link.pkl"
opens3 "$T/u/alice/evil-move.pkl"
ln "$T/u/alice/evil-link.pkl" "$T/g/linked2.pkl"
denied "hard link from a user dir: denied" "$T/g/linked2.pkl"
mv "$T/u/alice/evil-move.pkl" "$T/g/moved2.pkl"
denied "rename from a user dir: denied" "$T/g/moved2.pkl"

# 5. A text file ignored outside, then modified to malicious (the kernel
# drops the ignore mark at the write) and moved in.
files1=$(counter "ignored files")
cp "$T/fx/notes.txt" "$T/u/alice/later.txt"
opens3 "$T/u/alice/later.txt"
wait_for counter_above "ignored files" "$files1"
check "the text file is ignored" 0 $?
e1=$(counter opens)
"$GOPEN" open "$T/u/alice/later.txt" 20 > /dev/null
check "its later opens do not reach the guard" "$e1" "$(counter opens)"
cat "$T/fx/evil.pkl" > "$T/u/alice/later.txt"
mv "$T/u/alice/later.txt" "$T/g/later.pkl"
denied "ignored outside, modified, moved in: denied" "$T/g/later.pkl"

# 6. A pattern naming files directly in a pinned directory: the directory
# is never marked, so the guarded file beside an outside one is judged.
cp "$T/fx/notes.txt" "$T/pub/readme.txt"
d=$(counter "ignored directories")
opens3 "$T/pub/readme.txt"
check "a directory a pattern reaches into is not marked" "$d" "$(counter "ignored directories")"
cp "$T/fx/evil.pkl" "$T/pub/model.bin"
denied "a guarded file in that directory is denied" "$T/pub/model.bin"

# 7. Benign: a pinned directory's files do not reach the guard after the
# first open; a subdirectory is judged on its own.
i=0
while [ $i -lt 20 ]; do
	cp "$T/fx/state.pkl" "$T/sys/share/f$i.pkl"
	i=$((i + 1))
done
cp "$T/fx/state.pkl" "$T/sys/share/sub/x.pkl"
"$GOPEN" open "$T/sys/share/f0.pkl" > /dev/null
e1=$(counter opens)
i=0
while [ $i -lt 20 ]; do
	"$GOPEN" open "$T/sys/share/f$i.pkl" 10 > /dev/null
	i=$((i + 1))
done
check "200 opens in a marked pinned directory: no event" "$e1" "$(counter opens)"
# (The guard answers before it learns: the counter, read through the same
# event loop, is the point after which the mark is in place.)
"$GOPEN" open "$T/sys/share/sub/x.pkl" > /dev/null
check "its subdirectory is judged on its own: one event" "$((e1 + 1))" \
	"$(counter opens)"
"$GOPEN" open "$T/sys/share/sub/x.pkl" 5 > /dev/null
check "then it is marked too: no event" "$((e1 + 1))" "$(counter opens)"

# 8. A bind mount showing a marked directory under a guarded path: the
# marks are flushed, and the file is judged through the guarded name.
cp "$T/fx/evil.pkl" "$T/sys/lib/evil-bind.pkl"
"$GOPEN" open "$T/sys/lib/evil-bind.pkl" > /dev/null
mkdir "$T/g/view"
mount --bind "$T/sys" "$T/g/view"
flushed() { grep -q "ignore marks flushed" "$S/log"; }
wait_for flushed
check "a new view of a filesystem with marked directories flushes" 0 $?
denied "a marked directory seen through a guarded bind mount: denied" \
	"$T/g/view/lib/evil-bind.pkl"
d=$(counter "ignored directories")
"$GOPEN" open "$T/sys/share/f1.pkl" 3 > /dev/null
check "no directory mark where a second view shows it guarded" "$d" \
	"$(counter "ignored directories")"
umount "$T/g/view"

# 10. A directory bound onto itself (what ProtectSystem= and
# ReadWritePaths= of the unit make of /usr, /home...) shows nothing at a
# new name: its pinned directories are still marked.
n=$(grep -c "mount table changed" "$S/log")
mount --bind "$T/sys" "$T/sys"
remarked() { [ "$(grep -c "mount table changed" "$S/log")" -gt "$n" ]; }
wait_for remarked
d=$(counter "ignored directories")
"$GOPEN" open "$T/sys/share/f2.pkl" 3 > /dev/null
check "a self-bound pinned directory is marked" "$((d + 1))" \
	"$(counter "ignored directories")"
umount "$T/sys"

# 9. Another mount namespace (a container's volume) that shows a marked
# directory at a guarded path: once the guard sees a name from there that
# does not lead to the same file here, the filesystem's directory marks
# are flushed and its files are judged through the guarded names.  (A
# fresh filesystem below a guarded prefix, with one view here.)
n=$(grep -c "mount table changed" "$S/log")
mount -t tmpfs -o size=16m,mode=755 tmpfs "$T/h"
remarked() { [ "$(grep -c "mount table changed" "$S/log")" -gt "$n" ]; }
wait_for remarked
mkdir -p "$T/h/sys/lib" "$T/h/sys/other" "$T/h/alice/cache"
cp "$T/fx/notes.txt" "$T/h/sys/lib/a.txt"
cp "$T/fx/notes.txt" "$T/h/sys/other/b.txt"
cp "$T/fx/evil.pkl" "$T/h/sys/lib/evil.pkl"
d=$(counter "ignored directories")
"$GOPEN" open "$T/h/sys/lib/a.txt" > /dev/null
check "the new filesystem's pinned directory is marked" "$((d + 1))" \
	"$(counter "ignored directories")"
unshare -m --propagation private /bin/sh -c '
	mount --bind "$1/h/sys" "$1/h/alice/cache" &&
	"$2" open "$1/h/alice/cache/other/b.txt" > /dev/null &&
	"$2" open "$1/h/alice/cache/lib/evil.pkl"' sh "$T" "$GOPEN" > "$S/foreign.out"
check "a container's guarded view of a marked directory: denied" \
	"ok=0 eperm=1 other=0" "$(cat "$S/foreign.out")"
grep -q "used through another mount namespace" "$S/log"
check "its directory marks were flushed" 0 $?

guard_stop
finish
