/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - the agent's one logging module: syslog (ident "picklewarden"),
 * and also stderr when running in the foreground.
 *
 * One line per decision, key=value fields, every file-derived string
 * escaped (agent/escape.h), so a hostile file name can neither break the
 * line nor forge fields.  Thread-safe: the watcher logs from its worker
 * threads.  The process-wide state (syslog is process-wide anyway) lives in
 * log.c only.  Before log_open, messages go to syslog with the default
 * ident and not to stderr.
 */
#ifndef PW_AGENT_LOG_H
#define PW_AGENT_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

/* Longest line we emit; longer fields are truncated with "...". */
#define LOG_LINE_MAX 2048
/* Findings quoted in a decision line (the rest are counted). */
#define LOG_TOP_FINDINGS 3

/*
 * Opens the log.  ident is copied ("picklewarden"); facility is a LOG_*
 * facility (LOG_USER, LOG_DAEMON, LOG_LOCAL0, ...); foreground also copies
 * every line to stderr.  May be called again to change the settings.
 * Returns 0 (openlog cannot fail).
 */
int log_open(const char *ident, int facility, bool foreground);
void log_close(void);

/* Who opened a file (the guard's decisions name the process). */
struct log_opener {
	long pid;
	long uid;		/* real uid, -1 when unknown */
	const char *exe;	/* /proc/PID/exe, or NULL */
	const char *cmdline;	/* head of /proc/PID/cmdline, NUL bytes
				   turned into spaces, or NULL */
};

/* What one decision line says.  Strings are borrowed; NULL leaves the
 * field out. */
struct log_decision {
	const char *action;	/* "quarantine", "log", "trusted",
				   "quarantine-failed" */
	const char *path;	/* the file, as the caller names it */
	const char *sha256;	/* 64 hex digits, or NULL */
	const struct scan_result *result; /* verdict, format, findings */
	const char *quarantine_id;	/* the store entry, or NULL */
	const char *error;	/* why the action failed, or NULL */
	const char *signature;	/* the model-signature finding (signed by
				   whom, tampered, unsigned), or NULL */
	const char *answer;	/* the guard's "allow"/"deny", or NULL */
	const struct log_opener *opener; /* the guard's opener, or NULL */
};

/*
 * Formats a decision line (without a trailing newline) into buf:
 *   decision action=quarantine verdict=malicious path="/x/y" sha256=...
 *   format=pickle id=... findings=3 top="malicious import posix.system
 *   @12: reason; ..." error="..."
 * Always one line, always NUL-terminated (cap > 0); truncates with "...".
 * Returns the syslog priority the line should have (LOG_WARNING for a
 * malicious verdict, LOG_ERR when the action failed, ...).
 */
int log_format_decision(const struct log_decision *d, char *buf, size_t cap);

/* Formats and emits one decision line. */
void log_decision(const struct log_decision *d);

/* True when log_open found no /dev/log: lines go to stderr instead (and
 * to the [log] file).  The caller says so once at start. */
bool log_syslog_missing(void);
/* Also appends every line (with a time stamp) to path; NULL stops.
 * Returns 0, or -1 with errno when the file cannot be opened. */
int log_set_file(const char *path);

/*
 * Free-form messages.  The caller escapes any file-derived string it
 * passes (escape_text); the message is still forced onto one line.
 */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At any syslog priority (LOG_WARNING, LOG_NOTICE, LOG_DEBUG...). */
void log_at(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
