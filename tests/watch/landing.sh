#!/bin/sh
# End-to-end watch test: see landing.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" landing.py
