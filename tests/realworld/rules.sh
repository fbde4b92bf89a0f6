#!/bin/sh
# The rules the real-world set needed, pinned both ways: hand-assembled
# files (tests/realworld/rules.py, python3 stdlib only) and the verdicts
# they must get - what became clean next to what must stay malicious.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${PICKLEWARDEN:?}"
py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
out=$top_builddir/tests/realworld/rules
rm -rf "$out"
mkdir -p "$out" || exit 1
"$py" "$top_srcdir/tests/realworld/rules.py" "$out" || exit 1
status=0
n=0
while IFS='	' read -r name want why; do
	got=$("$PICKLEWARDEN" scan --json --no-config "$out/$name" |
		sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p' | head -n 1)
	n=$((n + 1))
	case "|$want|" in
	*"|$got|"*) ;;
	*) echo "FAIL: $name: $got, expected $want ($why)"; status=1 ;;
	esac
done <"$out/expect.tsv"
echo "$n files checked"
exit $status
