# agent/guard/: `picklewarden guard`, fanotify permission events (issue 14).
agent_libagent_a_SOURCES += \
	agent/guard/cmd_guard.c \
	agent/guard/guard.c agent/guard/guard.h agent/guard/guard_int.h \
	agent/guard/guard_job.c \
	agent/guard/guard_marks.c \
	agent/guard/guard_opener.c \
	agent/guard/guard_table.c
