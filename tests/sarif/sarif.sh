#!/bin/sh
# scan --sarif against the --json report and the SARIF 2.1.0 schema.
exec "${PYTHON3:-python3}" "$top_srcdir/tests/sarif/sarif.py"
