# Quarantine store, logging, decisions, check-config (issue 4).
agent_libagent_a_SOURCES += \
	agent/cmd_quarantine.c agent/cmd_check_config.c \
	agent/policy_bridge.c agent/policy_bridge.h \
	agent/log.c agent/log.h \
	agent/sha256.c agent/sha256.h \
	agent/quarantine_json.c agent/quarantine_json.h \
	agent/quarantine.c agent/quarantine.h \
	agent/decide.c agent/decide.h
