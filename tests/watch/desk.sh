#!/bin/sh
# End-to-end watch test: see desk.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" desk.py
