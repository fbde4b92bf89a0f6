/*
 * hook.c - the test-only stop points of a quarantine move, linked only
 * into tests/faults/picklewarden-hooked (built with -DPW_TEST_HOOKS; the
 * installed picklewarden has no such code and reads no such variable).
 *
 *   PICKLEWARDEN_TEST_STOP_AT_STEP=N   raise(SIGKILL) right after step N
 *   PICKLEWARDEN_TEST_PAUSE_AT_STEP=N  raise(SIGSTOP) there (the test
 *                                      changes something, then SIGCONT)
 *
 * Steps are enum quarantine_step (agent/store/quarantine_int.h).
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "agent/store/quarantine_int.h"

static int
step_of(const char *name)
{
	const char *v = getenv(name);

	return v ? atoi(v) : 0;
}

void
quarantine_test_step(enum quarantine_step step)
{
	if (step_of("PICKLEWARDEN_TEST_PAUSE_AT_STEP") == (int)step)
		raise(SIGSTOP);
	if (step_of("PICKLEWARDEN_TEST_STOP_AT_STEP") == (int)step)
		raise(SIGKILL);
}
