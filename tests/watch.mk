# tests for watch (issue 5): one cmocka binary per module of the agent,
# then end-to-end scripts that drive the real binary on real inotify.
PW_WATCH_TEST_LDADD = agent/libagent.a $(PTHREAD_LIBS) $(CMOCKA_LIBS)

EXTRA_DIST += \
	tests/watch/watchlib.py \
	tests/watch/arrivals.py tests/watch/arrivals.sh \
	tests/watch/burst.py tests/watch/burst.sh \
	tests/watch/overflow.py tests/watch/overflow.sh \
	tests/watch/restart.py tests/watch/restart.sh \
	tests/watch/late_root.py tests/watch/late_root.sh \
	tests/watch/signals.py tests/watch/signals.sh \
	tests/watch/qdir.py tests/watch/qdir.sh \
	tests/watch/blind_events.py tests/watch/blind_events.sh \
	tests/watch/blind_perms.py tests/watch/blind_perms.sh \
	tests/watch/blind_cache.py tests/watch/blind_cache.sh \
	tests/watch/blind_names.py tests/watch/blind_names.sh \
	tests/watch/blind_degrade.py tests/watch/blind_degrade.sh \
	tests/watch/blind_work.py tests/watch/blind_work.sh \
	tests/watch/desk.py tests/watch/desk.sh \
	tests/watch/landing.py tests/watch/landing.sh \
	tests/watch/run.sh \
	tests/bench/watch-latency.sh tests/bench/watch-latency.py

if HAVE_CMOCKA
PW_WATCH_UNITS = \
	tests/watch/test_vcache \
	tests/watch/test_workqueue \
	tests/watch/test_watch_names \
	tests/watch/test_watch_table \
	tests/watch/test_watch_walk \
	tests/watch/test_notify \
	tests/watch/test_landing
check_PROGRAMS += $(PW_WATCH_UNITS)
TESTS += $(PW_WATCH_UNITS)

tests_watch_test_vcache_SOURCES = tests/watch/test_vcache.c
tests_watch_test_vcache_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_vcache_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_vcache_LDADD = $(PW_WATCH_TEST_LDADD)

tests_watch_test_workqueue_SOURCES = tests/watch/test_workqueue.c
tests_watch_test_workqueue_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_workqueue_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_workqueue_LDADD = $(PW_WATCH_TEST_LDADD)

tests_watch_test_watch_names_SOURCES = tests/watch/test_watch_names.c
tests_watch_test_watch_names_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_watch_names_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_watch_names_LDADD = $(PW_WATCH_TEST_LDADD)

tests_watch_test_watch_table_SOURCES = tests/watch/test_watch_table.c
tests_watch_test_watch_table_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_watch_table_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_watch_table_LDADD = $(PW_WATCH_TEST_LDADD)

tests_watch_test_watch_walk_SOURCES = tests/watch/test_watch_walk.c
tests_watch_test_watch_walk_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_watch_walk_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_watch_walk_LDADD = $(PW_WATCH_TEST_LDADD)

tests_watch_test_notify_SOURCES = tests/watch/test_notify.c
tests_watch_test_notify_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_notify_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_notify_LDADD = $(PW_WATCH_TEST_LDADD)
tests_watch_test_landing_SOURCES = tests/watch/test_landing.c
tests_watch_test_landing_CPPFLAGS = $(PW_TEST_CPPFLAGS)
tests_watch_test_landing_CFLAGS = $(PW_TEST_CFLAGS)
tests_watch_test_landing_LDADD = agent/libagent.a $(PW_SCANNER_LIBS) \
	$(PTHREAD_LIBS) $(CMOCKA_LIBS)
endif

# End to end: the real binary, real inotify, HOME in a temporary
# directory.  They need python3 and skip (77, saying why) without it.
TESTS += \
	tests/watch/arrivals.sh \
	tests/watch/burst.sh \
	tests/watch/overflow.sh \
	tests/watch/restart.sh \
	tests/watch/late_root.sh \
	tests/watch/signals.sh \
	tests/watch/qdir.sh \
	tests/watch/blind_events.sh \
	tests/watch/blind_perms.sh \
	tests/watch/blind_cache.sh \
	tests/watch/blind_names.sh \
	tests/watch/blind_degrade.sh \
	tests/watch/blind_work.sh \
	tests/watch/desk.sh \
	tests/watch/landing.sh
