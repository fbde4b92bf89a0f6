/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.h - telling the user that a file was quarantined: the
 * on_quarantine hook command and a desktop notification.
 *
 * Both run a program directly (posix_spawn with an argument vector: no
 * shell ever sees a file name), with a small fixed environment plus the
 * PICKLEWARDEN_* variables below, and are waited for with a time limit so
 * a stuck hook can neither pile up processes nor block the worker forever.
 */
#ifndef PW_AGENT_ALERT_H
#define PW_AGENT_ALERT_H

#include <stddef.h>

#include "policy/policy.h"

/* A hook still running after this is killed (SIGKILL). */
#define ALERT_HOOK_TIMEOUT_MS 30000
/* notify-send gets less: it only talks to the session bus. */
#define ALERT_NOTIFY_TIMEOUT_MS 5000
/* Arguments an on_quarantine command line may have. */
#define ALERT_MAX_ARGS 32

/* What happened.  Strings are borrowed; NULL means unknown (the variable
 * is then set to ""). Every value is escaped before it is exported. */
struct alert_event {
	const char *path;	/* PICKLEWARDEN_PATH: where the file was */
	const char *id;		/* PICKLEWARDEN_ID */
	const char *verdict;	/* PICKLEWARDEN_VERDICT */
	const char *sha256;	/* PICKLEWARDEN_SHA256 */
	const char *repo;	/* PICKLEWARDEN_REPO: "org/name" (HF cache) */
	const char *revision;	/* PICKLEWARDEN_REVISION */
	const char *file;	/* PICKLEWARDEN_FILE: "pytorch_model.bin" */
	const char *finding;	/* PICKLEWARDEN_FINDING: the worst finding */
	const char *summary;	/* PICKLEWARDEN_SUMMARY: the log's short line */
	const char *tombstone;	/* PICKLEWARDEN_TOMBSTONE: "yes"/"no" */
};

/* Runs policy->on_quarantine (when set) and the desktop notification
 * (when policy->desktop_notify and a session bus and notify-send are
 * there).  Failures are logged, never fatal. */
void alert_quarantined(const struct policy *policy,
		       const struct alert_event *e);

/* Splits a command line on blanks into argv (no quoting, no shell).
 * Returns the number of arguments, 0 when empty or too many; argv[n] is
 * NULL.  buf receives the split copy (cap >= strlen(cmd) + 1). */
size_t alert_split(const char *cmd, char *buf, size_t cap, char **argv,
		   size_t max);

#endif
