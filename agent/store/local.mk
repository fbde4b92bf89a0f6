# agent/store/: the quarantine store and its records, SHA-256, the
# decision log, and the escaping of untrusted strings for output.
agent_libagent_a_SOURCES += \
	agent/store/escape.c agent/store/escape.h \
	agent/store/log.c agent/store/log.h \
	agent/store/sha256.c agent/store/sha256.h \
	agent/store/quarantine_json.c agent/store/quarantine_json.h \
	agent/store/quarantine.c agent/store/quarantine.h
