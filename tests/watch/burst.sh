#!/bin/sh
# End-to-end watch test: see burst.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" burst.py
