# policy/: the INI configuration (issue 4).  Uses nothing else of ours.
# ini.c is the only file that includes iniparser.
noinst_LIBRARIES += policy/libpolicy.a
policy_libpolicy_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
policy_libpolicy_a_SOURCES = \
	policy/policy.c policy/policy.h policy/policy_int.h \
	policy/ini.c policy/ini.h \
	policy/values.c \
	policy/write.c \
	policy/paths.c policy/paths.h \
	policy/policy_signing.c policy/policy_signing.h
