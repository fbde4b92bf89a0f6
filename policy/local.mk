# policy/: the INI configuration (issue 4).  Uses nothing else of ours.
noinst_LIBRARIES += policy/libpolicy.a
policy_libpolicy_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
policy_libpolicy_a_SOURCES = \
	policy/policy.c policy/policy.h \
	policy/paths.c policy/paths.h \
	policy/policy_signing.c policy/policy_signing.h
