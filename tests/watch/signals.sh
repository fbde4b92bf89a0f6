#!/bin/sh
# End-to-end watch test: see signals.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" signals.py
