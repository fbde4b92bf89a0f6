# The watching agent (issue 5): `picklewarden watch`.
# inotify_backend.c is the only file that includes libinotifytools.
agent_libagent_a_SOURCES += \
	agent/cmd_watch.c \
	agent/watch.c agent/watch.h agent/watch_int.h \
	agent/watch_events.c agent/watch_roots.c \
	agent/watch_config.c agent/watch_config.h \
	agent/watch_job.c agent/watch_job.h \
	agent/watch_names.c agent/watch_names.h \
	agent/watch_table.c agent/watch_table.h \
	agent/watch_walk.c agent/watch_walk.h \
	agent/inotify_backend.c agent/inotify_backend.h \
	agent/notify.c agent/notify.h \
	agent/vcache.c agent/vcache.h \
	agent/workqueue.c agent/workqueue.h
