# agent/: the picklewarden program.  Everything but main.c goes into a
# convenience library so tests can link the agent's modules.  Each
# sub-folder appends its files to agent_libagent_a_SOURCES from its own
# local.mk:
#   cli/    the commands and their output (main, cmd_*, report, decide)
#   watch/  the watcher (inotify backend, work queue, verdict cache, notify)
#   store/  the quarantine store, SHA-256, the log and output escaping
# watch/ also uses cli/decide.h, cli/scanfile.h and cli/policy_bridge.h
# (the scan command and the watcher open files, build scanner options and
# act on verdicts the same way) and the exit statuses of cli/commands.h.
# store/ uses nothing else of the agent.
noinst_LIBRARIES += agent/libagent.a
agent_libagent_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
agent_libagent_a_SOURCES =
bin_PROGRAMS += picklewarden
picklewarden_SOURCES = agent/cli/main.c
picklewarden_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
PW_AGENT_LIBS = agent/libagent.a policy/libpolicy.a $(PW_SCANNER_LIBS) \
	$(INIPARSER_LIBS) $(INOTIFYTOOLS_LIBS) $(LIBCRYPTO_LIBS) $(PTHREAD_LIBS)
picklewarden_LDADD = $(PW_AGENT_LIBS)

include agent/cli/local.mk
include agent/watch/local.mk
include agent/store/local.mk
include agent/signing/local.mk
include agent/guard/local.mk
include agent/sandbox/local.mk
