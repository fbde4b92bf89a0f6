#!/bin/sh
# End-to-end watch test: see blind_events.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" blind_events.py
