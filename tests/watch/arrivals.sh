#!/bin/sh
# End-to-end watch test: see arrivals.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" arrivals.py
