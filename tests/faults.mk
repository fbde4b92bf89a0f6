# Fault tests for the quarantine store and the watcher (issue 12): kills at
# every step of a move, full/read-only/missing/symlinked stores, files
# still being written, swaps between check and rename, restores through
# symlinked directories.  They need root and unshare(1) for private mount
# namespaces (tmpfs stores for ENOSPC and EXDEV) and skip (77) otherwise.
#
# picklewarden-hooked is the agent with the test stop points of
# tests/faults/hook.c compiled in (-DPW_TEST_HOOKS): only quarantine_move.c
# is built again with them; the linker then takes every other module from
# libagent.a, whose own quarantine_move.o is not pulled in.
check_PROGRAMS += tests/faults/picklewarden-hooked
tests_faults_picklewarden_hooked_SOURCES = agent/cli/main.c \
	agent/store/quarantine_move.c tests/faults/hook.c
tests_faults_picklewarden_hooked_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) \
	-DPW_TEST_HOOKS
tests_faults_picklewarden_hooked_LDADD = $(PW_AGENT_LIBS)

PW_FAULT_TESTS = tests/faults/kill_steps.sh tests/faults/store_faults.sh \
	tests/faults/writers.sh tests/faults/swap.sh tests/faults/restore.sh \
	tests/faults/bursts.sh
TESTS += $(PW_FAULT_TESTS)
dist_noinst_SCRIPTS += $(PW_FAULT_TESTS)
EXTRA_DIST += tests/faults/lib.sh
