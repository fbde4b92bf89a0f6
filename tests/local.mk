# Tests: one cmocka binary per module, plus end-to-end scripts.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PICKLEWARDEN='$(abs_top_builddir)/picklewarden' PYTHON3='$(PYTHON3)'; \
	export top_srcdir top_builddir PICKLEWARDEN PYTHON3;
PW_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
PW_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -I$(top_srcdir)/scanner \
	-DTEST_SRCDIR='"$(abs_top_srcdir)/tests"' -DTEST_BUILDDIR='"$(abs_top_builddir)/tests"'

include tests/scanner.mk
include tests/containers.mk
include tests/policy.mk
include tests/watch.mk
include tests/sandbox.mk
