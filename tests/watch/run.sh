#!/bin/sh
# Runs one end-to-end watch test (a python3-stdlib script next to this
# file).  Without python3 the test is skipped (exit 77) and says why; CI
# installs python3 (packaging/quickstart.sh), so there it always runs.
script=$1
if test -z "$PYTHON3"; then
	echo "SKIP: python3 is required for $script (configure found none)" >&2
	exit 77
fi
if test ! -x "$PICKLEWARDEN"; then
	echo "PICKLEWARDEN ($PICKLEWARDEN) is not an executable" >&2
	exit 1
fi
exec "$PYTHON3" "$top_srcdir/tests/watch/$script"
