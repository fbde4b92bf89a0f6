# agent/store/: the quarantine store and its records, SHA-256, the
# decision log, the escaping of untrusted strings for output, and the
# agent's one strict JSON reader (records here, signature bundles in
# signing/, which may use store/ helpers; store/ never uses signing/).
agent_libagent_a_SOURCES += \
	agent/store/escape.c agent/store/escape.h \
	agent/store/utf8.c agent/store/utf8.h \
	agent/store/hex.c agent/store/hex.h \
	agent/store/log.c agent/store/log.h \
	agent/store/sha256.c agent/store/sha256.h \
	agent/store/json_reader.c agent/store/json_reader.h \
	agent/store/json_writer.c agent/store/json_writer.h \
	agent/store/quarantine.c agent/store/quarantine.h \
	agent/store/quarantine_int.h \
	agent/store/quarantine_record.c \
	agent/store/quarantine_move.c \
	agent/store/quarantine_restore.c \
	agent/store/quarantine_stage.c \
	agent/store/quarantine_recover.c
# Hugging Face cache paths, tombstones, one copy per digest (issue 15).
agent_libagent_a_SOURCES += \
	agent/store/hf.c agent/store/hf.h \
	agent/store/tombstone.c agent/store/tombstone.h \
	agent/store/quarantine_dedup.c agent/store/quarantine_dedup.h \
	agent/store/quarantine_prefix.c agent/store/quarantine_prefix.h
