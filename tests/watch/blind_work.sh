#!/bin/sh
# End-to-end watch test: see blind_work.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" blind_work.py
