#!/bin/sh
# Every library and tool configure.ac checks for, and every optional tool
# the test suite uses, is in the Build-Depends of packaging/debian/control:
# each is mapped to the Debian package that owns its .pc file, header or
# program on this (Debian) machine, so a new PKG_CHECK_MODULES or
# AC_CHECK_HEADER without its build dependency fails here, not in a clean
# chroot later.
set -u
command -v dpkg-query >/dev/null 2>&1 || {
	echo "SKIP: not a Debian system (no dpkg-query)"
	exit 77
}
ac=$top_srcdir/configure.ac
control=$top_srcdir/packaging/debian/control
fail=0

# Build-Depends, one package name a line (no versions, arches or profiles).
deps=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$control" |
	sed -e 's/^Build-Depends://' -e '/^[A-Z][A-Za-z-]*:/d' | tr ',' '\n' |
	sed -e 's/[[(<].*//' -e 's/[[:space:]]//g' -e '/^$/d')

owner() {	# the package owning a path (first one; without :arch)
	dpkg -S "$1" 2>/dev/null | head -1 | sed 's/[:,].*//'
}
need() {	# $1 what, $2 package
	if [ -z "$2" ]; then
		echo "FAIL: $1: not installed here, cannot tell its package"
		fail=1
	elif ! echo "$deps" | grep -qx "$2"; then
		echo "FAIL: $1 comes from $2, which is not in Build-Depends"
		fail=1
	else
		echo "ok: $1 -> $2"
	fi
}

# pkg-config modules: PKG_CHECK_MODULES([VAR], [module >= version], ...)
for m in $(sed -n 's/^[[:space:]]*PKG_CHECK_MODULES(\[[A-Z_]*\],[[:space:]]*\[\([A-Za-z0-9_.+-]*\).*/\1/p' "$ac"); do
	dir=$(pkg-config --variable=pcfiledir "$m" 2>/dev/null)
	need "pkg-config module $m" "$(owner "$dir/$m.pc")"
done
need "pkg-config" "$(owner "$(command -v pkg-config)")"

# Headers (libraries without a .pc file): AC_CHECK_HEADER([dir/file.h], ...)
for h in $(sed -n 's/.*AC_CHECK_HEADER(\[\([^]]*\)\].*/\1/p' "$ac"); do
	f=$(ls /usr/include/"$h" /usr/include/*/"$h" 2>/dev/null | head -1)
	need "header $h" "$(owner "${f:-/usr/include/$h}")"
done

# Programs the tests look for.  Debian's python3 (not a PATH shim): its
# binary belongs to python3-minimal, which the python3 package pulls in.
py=$(owner /usr/bin/python3)
[ "$py" = python3-minimal ] && py=python3
need "program python3" "$py"
f=$(command -v mandoc)
need "program mandoc" "$(owner "$(readlink -f "${f:-/nonexistent}")")"
# Python modules the tests import beyond the standard library.
for mod in jsonschema; do
	f=$(/usr/bin/python3 -c "import $mod, os; print(os.path.dirname($mod.__file__))" 2>/dev/null)
	need "python3 module $mod" "$(owner "${f:-/nonexistent}")"
done
exit "$fail"
