#!/bin/sh
# make check: every fuzz harness (built as tests/fuzz/replay_NAME, a plain
# program) runs once over its seed corpus and over every crash it ever
# found (tests/fuzz/harness-regressions/NAME/).  A harness aborts on a
# broken invariant and sanitizers abort on memory errors, so any of them
# failing here is a regression.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
f=$top_srcdir/tests/fuzz
status=0
for name in pickle zip legacy numpy joblib gzip bzip2 xz lzma lz4 zstd zlib \
	archive torchscript policy qrecord wire sig_bundle; do
	prog=$top_builddir/tests/fuzz/replay_$name
	if [ "$name" = pickle ]; then
		set -- "$f/corpus" "$f/regressions"
	else
		set -- "$f/seeds/$name"
	fi
	if [ -d "$f/harness-regressions/$name" ]; then
		set -- "$@" "$f/harness-regressions/$name"
	fi
	if ! "$prog" "$@"; then
		echo "FAIL: $name" >&2
		status=1
	fi
done
exit $status
