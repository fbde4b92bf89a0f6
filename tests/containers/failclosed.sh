#!/bin/sh
# End-to-end (issue 9): the default action for `error` is quarantine on a
# file a loader would execute and log on any other.  A pickle whose stack
# outgrows the scanner's cap (an error, harmless payload) and a truncated xz
# stream (joblib and pandas unpickle the prefix Python's reader delivers)
# are moved to the store by `scan --quarantine`; a zip that cannot be
# opened (torch.load fails before unpickling anything) stays in place.
set -u
: "${PICKLEWARDEN:?run through make check}"
py=${PYTHON3:-}
if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "SKIP: python3 (>= 3.8) is needed to write the inputs"
	exit 77
fi
t=$(mktemp -d "${TMPDIR:-/tmp}/pw-failclosed.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$t/home/.config/picklewarden" "$t/in"
export HOME="$t/home" XDG_CONFIG_HOME="$t/home/.config" \
	XDG_DATA_HOME="$t/home/.local/share" XDG_STATE_HOME="$t/home/.local/state"
printf '[quarantine]\ndirectory = %s/q\n' "$t" \
	> "$t/home/.config/picklewarden/picklewarden.ini"
"$py" - "$t/in" <<'PY' || fail "writing inputs"
import sys, os
d = sys.argv[1]
# PROTO 2, 4.5 M NONE (past the 4 Mi stack cap), an allowlisted call, STOP.
with open(os.path.join(d, 'deep.pkl'), 'wb') as f:
    f.write(b'\x80\x02' + b'N' * 4500000 +
            b'ccollections\nOrderedDict\n)R.')
import lzma
with open(os.path.join(d, 'cut.xz'), 'wb') as f:
    f.write(lzma.compress(b'\x80\x02]q\x00.' * 50)[:-12])
# A local header signature, then nothing a zip reader can open.
with open(os.path.join(d, 'broken.zip'), 'wb') as f:
    f.write(b'PK\x03\x04' + b'\x01' * 64)
PY
"$PICKLEWARDEN" scan --json --no-config "$t/in/deep.pkl" > "$t/deep.json"
grep -q '"verdict":"error"' "$t/deep.json" || fail "deep.pkl is not error: $(cat "$t/deep.json")"
for f in cut.xz broken.zip; do
	"$PICKLEWARDEN" scan --json --no-config "$t/in/$f" > "$t/$f.json"
	grep -q '"verdict":"error"' "$t/$f.json" || fail "$f is not error: $(cat "$t/$f.json")"
done
"$PICKLEWARDEN" scan --quarantine "$t/in/deep.pkl" "$t/in/cut.xz" "$t/in/broken.zip" > "$t/out" 2>&1
[ ! -e "$t/in/deep.pkl" ] || fail "an error on an executable file was not quarantined"
[ ! -e "$t/in/cut.xz" ] || fail "an error on a truncated compressed stream was not quarantined"
[ -e "$t/in/broken.zip" ] || fail "an error on a file no loader executes was quarantined"
"$PICKLEWARDEN" quarantine list | grep -q "deep.pkl" || fail "deep.pkl not in the store"
# error = log keeps an executable error file in place.
printf '[quarantine]\ndirectory = %s/q\n[actions]\nerror = log\n' "$t" \
	> "$t/home/.config/picklewarden/picklewarden.ini"
"$py" -c 'import sys; open(sys.argv[1], "wb").write(b"\x80\x02" + b"N" * 4500000 + b"ccollections\nOrderedDict\n)R.")' "$t/in/deep2.pkl"
"$PICKLEWARDEN" scan --quarantine "$t/in/deep2.pkl" > /dev/null 2>&1
[ -e "$t/in/deep2.pkl" ] || fail "error = log quarantined a file"
echo "PASS: error quarantined where a loader would execute the file, logged elsewhere"
