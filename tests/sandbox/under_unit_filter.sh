#!/bin/sh
# The scan workers under the systemd unit's own filter, where seccomp(2)
# is denied: the worker tests pass and every fixture gets the same report
# as in process (the workers' filter loads through prctl()).
set -u
deny=$top_builddir/tests/sandbox/deny_seccomp
status=0
if [ -x "$top_builddir/tests/sandbox/test_sandbox" ]; then
	"$deny" "$top_builddir/tests/sandbox/test_sandbox" || status=1
fi
"$deny" "$PICKLEWARDEN" scan --no-config --json --all \
	"$top_srcdir/tests/containers/fixtures" >"${TMPDIR:-/tmp}/pw-uuf.$$" 2>&1
"$PICKLEWARDEN" scan --no-config --json --all --no-sandbox \
	"$top_srcdir/tests/containers/fixtures" | cmp -s - "${TMPDIR:-/tmp}/pw-uuf.$$" || {
	echo "FAIL: reports differ under the unit's filter" >&2
	head -c 2000 "${TMPDIR:-/tmp}/pw-uuf.$$" >&2
	status=1
}
rm -f "${TMPDIR:-/tmp}/pw-uuf.$$"
exit $status
