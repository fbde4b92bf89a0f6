/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write.c - the effective configuration written back as INI (what
 * `picklewarden check-config` prints); it loads back to the same policy.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "policy/ini.h"
#include "policy/policy.h"

/* A path value as the loader reads it back: '$' doubled, and a path that
 * ends in a blank (a directory named " ") or a '\' given a trailing '/':
 * the reader trims blanks at the edges of a value or list item and refuses
 * a line ending in '\' (a continuation), and it drops the '/' when it
 * normalises the path, which gives back exactly this one. */
void
policy_write_path(FILE *out, const char *s)
{
	size_t n = strlen(s);

	for (; *s; s++) {
		if (*s == '$')
			fputc('$', out);
		fputc(*s, out);
	}
	if (n > 0 && (isspace((unsigned char)s[-1]) || s[-1] == '\\'))
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
	policy_write_path(out, s);
	if (quote)
		fputc('"', out);
}

/* Values with ';' or '#' are quoted: iniparser ends an unquoted value
 * there.  So is a list whose last item ends in '\' and is not a path
 * (a pattern such as "x\"), which would otherwise end the line with a
 * continuation the reader refuses. */
static void
write_list(FILE *out, const char *key, const struct policy_strv *sv,
	   bool paths)
{
	bool quote = false;
	int q = '"';
	size_t i;

	for (i = 0; i < sv->n; i++)
		quote |= strpbrk(sv->v[i], ";#") != NULL;
	if (sv->n > 0) {
		const char *last = sv->v[sv->n - 1];
		size_t n = strlen(last);

		quote |= n > 0 && last[n - 1] == '\\' &&
			 !(paths && last[0] == '/');
	}
	/* The quote no item holds (a value read from a file that needed
	 * quoting lacks one of them; one that lacks neither is refused when
	 * loaded: policy_write_fits). */
	for (i = 0; quote && q == '"' && i < sv->n; i++)
		if (strchr(sv->v[i], '"'))
			q = '\'';
	fprintf(out, "%s = ", key);
	if (quote)
		fputc(q, out);
	for (i = 0; i < sv->n; i++) {
		if (i)
			fputs(", ", out);
		if (paths && sv->v[i][0] == '/')
			policy_write_path(out, sv->v[i]);
		else
			fputs(sv->v[i], out);
	}
	if (quote)
		fputc(q, out);
	fputc('\n', out);
}

/* Free text (a command line) as the reader gives it back: quoted when it
 * holds ';' or '#' (a comment unquoted) or ends in '\' (a continuation),
 * with the quote it does not contain (a value read from a file that needs
 * quoting was quoted, so it lacks at least one of the two). */
static void
write_text(FILE *out, const char *s)
{
	size_t n = strlen(s);
	int q = 0;

	if (strpbrk(s, ";#") || (n > 0 && s[n - 1] == '\\'))
		q = strchr(s, '"') ? '\'' : '"';
	if (q)
		fputc(q, out);
	fputs(s, out);
	if (q)
		fputc(q, out);
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
	if (p->on_quarantine) {
		fputs("on_quarantine = ", out);
		write_text(out, p->on_quarantine);
		fputc('\n', out);
	}
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

/*
 * Whether policy_write's output loads back: a list that fits as written
 * may not once "~" and $VARS are expanded (and '$' doubled), and a value
 * may hold what no quoting can give back (both quote characters and a
 * final '\').  check-config must never print a file nobody can use.
 * Returns 1 when it parses, 0 when not (section and key name the first
 * bad line, *too_long says whether it was the line's length), -1 when
 * memory ran out.
 */
int
policy_write_fits(const struct policy *p, char *section, size_t section_cap,
		  char *key, size_t key_cap, bool *too_long)
{
	struct policy_ini *ini = NULL;
	struct policy_error err;
	char *buf = NULL, *line, *next;
	const char *cur = "";
	size_t len = 0;
	unsigned no = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return -1;
	if (policy_write(p, f) != 0) {
		fclose(f);
		free(buf);
		return -1;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	memset(&err, 0, sizeof(err));
	if (policy_ini_parse(buf, len, "dump", &ini, &err) == 0) {
		policy_ini_free(ini);
		free(buf);
		return 1;
	}
	if (errno == ENOMEM) {
		free(buf);
		return -1;
	}
	*too_long = false;
	section[0] = key[0] = '\0';
	for (line = buf; line < buf + len; line = next) {
		char *eol = memchr(line, '\n', (size_t)(buf + len - line));
		size_t n;

		eol = eol ? eol : buf + len;
		next = eol + 1;
		n = (size_t)(eol - line);
		if (++no == err.line) {
			const char *eq = memchr(line, ' ', n);
			size_t cl = strlen(cur);

			/* "[watch]" -> "watch"; "roots = ..." -> "roots" */
			snprintf(section, section_cap, "%.*s",
				 (int)(cl >= 2 ? cl - 2 : 0), cl >= 2 ? cur + 1 : cur);
			snprintf(key, key_cap, "%.*s",
				 (int)(eq ? (size_t)(eq - line) : 0), line);
			*too_long = n > POLICY_MAX_LINE;
			break;
		}
		if (n > 0 && line[0] == '[') {
			*eol = '\0';
			cur = line;
		}
	}
	free(buf);
	return 0;
}
