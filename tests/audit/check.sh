#!/bin/sh
# make check: the denylist found by auditing code (scanner/data/audit) is
# what audit.py finds in the libraries installed here.  Skips (77) when the
# interpreter or the package versions differ from the ones recorded in the
# file's header (another distribution release): regenerate there with
#   /usr/bin/python3 scanner/data/audit/audit.py scanner/data/audit-denylist.txt
set -u
: "${top_srcdir:?run through make check}"
py=/usr/bin/python3
if [ ! -x "$py" ]; then
	echo "SKIP: no /usr/bin/python3 to run the audit"
	exit 77
fi
PYTHONDONTWRITEBYTECODE=1 "$py" -W ignore "$top_srcdir/scanner/data/audit/audit.py" \
	--check "$top_srcdir/scanner/data/audit-denylist.txt" </dev/null 2>/dev/null
