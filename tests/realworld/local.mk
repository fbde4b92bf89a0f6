# Real files written by real libraries (issue 11).  check.sh generates the
# set into the build tree with the python3-* libraries Debian ships (never
# committed) and enforces its verdicts; rules.sh pins, with python3's
# standard library only, the rules the set needed next to what must stay
# malicious.
EXTRA_DIST += tests/realworld/gen.py tests/realworld/summary.py \
	tests/realworld/real-verdicts.txt tests/realworld/rules.py \
	tests/realworld/check.sh tests/realworld/rules.sh
TESTS += tests/realworld/rules.sh tests/realworld/check.sh
CLEANFILES += tests/realworld/scan.json
clean-local: clean-realworld
clean-realworld:
	-rm -rf tests/realworld/set tests/realworld/rules
.PHONY: clean-realworld
