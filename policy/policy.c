/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c - loading a configuration: files, strings and the search path
 * share one parse (ini.c), then every value is validated (values.c) into
 * a fresh policy that replaces nothing until it is complete.  Also the
 * built-in defaults and the queries on a loaded policy.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "policy/ini.h"
#include "policy/paths.h"
#include "policy/policy.h"
#include "policy/policy_int.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define DEFAULT_WORKERS 2
#define DEFAULT_WORKER_MEMORY 2048	/* MiB of address space per worker */
#define DEFAULT_WORKER_CPU 600		/* CPU seconds over a worker's life */
#define DEFAULT_WORKER_SCANS 1000	/* scans before a worker is replaced */
#define DEFAULT_SCAN_DEADLINE 120	/* seconds one file may take */
#define DEFAULT_GUARD_TIMEOUT_MS 30000 /* a 10 GB legacy checkpoint scans
					  in a few seconds; 30 s is slack */
#define DEFAULT_GUARD_QUARANTINE "/var/lib/picklewarden/quarantine"
#define DEFAULT_QUEUE_LENGTH 4096
#define DEFAULT_WATCHDOG_SEC 60

const char *const policy_limit_names[] = {
	"max_depth", "max_members", "max_decompressed", "max_ratio",
	"max_opcodes", "max_file_size", "max_findings", NULL,
};

/* The keys each section accepts; [trusted] and [limits] are special. */
static const char *const keys_watch[] = {"roots", "exclude",
					 "rescan_interval", NULL};
static const char *const keys_actions[] = {"clean", "suspicious", "error",
					   "malicious", "error_unreadable",
					   NULL};
static const char *const keys_globals[] = {"allow", "deny", NULL};
static const char *const keys_quarantine[] = {"directory", "tombstone",
					       NULL};
static const char *const keys_log[] = {"facility", "file", NULL};
static const char *const keys_agent[] = {"workers", "queue_length",
					 "watchdog_sec", "state_dir", "sandbox",
					 "worker_memory", "worker_cpu_seconds",
					 "worker_scans", "worker_user",
					 "scan_deadline", "on_quarantine",
					 "desktop_notify", NULL};
static const char *const keys_guard[] = {"paths", "timeout", "on_timeout",
					 "on_error", "quarantine", "workers",
					 NULL};

const char *const *const policy_section_keys[POLICY_SECTION_COUNT] = {
	[POLICY_SECTION_WATCH] = keys_watch,
	[POLICY_SECTION_ACTIONS] = keys_actions,
	[POLICY_SECTION_GLOBALS] = keys_globals,
	[POLICY_SECTION_TRUSTED] = NULL,	/* any label */
	[POLICY_SECTION_LIMITS] = policy_limit_names,
	[POLICY_SECTION_QUARANTINE] = keys_quarantine,
	[POLICY_SECTION_LOG] = keys_log,
	[POLICY_SECTION_AGENT] = keys_agent,
	[POLICY_SECTION_SIGNING] = policy_signing_keys,
	[POLICY_SECTION_GUARD] = keys_guard,
};

enum policy_action
policy_action_for(const struct policy *p, enum policy_verdict verdict,
		  bool executable)
{
	if (verdict == POLICY_VERDICT_ERROR && !executable)
		return p->error_unreadable;
	return p->action[verdict];
}

const char *
policy_section_name(enum policy_section section)
{
	switch (section) {
	case POLICY_SECTION_WATCH: return "watch";
	case POLICY_SECTION_ACTIONS: return "actions";
	case POLICY_SECTION_GLOBALS: return "globals";
	case POLICY_SECTION_TRUSTED: return "trusted";
	case POLICY_SECTION_LIMITS: return "limits";
	case POLICY_SECTION_QUARANTINE: return "quarantine";
	case POLICY_SECTION_LOG: return "log";
	case POLICY_SECTION_AGENT: return "agent";
	case POLICY_SECTION_SIGNING: return "signing";
	case POLICY_SECTION_GUARD: return "guard";
	case POLICY_SECTION_COUNT: break;
	}
	return "unknown";
}

void
policy_set_err(struct policy_error *err, const char *file, unsigned line,
	       const char *key, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

char *
policy_error_format(const struct policy_error *err, char *buf, size_t cap)
{
	char line[32] = "";

	if (cap == 0)
		return buf;
	if (err->line)
		snprintf(line, sizeof(line), ":%u", err->line);
	snprintf(buf, cap, "%s%s: %s%s%s", err->file, line, err->key,
		 err->key[0] ? ": " : "", err->message);
	return buf;
}

const char *
policy_action_name(enum policy_action action)
{
	switch (action) {
	case POLICY_ACTION_NONE: return "none";
	case POLICY_ACTION_LOG: return "log";
	case POLICY_ACTION_QUARANTINE: return "quarantine";
	}
	return "unknown";
}

const char *
policy_verdict_name(enum policy_verdict verdict)
{
	switch (verdict) {
	case POLICY_VERDICT_CLEAN: return "clean";
	case POLICY_VERDICT_SUSPICIOUS: return "suspicious";
	case POLICY_VERDICT_ERROR: return "error";
	case POLICY_VERDICT_MALICIOUS: return "malicious";
	case POLICY_VERDICT_COUNT: break;
	}
	return "unknown";
}

void
policy_strv_clear(struct policy_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* Appends s (taking ownership) to sv; on failure frees s. */
int
policy_strv_push(struct policy_strv *sv, char *s)
{
	char **v;

	if (!s)
		return -1;
	v = reallocarray(sv->v, sv->n + 1, sizeof(*v));
	if (!v) {
		free(s);
		return -1;
	}
	sv->v = v;
	sv->v[sv->n++] = s;
	return 0;
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->source);
	policy_strv_clear(&p->roots);
	policy_strv_clear(&p->exclude);
	policy_strv_clear(&p->rescan_interval);
	policy_strv_clear(&p->allow_globals);
	policy_strv_clear(&p->deny_globals);
	policy_strv_clear(&p->trusted_sha256);
	policy_strv_clear(&p->trusted_labels);
	for (i = 0; i < p->n_limits; i++)
		free(p->limits[i].name);
	free(p->limits);
	free(p->quarantine_dir);
	free(p->syslog_facility_name);
	free(p->state_dir);
	policy_signing_clear(&p->signing);
	policy_strv_clear(&p->guard_paths);
	free(p->guard_quarantine_dir);
	free(p->worker_user);
	free(p->log_file);
	free(p->on_quarantine);
	free(p->search_warning);
	free(p);
}

static struct policy *
defaults_new(const char *source, struct policy_error *err)
{
	struct policy *p = NULL;
	char *roots[3] = {NULL, NULL, NULL};
	int i;

	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	p->source = strdup(source);
	p->action[POLICY_VERDICT_CLEAN] = POLICY_ACTION_NONE;
	p->action[POLICY_VERDICT_SUSPICIOUS] = POLICY_ACTION_LOG;
	/* Fail closed: an error on a file a loader would execute may have
	 * been forced to get past us. */
	p->action[POLICY_VERDICT_ERROR] = POLICY_ACTION_QUARANTINE;
	p->error_unreadable = POLICY_ACTION_LOG;
	p->action[POLICY_VERDICT_MALICIOUS] = POLICY_ACTION_QUARANTINE;
	p->syslog_facility = LOG_USER;
	p->syslog_facility_name = strdup("user");
	p->workers = DEFAULT_WORKERS;
	p->queue_length = DEFAULT_QUEUE_LENGTH;
	p->watchdog_sec = DEFAULT_WATCHDOG_SEC;
	p->tombstone = true;
	p->desktop_notify = true;
	p->sandbox = true;
	p->worker_memory = DEFAULT_WORKER_MEMORY;
	p->worker_cpu_seconds = DEFAULT_WORKER_CPU;
	p->worker_scans = DEFAULT_WORKER_SCANS;
	p->scan_deadline = DEFAULT_SCAN_DEADLINE;
	p->guard_timeout_ms = DEFAULT_GUARD_TIMEOUT_MS;
	p->guard_on_timeout = POLICY_ANSWER_DENY;
	p->guard_on_error = POLICY_ANSWER_DENY;
	p->guard_workers = DEFAULT_WORKERS;
	p->guard_quarantine_dir = strdup(DEFAULT_GUARD_QUARANTINE);
	if (!p->source || !p->syslog_facility_name || !p->guard_quarantine_dir)
		goto nomem;
	/* The model caches of every user on a shared server. */
	if (policy_strv_push(&p->guard_paths,
			     strdup("/home/*/.cache/huggingface")) != 0 ||
	    policy_strv_push(&p->guard_paths,
			     strdup("/home/*/.cache/torch")) != 0 ||
	    policy_strv_push(&p->guard_paths,
			     strdup("/root/.cache/huggingface")) != 0 ||
	    policy_strv_push(&p->guard_paths, strdup("/root/.cache/torch")) != 0)
		goto nomem;
	/* No default exclusions: in-progress download names are only
	 * meaningful at their downloader's position, which the watcher knows
	 * (agent/watch/watch_names.h); a pattern here would match anywhere. */
	if (paths_default_roots(roots) != 0)
		goto nohome;
	for (i = 0; i < 3; i++) {
		if (policy_strv_push(&p->roots, roots[i]) != 0) {
			roots[i] = NULL;
			goto nomem;
		}
		roots[i] = NULL;
	}
	p->quarantine_dir = paths_xdg("XDG_DATA_HOME", ".local/share",
				      "picklewarden/quarantine");
	if (!p->quarantine_dir)
		goto nohome;
	p->state_dir = paths_xdg("XDG_STATE_HOME", ".local/state",
				 "picklewarden");
	if (!p->state_dir)
		goto nohome;
	return p;
nohome:
	if (errno != ENOMEM) {
		policy_set_err(err, source, 0, "",
			"no home directory for the default paths");
		errno = EINVAL;
		goto fail;
	}
nomem:
	policy_set_err(err, source, 0, "", "out of memory");
	errno = ENOMEM;
fail:
	for (i = 0; i < 3; i++)
		free(roots[i]);
	policy_free(p);
	return NULL;
}

int
policy_defaults(struct policy **ret, struct policy_error *err)
{
	struct policy *p = defaults_new("(built-in defaults)", err);

	if (!p)
		return -1;
	*ret = p;
	return 0;
}

/* The one parse path: the text parsed once (ini.c), then each key's
 * value validated in the order of the file. */
/* The first $NAME or ${NAME} of value that is unset or empty. */
static bool
unset_var(const char *value, char *out, size_t cap)
{
	const char *p = value;
	size_t len;

	while ((p = strchr(p, '$')) != NULL) {
		bool brace;

		p++;
		if (*p == '$') {
			p++;
			continue;
		}
		brace = *p == '{';
		if (brace)
			p++;
		for (len = 0; p[len] == '_' || isalnum((unsigned char)p[len]);
		     len++)
			;
		if (len == 0 || len >= cap)
			continue;
		memcpy(out, p, len);
		out[len] = '\0';
		if (!getenv(out) || !*getenv(out))
			return true;
		p += len;
	}
	return false;
}

static int
parse_text(const char *text, size_t len, const char *name,
	   struct policy **ret, struct policy_error *err)
{
	struct policy_ini *ini = NULL;
	struct policy *p = NULL;
	size_t n, i;
	unsigned failures = 0;
	int rc = -1, saved = EINVAL;

	if (err)
		err->count = 0, err->later[0] = '\0';
	if (policy_ini_parse(text, len, name, &ini, err) != 0) {
		saved = errno;
		goto out;
	}
	p = defaults_new(name, err);
	if (!p) {
		saved = errno;
		goto out;
	}
	n = policy_ini_count(ini);
	for (i = 0; i < n; i++) {
		enum policy_section sec;
		const char *key, *value, *why = NULL;
		unsigned line;

		policy_ini_get(ini, i, &sec, &key, &value, &line);
		errno = 0;
		if (policy_apply_key(p, sec, key, value, &why) != 0) {
			char full[sizeof(err->key)], var[80], msg[200];

			snprintf(full, sizeof(full), "%s.%s",
				 policy_section_name(sec), key);
			if (errno == ENOMEM) {
				saved = ENOMEM;
				policy_set_err(err, name, line, full,
					       "out of memory");
				goto out;
			}
			/* Name the variable: "$HF_HOME is unset" is what
			 * the user needs to read. */
			if (why && strstr(why, "unset") &&
			    unset_var(value, var, sizeof(var))) {
				snprintf(msg, sizeof(msg), "$%s is unset or "
					 "empty (%s)", var, why);
				why = msg;
			}
			/* Keep going: every bad value in one run. */
			failures++;
			if (failures == 1) {
				policy_set_err(err, name, line, full, "%s",
					       why ? why : "bad value");
			} else if (err) {
				size_t m = strlen(err->later);

				if (snprintf(err->later + m,
					     sizeof(err->later) - m,
					     "%s:%u: %s: %s\n", name, line,
					     full, why ? why : "bad value") < 0)
					err->later[m] = '\0';
			}
			if (err)
				err->count = failures;
		}
	}
	if (failures)
		goto out;
	{
		char sec[24], key[MAX_LABEL + 1];
		bool too_long = false;
		int fits = policy_write_fits(p, sec, sizeof(sec), key,
					     sizeof(key), &too_long);

		if (fits < 0) {
			saved = ENOMEM;
			policy_set_err(err, name, 0, "", "out of memory");
			goto out;
		}
		if (fits == 0) {
			unsigned line = 0;
			char full[sizeof(err->key)];

			for (i = 0; i < n; i++) {
				enum policy_section s;
				const char *k, *v;
				unsigned l;

				policy_ini_get(ini, i, &s, &k, &v, &l);
				if (strcmp(policy_section_name(s), sec) == 0 &&
				    strcmp(k, key) == 0)
					line = l;
			}
			snprintf(full, sizeof(full), "%s.%s", sec, key);
			if (too_long)
				policy_set_err(err, name, line, full,
					"longer than %d characters once ~ and "
					"$VARS are expanded: check-config could "
					"not print it", POLICY_MAX_LINE);
			else
				policy_set_err(err, name, line, full,
					"holds both quote characters and what "
					"needs quoting: check-config could not "
					"print it");
			goto out;
		}
	}
	*ret = p;
	p = NULL;
	rc = 0;
out:
	policy_ini_free(ini);
	policy_free(p);
	if (rc != 0)
		errno = saved;
	return rc;
}

int
policy_load_string(const char *text, const char *name, struct policy **ret,
		   struct policy_error *err)
{
	if (!text || !ret) {
		policy_set_err(err, name, 0, "", "no text");
		errno = EINVAL;
		return -1;
	}
	return parse_text(text, strlen(text), name ? name : "(string)", ret,
			  err);
}

int
policy_load_file(const char *path, struct policy **ret,
		 struct policy_error *err)
{
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fd = -1, rc = -1, saved = EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		policy_set_err(err, path, 0, "", "%s", strerror(saved));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		saved = S_ISREG(st.st_mode) ? errno : EINVAL;
		policy_set_err(err, path, 0, "", "not a regular file");
		goto out;
	}
	if (st.st_size > POLICY_MAX_FILE_SIZE) {
		policy_set_err(err, path, 0, "", "larger than %d bytes",
			POLICY_MAX_FILE_SIZE);
		goto out;
	}
	/* Read up to the cap plus one byte: the size may change under us. */
	buf = malloc(POLICY_MAX_FILE_SIZE + 1);
	if (!buf) {
		saved = ENOMEM;
		policy_set_err(err, path, 0, "", "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, POLICY_MAX_FILE_SIZE + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			policy_set_err(err, path, 0, "", "%s", strerror(saved));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > POLICY_MAX_FILE_SIZE) {
			policy_set_err(err, path, 0, "", "larger than %d bytes",
				POLICY_MAX_FILE_SIZE);
			goto out;
		}
	}
	rc = parse_text(buf, len, path, ret, err);
	saved = errno;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (rc != 0)
		errno = saved;
	return rc;
}

/* The default search passes over a file that is missing or cannot be
 * read (line 0: it never got to a line), not over one that is invalid. */
static bool
search_skips(int e, const struct policy_error *pe)
{
	return e == ENOENT || (pe->line == 0 && e != ENOMEM);
}

static void
search_note(char *note, size_t cap, int e, const struct policy_error *pe)
{
	size_t n = strlen(note);

	if (e == ENOENT)
		return;	/* missing is the normal case: no warning */
	/* A note cut short is still a note. */
	if (snprintf(note + n, cap - n, "%sskipped the configuration file "
		     "%s: %s", n ? "; " : "", pe->file, pe->message) < 0)
		note[n] = '\0';
}

int
policy_find_and_load(const char *explicit_path, struct policy **ret,
		     struct policy_error *err)
{
	char *user = NULL, note[1200] = "";
	const char *sys = SYSCONFDIR "/picklewarden/picklewarden.ini";
	struct policy_error skipped;
	int rc;

	if (explicit_path)
		return policy_load_file(explicit_path, ret, err);
	user = paths_xdg("XDG_CONFIG_HOME", ".config",
			 "picklewarden/picklewarden.ini");
	if (user) {
		memset(&skipped, 0, sizeof(skipped));
		rc = policy_load_file(user, ret, &skipped);
		free(user);
		/* A missing or unreadable file (no permission, a directory)
		 * moves on, noted for the caller; one that reads but is
		 * invalid stays an error: its author meant something. */
		if (rc == 0)
			return 0;
		if (!search_skips(errno, &skipped)) {
			if (err)
				*err = skipped;
			return rc;
		}
		search_note(note, sizeof(note), errno, &skipped);
	}
	memset(&skipped, 0, sizeof(skipped));
	rc = policy_load_file(sys, ret, &skipped);
	if (rc != 0 && !search_skips(errno, &skipped)) {
		if (err)
			*err = skipped;
		return rc;
	}
	if (rc != 0) {
		search_note(note, sizeof(note), errno, &skipped);
		rc = policy_defaults(ret, err);
	}
	if (rc == 0 && note[0] && !((*ret)->search_warning = strdup(note))) {
		policy_free(*ret);
		*ret = NULL;
		errno = ENOMEM;
		return -1;
	}
	return rc;
}

bool
policy_is_trusted(const struct policy *p, const char *sha256_hex)
{
	size_t i;

	if (!sha256_hex)
		return false;
	for (i = 0; i < p->trusted_sha256.n; i++)
		if (strcasecmp(p->trusted_sha256.v[i], sha256_hex) == 0)
			return true;
	return false;
}

bool
policy_is_excluded(const struct policy *p, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < p->exclude.n; i++) {
		const char *pat = p->exclude.v[i];

		if (!strchr(pat, '/')) {
			if (fnmatch(pat, base, 0) == 0)
				return true;
			continue;
		}
		/* FNM_LEADING_DIR: a directory pattern also covers what is
		 * below it. */
		if (fnmatch(pat, path, FNM_PATHNAME | FNM_LEADING_DIR) == 0)
			return true;
	}
	return false;
}

bool
policy_limit(const struct policy *p, const char *name, uint64_t *ret_value)
{
	size_t i;

	for (i = 0; i < p->n_limits; i++) {
		if (strcmp(p->limits[i].name, name) == 0) {
			*ret_value = p->limits[i].value;
			return true;
		}
	}
	return false;
}


const char *
policy_answer_name(enum policy_answer answer)
{
	return answer == POLICY_ANSWER_ALLOW ? "allow" : "deny";
}

bool
policy_paths_match(const struct policy_strv *patterns, const char *path)
{
	size_t i;

	/* FNM_LEADING_DIR: a pattern naming a directory covers everything
	 * below it. */
	for (i = 0; i < patterns->n; i++)
		if (fnmatch(patterns->v[i], path,
			    FNM_PATHNAME | FNM_LEADING_DIR) == 0)
			return true;
	return false;
}

bool
policy_is_guarded(const struct policy *p, const char *path)
{
	return policy_paths_match(&p->guard_paths, path);
}

unsigned
policy_rescan_interval(const struct policy *p, const char *root)
{
	unsigned all = 0;
	size_t i, n = strlen(root);

	for (i = 0; i < p->rescan_interval.n; i++) {
		const char *item = p->rescan_interval.v[i];

		if (item[0] != '/')
			all = (unsigned)strtoul(item, NULL, 10);
		else if (strncmp(item, root, n) == 0 && item[n] == '=')
			return (unsigned)strtoul(item + n + 1, NULL, 10);
	}
	return all;
}
