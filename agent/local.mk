# agent/: the picklewarden program.  Everything but main.c goes into a
# convenience library so tests can link the agent's modules.
noinst_LIBRARIES += agent/libagent.a
agent_libagent_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
agent_libagent_a_SOURCES = \
	agent/commands.h \
	agent/escape.c agent/escape.h \
	agent/scanfile.c agent/scanfile.h \
	agent/report.c agent/report.h \
	agent/cmd_scan.c
bin_PROGRAMS += picklewarden
picklewarden_SOURCES = agent/main.c
picklewarden_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
PW_AGENT_LIBS = agent/libagent.a policy/libpolicy.a $(PW_SCANNER_LIBS) \
	$(INIPARSER_LIBS) $(INOTIFYTOOLS_LIBS) $(LIBCRYPTO_LIBS) $(PTHREAD_LIBS)
picklewarden_LDADD = $(PW_AGENT_LIBS)

include agent/quarantine.mk
include agent/watch.mk
include agent/sandbox/local.mk
