#!/bin/sh
# End-to-end watch test: see late_root.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" late_root.py
