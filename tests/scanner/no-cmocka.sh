#!/bin/sh
# Registered instead of the cmocka tests when configure found no cmocka.
echo "FAIL: cmocka (libcmocka-dev) was not found; the scanner unit tests were not built" >&2
exit 1
