# Tests: one cmocka binary per module, plus end-to-end scripts.
# One rule for where they live: the tests of a component are in
# tests/<component>/ and declared in tests/<component>.mk (policy/ in
# policy.mk, agent/store/ in store.mk, agent/watch/ in watch.mk, ...).
# A test that needs an optional tool (python3, ...) exits 77 (skip) and
# says which tool is missing.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PICKLEWARDEN='$(abs_top_builddir)/picklewarden' PYTHON3='$(PYTHON3)'; \
	export top_srcdir top_builddir PICKLEWARDEN PYTHON3;
PW_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
PW_TEST_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir) -iquote $(top_srcdir)/scanner \
	-DTEST_SRCDIR='"$(abs_top_srcdir)/tests"' -DTEST_BUILDDIR='"$(abs_top_builddir)/tests"'

include tests/scanner.mk
include tests/containers.mk
include tests/policy.mk
include tests/store.mk
include tests/watch.mk
include tests/evasions/local.mk
