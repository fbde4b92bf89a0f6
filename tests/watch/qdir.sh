#!/bin/sh
# End-to-end watch test: see qdir.py.
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/watch/run.sh" qdir.py
