/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - syslog and stderr output.  syslog is process-wide, so this file
 * holds the agent's only logging state, behind one mutex.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"

/* Room for escaped file-derived fields inside one line: a path escapes to
 * at most 4x its bytes; we keep the head of very long ones. */
#define LOG_PATH_MAX 1024
#define LOG_FINDING_MAX 256

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static bool log_foreground;
/* openlog keeps the pointer it is given: the ident must outlive it. */
static char log_ident[64] = "picklewarden";
/* No /dev/log (containers, WSL): syslog() would drop every line, so
 * they go to stderr instead (the journal, under systemd). */
static bool log_no_syslog;
/* [log] file: every line is appended there too. */
static int log_file_fd = -1;

int
log_open(const char *ident, int facility, bool foreground)
{
	pthread_mutex_lock(&log_lock);
	snprintf(log_ident, sizeof(log_ident), "%s",
		 ident ? ident : "picklewarden");
	log_foreground = foreground;
	{
		struct stat st;

		log_no_syslog = stat("/dev/log", &st) != 0 ||
				!S_ISSOCK(st.st_mode);
	}
	openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	closelog();
	log_foreground = false;
	if (log_file_fd >= 0)
		close(log_file_fd);
	log_file_fd = -1;
	pthread_mutex_unlock(&log_lock);
}

/* Emits one finished line at a priority. */
static void
emit(int prio, const char *line)
{
	static const char *const level[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};

	pthread_mutex_lock(&log_lock);
	if (!log_no_syslog)
		syslog(prio, "%s", line);
	if (log_file_fd >= 0) {
		char stamp[32], out[LOG_LINE_MAX + 128];
		time_t now = time(NULL);
		struct tm tm;
		int n;

		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z",
			 localtime_r(&now, &tm));
		n = snprintf(out, sizeof(out), "%s %s[%ld]: %s: %s\n", stamp,
			     log_ident, (long)getpid(),
			     level[LOG_PRI(prio) & 7], line);
		if (n > 0)
			/* One write per line, O_APPEND: lines never mix. */
			(void)!write(log_file_fd, out,
				     (size_t)n < sizeof(out) ? (size_t)n
							     : sizeof(out) - 1);
	}
	/* The fallback to stderr keeps everything but debug lines. */
	if (log_foreground ||
	    (log_no_syslog && LOG_PRI(prio) != LOG_DEBUG))
		/* One fprintf per line: stdio locks the stream per call, and
		 * our mutex orders the lines. */
		fprintf(stderr, "%s: %s: %s\n", log_ident,
			level[LOG_PRI(prio) & 7], line);
	pthread_mutex_unlock(&log_lock);
}

/* Appends to buf with snprintf semantics, never past cap. */
static void
append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= cap - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	*n = (size_t)w >= cap - *n ? cap - 1 : *n + (size_t)w;
}

/* Appends " key=\"<escaped s>\"" with the escaped text capped at max. */
static void
append_quoted(char *buf, size_t cap, size_t *n, const char *key,
	      const char *s, size_t max)
{
	char esc[LOG_PATH_MAX];

	if (max > sizeof(esc))
		max = sizeof(esc);
	escape_text_buf(s, esc, max);
	append(buf, cap, n, " %s=\"%s\"", key, esc);
}

/* The worst findings first, as a raw (unescaped) one-line summary. */
static void
top_findings(const struct scan_result *res, char *out, size_t cap)
{
	size_t count = scan_result_finding_count(res), shown = 0, n = 0, i;
	int sev;

	out[0] = '\0';
	for (sev = PW_SEV_MALICIOUS; sev >= PW_SEV_INFO; sev--) {
		for (i = 0; i < count && shown < LOG_TOP_FINDINGS; i++) {
			const struct pw_finding *f = scan_result_finding(res, i);
			char one[LOG_FINDING_MAX];

			if (!f || (int)f->severity != sev)
				continue;
			snprintf(one, sizeof(one), "%s%s %s%s%s%s%s@%llu: %s",
				 shown ? "; " : "",
				 pw_severity_name(f->severity),
				 scan_kind_name(f->kind),
				 f->global ? " " : "",
				 f->global ? f->global : "",
				 f->location && f->location[0] ? " in " : "",
				 f->location ? f->location : "",
				 (unsigned long long)f->offset,
				 f->reason ? f->reason : "");
			append(out, cap, &n, "%s", one);
			shown++;
		}
	}
}

int
log_format_decision(const struct log_decision *d, char *buf, size_t cap)
{
	const struct scan_result *res = d->result;
	enum pw_verdict verdict = res ? scan_result_verdict(res) :
				  PW_VERDICT_ERROR;
	char top[LOG_FINDING_MAX * LOG_TOP_FINDINGS];
	size_t n = 0;
	int prio;

	if (cap == 0)
		return LOG_INFO;
	buf[0] = '\0';
	/* Our own words (action, verdict, format names, hex digest, ID) are
	 * bare; everything a file or the user could have chosen is quoted
	 * and escaped, so it can neither end the line nor fake a field. */
	append(buf, cap, &n, "decision action=%s",
	       d->action ? d->action : "none");
	if (res)
		append(buf, cap, &n, " verdict=%s", pw_verdict_name(verdict));
	append_quoted(buf, cap, &n, "path", d->path ? d->path : "",
		      LOG_PATH_MAX);
	if (d->sha256)
		append_quoted(buf, cap, &n, "sha256", d->sha256, 80);
	if (res) {
		append_quoted(buf, cap, &n, "format", scan_result_format(res),
			      64);
		append(buf, cap, &n, " findings=%zu",
		       scan_result_finding_count(res));
	}
	if (d->quarantine_id)
		append_quoted(buf, cap, &n, "id", d->quarantine_id, 80);
	if (d->error)
		append_quoted(buf, cap, &n, "error", d->error, 256);
	if (d->signature)
		append_quoted(buf, cap, &n, "signature", d->signature, 400);
	if (d->answer)
		append(buf, cap, &n, " answer=%s", d->answer);
	if (d->opener) {
		append(buf, cap, &n, " pid=%ld uid=%ld", d->opener->pid,
		       d->opener->uid);
		append_quoted(buf, cap, &n, "exe", d->opener->exe ?
			      d->opener->exe : "", 256);
		append_quoted(buf, cap, &n, "cmdline", d->opener->cmdline ?
			      d->opener->cmdline : "", 256);
	}
	if (res) {
		top_findings(res, top, sizeof(top));
		if (top[0])
			append_quoted(buf, cap, &n, "top", top, 600);
	}
	if (d->error)
		prio = LOG_ERR;
	else if (!res)
		prio = LOG_INFO;
	else if (verdict == PW_VERDICT_MALICIOUS ||
		 verdict == PW_VERDICT_ERROR)
		prio = LOG_WARNING;
	else if (verdict == PW_VERDICT_SUSPICIOUS)
		prio = LOG_NOTICE;
	else
		prio = LOG_INFO;
	return prio;
}

bool
log_syslog_missing(void)
{
	bool r;

	pthread_mutex_lock(&log_lock);
	r = log_no_syslog;
	pthread_mutex_unlock(&log_lock);
	return r;
}

int
log_set_file(const char *path)
{
	int fd = -1;

	if (path) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
				    O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
	}
	pthread_mutex_lock(&log_lock);
	if (log_file_fd >= 0)
		close(log_file_fd);
	log_file_fd = fd;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_decision(const struct log_decision *d)
{
	char line[LOG_LINE_MAX];
	int prio = log_format_decision(d, line, sizeof(line));

	emit(prio, line);
}

/* Free-form messages: the caller escaped file-derived parts; control
 * characters that remain (a caller's mistake) still cannot split the
 * line. */
static void
vlog(int prio, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char *p;

	vsnprintf(line, sizeof(line), fmt, ap);
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	emit(prio, line);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_at(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}
