# agent/watch/: the watching agent (`picklewarden watch`).
# inotify_backend.c is the only file that includes libinotifytools.
agent_libagent_a_SOURCES += \
	agent/watch/watch.c agent/watch/watch.h agent/watch/watch_int.h \
	agent/watch/watch_events.c agent/watch/watch_roots.c \
	agent/watch/watch_config.c agent/watch/watch_config.h \
	agent/watch/watch_job.c agent/watch/watch_job.h \
	agent/watch/watch_retry.c agent/watch/watch_retry.h \
	agent/watch/watch_names.c agent/watch/watch_names.h \
	agent/watch/watch_table.c agent/watch/watch_table.h \
	agent/watch/watch_walk.c agent/watch/watch_walk.h \
	agent/watch/watch_timers.c agent/watch/watch_fdpath.c \
	agent/watch/watch_fdpath.h \
	agent/watch/inotify_backend.c agent/watch/inotify_backend.h \
	agent/watch/notify.c agent/watch/notify.h \
	agent/watch/vcache.c agent/watch/vcache.h \
	agent/watch/workqueue.c agent/watch/workqueue.h
# One agent per user, `picklewarden status`, SIGUSR1 (issue 15).
agent_libagent_a_SOURCES += \
	agent/watch/agent_lock.c agent/watch/agent_lock.h \
	agent/watch/watch_status.c \
	agent/watch/landing.c agent/watch/landing.h \
	agent/watch/watch_hfname.c
