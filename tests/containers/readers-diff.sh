#!/bin/sh
# make check wrapper for readers-diff.py (issue 9): on seeded mutants of
# zip, tar, gzip, xz and bzip2 fixtures, every member Python's readers hand
# to the unpickler must be analysed by picklewarden (or the file must fail
# closed with an error).  PW_RDIFF_MUTANTS / PW_RDIFF_SEED override the
# defaults; the mutants are kept when PW_RDIFF_KEEP=1.
set -u
: "${PICKLEWARDEN:?run through make check}" "${top_srcdir:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "SKIP: python3 (>= 3.8) is needed for the container differential"
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/pw-rdiff.XXXXXX") || exit 1
if [ "${PW_RDIFF_KEEP:-0}" = 1 ]; then
	echo "mutants kept in $dir"
else
	trap 'rm -rf "$dir"' EXIT
fi
"$py" "$top_srcdir/tests/containers/readers-diff.py" "$PICKLEWARDEN" "$dir" \
	"${PW_RDIFF_MUTANTS:-60}" "${PW_RDIFF_SEED:-9}"
