# The audit's denylist is up to date for the installed libraries (issue 10).
EXTRA_DIST += tests/audit/check.sh scanner/data/audit/audit.py \
	scanner/data/audit/exclusions.txt scanner/data/audit/ts_ops.py
TESTS += tests/audit/check.sh
