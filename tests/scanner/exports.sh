#!/bin/sh
# Every symbol libpicklewarden exports starts with pw_; everything else is
# static or hidden.  The library is a static archive, so plain `nm -g` lists
# every internal extern too: link its objects into one relocatable object,
# make the hidden symbols local (what a shared library or a final link with
# visibility would do), and require that what stays global is pw_*.
# Compiler-made symbols ("__" prefix: sanitizer and coverage glue) are not
# ours and are left out.
set -u
: "${top_builddir:?run through make check}"
lib=$top_builddir/scanner/libpicklewarden.a
for tool in ${LD:-ld} ${OBJCOPY:-objcopy} ${NM:-nm}; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool (binutils) is needed to inspect the library"
		exit 77
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-exports.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
${LD:-ld} -r --whole-archive "$lib" -o "$tmp/all.o" || exit 1
${OBJCOPY:-objcopy} --localize-hidden "$tmp/all.o" "$tmp/local.o" || exit 1
${NM:-nm} -g --defined-only "$tmp/local.o" | awk 'NF == 3 { print $3 }' |
	grep -v '^__' | sort -u >"$tmp/global"
n=$(wc -l <"$tmp/global")
bad=$(grep -v '^pw_' "$tmp/global")
if [ -n "$bad" ]; then
	echo "FAIL: exported without the pw_ prefix (make them static, or hidden):"
	echo "$bad"
	exit 1
fi
if [ "$n" -lt 20 ]; then
	echo "FAIL: only $n exported symbols; the public API is missing"
	exit 1
fi
# The public API documented in picklewarden.h, spot-checked (a symbol
# made static by mistake would pass the checks above).
for sym in pw_scan_fd pw_scan_buffer pw_scan_fd_prefix pw_result_prefix_final \
	pw_result_executable pw_scanner_new; do
	if ! grep -qx "$sym" "$tmp/global"; then
		echo "FAIL: $sym is not exported"
		exit 1
	fi
done
echo "libpicklewarden exports $n symbols, all pw_*"
