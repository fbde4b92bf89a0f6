# Quarantine store, logging, check-config (issue 4).
agent_libagent_a_SOURCES += agent/cmd_quarantine.c
