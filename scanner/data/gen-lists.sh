#!/bin/sh
# Compiles the reviewable list files in DIR into C arrays (scanner/lists.c).
# Usage: gen-lists.sh DIR > lists.c
set -eu
dir=$1
cat <<'HDR'
/* Generated from the .txt files in scanner/data by gen-lists.sh; do not edit. */
#include "config.h"
#include <stddef.h>
#include "pickle/lists.h"
HDR
emit_list() {
	name=$1
	shift
	echo "const struct pw_list_entry ${name}[] = {"
	awk '
	function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
	/^[ \t]*#/ || /^[ \t]*$/ { next }
	{
		pat = $1
		reason = $0
		sub(/^[ \t]*[^ \t]+[ \t]*/, "", reason)
		# An optional call model, "@kind...", right after the pattern
		# (allowlist only; the header of allowlist.txt says which).
		model = ""
		if (substr(reason, 1, 1) == "@") {
			model = reason
			sub(/[ \t].*$/, "", model)
			sub(/^[^ \t]+[ \t]*/, "", reason)
			model = substr(model, 2)
		}
		if (reason == "") { print "missing reason for " pat > "/dev/stderr"; exit 1 }
		printf "\t{\"%s\", \"%s\", \"%s\"},\n", esc(pat), esc(reason), esc(model)
	}' "$@"
	echo "};"
	echo "const size_t ${name}_len = sizeof(${name}) / sizeof(${name}[0]);"
}
emit_list pw_allowlist "$dir/allowlist.txt"
# The hand-kept denylist and the one found by auditing code
# (scanner/data/audit/audit.py) are one list to the scanner.
emit_list pw_denylist "$dir/denylist.txt" "$dir/audit-denylist.txt"
emit_list pw_torchscript_allowlist "$dir/torchscript-allowlist.txt"
emit_list pw_torchscript_ops "$dir/torchscript-ops.txt"
echo "const struct pw_compat_import pw_compat_imports[] = {"
awk '$1 == "import" { printf "\t{\"%s\", \"%s\"},\n", $2, $3 }' "$dir/compat_pickle.txt"
echo "};"
echo "const size_t pw_compat_imports_len = sizeof(pw_compat_imports) / sizeof(pw_compat_imports[0]);"
echo "const struct pw_compat_name pw_compat_names[] = {"
awk '$1 == "name" { printf "\t{\"%s\", \"%s\", \"%s\", \"%s\"},\n", $2, $3, $4, $5 }' "$dir/compat_pickle.txt"
echo "};"
echo "const size_t pw_compat_names_len = sizeof(pw_compat_names) / sizeof(pw_compat_names[0]);"
