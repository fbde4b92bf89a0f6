/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write.c - the effective configuration written back as INI (what
 * `picklewarden check-config` prints); it loads back to the same policy.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

/* A path value as the loader reads it back: '$' doubled, and a path that
 * ends in a blank (a directory named " ") given a trailing '/': the reader
 * trims blanks at the edges of a value or list item, and drops the '/'
 * when it normalises the path, which gives back exactly this one. */
static void
write_path(FILE *out, const char *s)
{
	size_t n = strlen(s);

	for (; *s; s++) {
		if (*s == '$')
			fputc('$', out);
		fputc(*s, out);
	}
	if (n > 0 && (s[-1] == ' ' || s[-1] == '\t'))
		fputc('/', out);
}

/* A single path value, quoted when it holds ';' or '#' (iniparser ends an
 * unquoted value there). */
static void
write_path_value(FILE *out, const char *s)
{
	bool quote = strpbrk(s, ";#") != NULL;

	if (quote)
		fputc('"', out);
	write_path(out, s);
	if (quote)
		fputc('"', out);
}

/* Values with ';' or '#' are quoted: iniparser ends an unquoted value
 * there. */
static void
write_list(FILE *out, const char *key, const struct policy_strv *sv,
	   bool paths)
{
	bool quote = false;
	size_t i;

	for (i = 0; i < sv->n; i++)
		quote |= strpbrk(sv->v[i], ";#") != NULL;
	fprintf(out, "%s = %s", key, quote ? "\"" : "");
	for (i = 0; i < sv->n; i++) {
		if (i)
			fputs(", ", out);
		if (paths && sv->v[i][0] == '/')
			write_path(out, sv->v[i]);
		else
			fputs(sv->v[i], out);
	}
	fprintf(out, "%s\n", quote ? "\"" : "");
}

int
policy_write(const struct policy *p, FILE *out)
{
	size_t i, v;

	/* The source is a path: keep the comment on one line. */
	fputs("; effective configuration, from ", out);
	for (i = 0; p->source[i]; i++)
		fputc((unsigned char)p->source[i] < 0x20 ? '?' : p->source[i],
		      out);
	fputc('\n', out);
	fputs("\n[watch]\n", out);
	write_list(out, "roots", &p->roots, true);
	write_list(out, "exclude", &p->exclude, true);
	write_list(out, "rescan_interval", &p->rescan_interval, true);
	fputs("\n[actions]\n", out);
	for (v = 0; v < POLICY_VERDICT_COUNT; v++)
		fprintf(out, "%s = %s\n", policy_verdict_name(v),
			policy_action_name(p->action[v]));
	fprintf(out, "error_unreadable = %s\n",
		policy_action_name(p->error_unreadable));
	fputs("\n[globals]\n", out);
	write_list(out, "allow", &p->allow_globals, false);
	write_list(out, "deny", &p->deny_globals, false);
	fputs("\n[trusted]\n", out);
	for (i = 0; i < p->trusted_sha256.n; i++)
		fprintf(out, "%s = %s\n", p->trusted_labels.v[i],
			p->trusted_sha256.v[i]);
	fputs("\n[limits]\n", out);
	for (i = 0; i < p->n_limits; i++)
		fprintf(out, "%s = %llu\n", p->limits[i].name,
			(unsigned long long)p->limits[i].value);
	fputs("\n[quarantine]\ndirectory = ", out);
	write_path_value(out, p->quarantine_dir);
	fprintf(out, "\ntombstone = %s\n", p->tombstone ? "yes" : "no");
	fprintf(out, "\n[log]\nfacility = %s\n", p->syslog_facility_name);
	if (p->log_file) {
		fputs("file = ", out);
		write_path_value(out, p->log_file);
		fputc('\n', out);
	}
	fprintf(out, "\n[agent]\nworkers = %u\nqueue_length = %u\n"
		"watchdog_sec = %u\nstate_dir = ", p->workers,
		p->queue_length, p->watchdog_sec);
	write_path_value(out, p->state_dir);
	fputc('\n', out);
	if (p->on_quarantine)
		fprintf(out, "on_quarantine = %s\n", p->on_quarantine);
	fprintf(out, "desktop_notify = %s\n",
		p->desktop_notify ? "yes" : "no");
	fprintf(out, "sandbox = %s\nworker_memory = %u\n"
		"worker_cpu_seconds = %u\nworker_scans = %u\n"
		"scan_deadline = %u\n", p->sandbox ? "yes" : "no",
		p->worker_memory, p->worker_cpu_seconds, p->worker_scans,
		p->scan_deadline);
	if (p->worker_user)
		fprintf(out, "worker_user = %s\n", p->worker_user);
	fputs("\n[guard]\n", out);
	write_list(out, "paths", &p->guard_paths, true);
	if (p->guard_timeout_ms % 1000 == 0)
		fprintf(out, "timeout = %us\n", p->guard_timeout_ms / 1000);
	else
		fprintf(out, "timeout = %ums\n", p->guard_timeout_ms);
	fprintf(out, "on_timeout = %s\non_error = %s\nquarantine = ",
		policy_answer_name(p->guard_on_timeout),
		policy_answer_name(p->guard_on_error));
	write_path_value(out, p->guard_quarantine_dir);
	fprintf(out, "\nworkers = %u\n", p->guard_workers);
	policy_signing_write(&p->signing, out);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
