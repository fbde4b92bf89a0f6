#!/bin/sh
# End-to-end test of `picklewarden verify`: see verify_cases.py.
: "${PYTHON3:=/usr/bin/python3}"
if ! "$PYTHON3" -c 'import cryptography' 2>/dev/null; then
	echo "SKIP: python3-cryptography is not installed (Debian package python3-cryptography)"
	exit 77
fi
exec "$PYTHON3" "$top_srcdir/tests/signing/verify_cases.py"
