#!/bin/sh
# Every fixture gets the same JSON report from a sandboxed scan as from an
# in-process one: the worker's filter lets every parser path through, and
# the result survives the trip through the wire format unchanged.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
for d in "$top_srcdir/tests/containers/fixtures" \
	 "$top_srcdir/tests/fixtures/pickles" \
	 "$top_srcdir/tests/fuzz/regressions" \
	 "$top_builddir/tests/containers/gen"; do
	test -d "$d" || continue
	"$PICKLEWARDEN" scan --no-config --json --all "$d" >"$tmp/sb.json"
	"$PICKLEWARDEN" scan --no-config --json --all --no-sandbox "$d" \
		>"$tmp/ip.json"
	if ! cmp -s "$tmp/sb.json" "$tmp/ip.json"; then
		echo "FAIL: sandboxed and in-process reports differ for $d" >&2
		diff "$tmp/sb.json" "$tmp/ip.json" | head -20 >&2
		status=1
	fi
	if grep -q '"kind":"crash"' "$tmp/sb.json"; then
		echo "FAIL: a worker died scanning $d" >&2
		status=1
	fi
	n=$(grep -o '"path":' "$tmp/sb.json" | wc -l)
	echo "ok: $n files in $d"
done
exit $status
