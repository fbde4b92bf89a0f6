# policy/: the INI configuration (issue 4).
noinst_LIBRARIES += policy/libpolicy.a
policy_libpolicy_a_SOURCES = policy/placeholder.c
