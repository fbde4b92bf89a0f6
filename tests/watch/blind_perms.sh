#!/bin/sh
# End-to-end watch test: see blind_perms.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" blind_perms.py
