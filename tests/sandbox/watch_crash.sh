#!/bin/sh
# End-to-end: a worker crash under watch (see watch_crash.py), with the
# test-hook build of the agent.
PICKLEWARDEN="$top_builddir/tests/sandbox/picklewarden-hooks"
export PICKLEWARDEN
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" \
	../sandbox/watch_crash.py
