# agent/sandbox/: scan workers (issue 13).  Untrusted files are parsed in
# forked, locked-down worker processes; the agent only validates results.
agent_libagent_a_SOURCES += \
	agent/sandbox/sandbox.h \
	agent/sandbox/pool.c agent/sandbox/pool_internal.h \
	agent/sandbox/lane.c \
	agent/sandbox/worker.c agent/sandbox/warmup_7z.h \
	agent/sandbox/wire.c agent/sandbox/wire.h \
	agent/sandbox/scan_result.c agent/sandbox/scan_result.h \
	agent/sandbox/client.c agent/sandbox/client.h
agent_libagent_a_CPPFLAGS += $(LIBSECCOMP_CFLAGS)
PW_AGENT_LIBS += $(LIBSECCOMP_LIBS)
