# Tests for installing and integrating picklewarden (issue 16): SARIF
# output, the man pages, and the user unit under a real systemd.

EXTRA_DIST += tests/sarif/sarif.sh tests/sarif/sarif.py \
	tests/sarif/sarif-schema-2.1.0.json tests/sarif/ORIGIN
TESTS += tests/sarif/sarif.sh

EXTRA_DIST += tests/man/lint.sh
TESTS += tests/man/lint.sh

# A real `systemd --user` in a private mount namespace (root only; skips
# with the reason elsewhere).  About 5 s.
EXTRA_DIST += tests/systemd/user-unit.sh
TESTS += tests/systemd/user-unit.sh

# Build-Depends cover what configure and the tests look for.
EXTRA_DIST += tests/debian/build-depends.sh
TESTS += tests/debian/build-depends.sh
