#!/bin/sh
# End-to-end watch test: see restart.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" restart.py
