#!/bin/sh
# End-to-end watch test: see overflow.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" overflow.py
