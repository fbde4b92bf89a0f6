#!/bin/sh
# End-to-end: no scan worker can start under watch (see watch_no_worker.py), with the
# test-hook build of the agent.
PICKLEWARDEN="$top_builddir/tests/sandbox/picklewarden-hooks"
export PICKLEWARDEN
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" \
	../sandbox/watch_no_worker.py
