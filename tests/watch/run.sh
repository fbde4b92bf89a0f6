#!/bin/sh
# Runs one end-to-end watch test (a python3-stdlib script next to this
# file).  python3 is required: a missing one FAILS the test, it does not
# skip it.
script=$1
if test -z "$PYTHON3"; then
	echo "python3 is required for $script (configure found none)" >&2
	exit 1
fi
if test ! -x "$PICKLEWARDEN"; then
	echo "PICKLEWARDEN ($PICKLEWARDEN) is not an executable" >&2
	exit 1
fi
exec "$PYTHON3" "$top_srcdir/tests/watch/$script"
