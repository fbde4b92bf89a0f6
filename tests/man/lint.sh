#!/bin/sh
# The man pages: mandoc -Tlint finds no warning or error, picklewarden(1)
# documents every command the program has, and picklewarden.ini(5) every
# key of the shipped configuration file (so a new command or key without
# its documentation fails here).
set -u
man=$top_srcdir/packaging/man
command -v mandoc >/dev/null 2>&1 || {
	echo "SKIP: mandoc is not installed (Debian package mandoc): man pages not linted"
	exit 77
}
fail=0

# -Wwarning: STYLE messages (e.g. a cross-reference to a page that is not
# installed here) are not defects of the source.
out=$(mandoc -Tlint -Wwarning "$man/picklewarden.1" "$man/picklewarden.ini.5" 2>&1)
if [ -n "$out" ]; then
	echo "FAIL: mandoc -Tlint:"
	echo "$out"
	fail=1
fi

# Commands: the rows of the dispatch table in main.c.
main=$(ls "$top_srcdir"/agent/cli/main.c "$top_srcdir"/agent/main.c 2>/dev/null | head -1)
cmds=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", cmd_.*/\1/p' "$main")
[ -n "$cmds" ] || { echo "FAIL: no commands found in $main"; fail=1; }
for c in $cmds; do
	grep -q "^\.Cm $c\( \|$\)" "$man/picklewarden.1" ||
		grep -q "^\.It Cm $c\( \|$\)" "$man/picklewarden.1" || {
		echo "FAIL: picklewarden.1 does not document the command '$c'"
		fail=1
	}
done

# Keys: "key =" lines of etc/picklewarden.ini, commented out or not
# (the [trusted] example label is not a key).
keys=$(sed -n 's/^[;#]\{0,1\}[[:space:]]*\([a-z_]*\)[[:space:]]*=.*/\1/p' \
	"$top_srcdir/etc/picklewarden.ini" | grep -v '^my-' | sort -u)
[ -n "$keys" ] || { echo "FAIL: no keys found in etc/picklewarden.ini"; fail=1; }
for k in $keys; do
	grep -q "^\.It Cm $k\( \|$\)" "$man/picklewarden.ini.5" || {
		echo "FAIL: picklewarden.ini.5 does not document the key '$k'"
		fail=1
	}
done
[ "$fail" -eq 0 ] && echo "ok: man pages lint clean; $(echo $cmds | wc -w) commands, $(echo $keys | wc -w) keys documented"
exit "$fail"
