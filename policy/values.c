/* SPDX-License-Identifier: Apache-2.0 */
/*
 * values.c - validating one key's value into a policy: lists, patterns,
 * actions, sizes, digests, paths, facilities, numbers.  Every refusal
 * says why in words the user can act on.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "policy/paths.h"
#include "policy/policy_int.h"

#define MAX_WORKERS 64		/* more threads than this only thrash disks */
#define MAX_QUEUE_LENGTH 1048576 /* bounds the watcher's memory */
#define MAX_WATCHDOG_SEC 86400	/* a day: longer is "off" in disguise */
/* Scan workers (agent/sandbox/). */
#define MIN_WORKER_MEMORY 64		/* below this glibc cannot start */
#define MAX_WORKER_MEMORY 1048576	/* 1 TiB: larger is "off" in disguise */
#define MAX_WORKER_CPU 86400
#define MAX_WORKER_SCANS 1000000
#define MAX_SCAN_DEADLINE 86400
#define MAX_USER_NAME 32		/* useradd's limit */

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{"user", LOG_USER}, {"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},
	{"authpriv", LOG_AUTHPRIV}, {"local0", LOG_LOCAL0},
	{"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
	{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
	{"local7", LOG_LOCAL7},
};

/* Splits a comma-separated list into trimmed items; calls fn for each.
 * An empty value is an empty list; an empty item is an error. */
static int
for_each_item(const char *value, int (*fn)(void *ctx, const char *item,
					   const char **why),
	      void *ctx, const char **why)
{
	const char *p = value;
	size_t count = 0;

	if (*policy_skip_space(p, p + strlen(p)) == '\0')
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *e = comma ? comma : p + strlen(p);
		const char *s = policy_skip_space(p, e);
		char *item;
		int rc;

		e = policy_trim_end(s, e);
		if (s == e) {
			*why = "empty item in the list";
			return -1;
		}
		if (++count > MAX_LIST_ITEMS) {
			*why = "too many items in the list";
			return -1;
		}
		item = strndup(s, (size_t)(e - s));
		if (!item) {
			*why = "out of memory";
			return -1;
		}
		rc = fn(ctx, item, why);
		free(item);
		if (rc != 0)
			return -1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int
add_root(void *ctx, const char *item, const char **why)
{
	struct policy_strv *sv = ctx;
	char *defs[3];
	int i;

	if (strcmp(item, "@defaults") == 0) {
		if (paths_default_roots(defs) != 0) {
			*why = "no home directory for the default roots";
			return -1;
		}
		for (i = 0; i < 3; i++) {
			if (policy_strv_push(sv, defs[i]) != 0) {
				while (++i < 3)
					free(defs[i]);
				*why = "out of memory";
				return -1;
			}
		}
		return 0;
	}
	if (policy_strv_push(sv, paths_expand(item, why)) != 0) {
		if (errno == ENOMEM && !*why)
			*why = "out of memory";
		return -1;
	}
	return 0;
}

static int
add_exclude(void *ctx, const char *item, const char **why)
{
	struct policy_strv *sv = ctx;
	char *s;

	/* A pattern with a '/' is a path: expand ~ and $VARS like roots. */
	if (strchr(item, '/') || item[0] == '~')
		s = paths_expand(item, why);
	else
		s = strdup(item);
	if (!s && !*why)
		*why = "out of memory";
	return policy_strv_push(sv, s);
}

/* "SECONDS" or "/root=SECONDS" (the root expanded like roots). */
static int
add_rescan(void *ctx, const char *item, const char **why)
{
	struct policy_strv *sv = ctx;
	const char *eq = strrchr(item, '='), *num = eq ? eq + 1 : item;
	char *path = NULL, *out = NULL, *end;
	unsigned long secs;

	errno = 0;
	secs = strtoul(num, &end, 10);
	if (*num < '0' || *num > '9' || *end != '\0' || errno != 0 ||
	    secs == 0 || secs > 31536000ul) {
		*why = "rescan_interval: expected SECONDS or /root=SECONDS "
		       "(1 .. 31536000)";
		return -1;
	}
	if (eq == NULL) {
		if (policy_strv_push(sv, strdup(item)) != 0) {
			*why = "out of memory";
			return -1;
		}
		return 0;
	}
	{
		char *root = strndup(item, (size_t)(eq - item));

		if (root == NULL) {
			*why = "out of memory";
			return -1;
		}
		path = paths_expand(root, why);
		free(root);
	}
	if (path == NULL) {
		if (!*why)
			*why = "out of memory";
		return -1;
	}
	if (path[0] != '/') {
		free(path);
		*why = "rescan_interval: a root must be an absolute path";
		return -1;
	}
	if (asprintf(&out, "%s=%lu", path, secs) < 0)
		out = NULL;
	free(path);
	if (out == NULL) {
		*why = "out of memory";
		return -1;
	}
	return policy_strv_push(sv, out);
}

static bool
is_ident_start(char c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* "mod.name", "mod.sub.Class.attr" or "mod.*": identifiers joined by
 * dots, at least two parts, "*" only as the whole last part. */
static bool
global_pattern_valid(const char *s)
{
	size_t parts = 0;

	for (;;) {
		if (s[0] == '*' && s[1] == '\0')
			return parts >= 1;
		if (!is_ident_start(*s))
			return false;
		while (is_ident_start(*s) || (*s >= '0' && *s <= '9'))
			s++;
		parts++;
		if (*s == '\0')
			return parts >= 2;
		if (*s != '.')
			return false;
		s++;
	}
}

static int
add_global(void *ctx, const char *item, const char **why)
{
	struct policy_strv *sv = ctx;

	if (!global_pattern_valid(item)) {
		*why = "expected a pattern like 'module.name' or 'module.*'";
		return -1;
	}
	if (policy_strv_push(sv, strdup(item)) != 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

static int
parse_action(const char *v, enum policy_action *ret)
{
	if (strcasecmp(v, "none") == 0)
		*ret = POLICY_ACTION_NONE;
	else if (strcasecmp(v, "log") == 0)
		*ret = POLICY_ACTION_LOG;
	else if (strcasecmp(v, "quarantine") == 0)
		*ret = POLICY_ACTION_QUARANTINE;
	else
		return -1;
	return 0;
}



static int parse_u64(const char *v, uint64_t *ret, bool suffixes);

#define MAX_GUARD_TIMEOUT_MS 3600000 /* an hour: an opener waits that long */

static int
add_guard_path(void *ctx, const char *item, const char **why)
{
	struct policy_strv *sv = ctx;

	/* Patterns are paths: ~ and $VARS expand, glob characters stay. */
	if (policy_strv_push(sv, paths_expand(item, why)) != 0) {
		if (errno == ENOMEM && !*why)
			*why = "out of memory";
		return -1;
	}
	return 0;
}

/* "30", "30s" (seconds) or "500ms"; 1 ms .. MAX_GUARD_TIMEOUT_MS. */
static int
parse_timeout_ms(const char *v, unsigned *ret)
{
	char num[32];
	size_t digits = strspn(v, "0123456789");
	uint64_t u, mul = 1000;

	if (digits == 0 || digits >= sizeof(num))
		return -1;
	if (strcasecmp(v + digits, "ms") == 0)
		mul = 1;
	else if (v[digits] != '\0' && strcasecmp(v + digits, "s") != 0)
		return -1;
	memcpy(num, v, digits);
	num[digits] = '\0';
	if (parse_u64(num, &u, false) != 0 ||
	    __builtin_mul_overflow(u, mul, &u) || u == 0 ||
	    u > MAX_GUARD_TIMEOUT_MS)
		return -1;
	*ret = (unsigned)u;
	return 0;
}

/* Applies one [guard] key.  Returns 0, or -1 with *why set. */
static int
apply_guard_key(struct policy *p, const char *key, const char *value,
		const char **why)
{
	uint64_t u;

	if (strcmp(key, "paths") == 0) {
		policy_strv_clear(&p->guard_paths);
		return for_each_item(value, add_guard_path, &p->guard_paths,
				     why);
	}
	if (strcmp(key, "timeout") == 0) {
		if (parse_timeout_ms(value, &p->guard_timeout_ms) != 0) {
			*why = "expected a duration like 30s or 500ms "
			       "(1 ms to 3600 s)";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "on_timeout") == 0 || strcmp(key, "on_error") == 0) {
		enum policy_answer a;

		if (strcasecmp(value, "deny") == 0)
			a = POLICY_ANSWER_DENY;
		else if (strcasecmp(value, "allow") == 0)
			a = POLICY_ANSWER_ALLOW;
		else {
			*why = "expected deny or allow";
			return -1;
		}
		if (strcmp(key, "on_timeout") == 0)
			p->guard_on_timeout = a;
		else
			p->guard_on_error = a;
		return 0;
	}
	if (strcmp(key, "quarantine") == 0) {
		char *s = paths_expand(value, why);

		if (!s)
			return -1;
		free(p->guard_quarantine_dir);
		p->guard_quarantine_dir = s;
		return 0;
	}
	/* workers */
	if (parse_u64(value, &u, false) != 0 || u < 1 || u > MAX_WORKERS) {
		*why = "expected 1 to 64";
		return -1;
	}
	p->guard_workers = (unsigned)u;
	return 0;
}

/* Decimal u64 with an optional binary suffix k, m, g, t (KiB...); 0 and
 * overflow are refused. */
static int
parse_u64(const char *v, uint64_t *ret, bool suffixes)
{
	uint64_t x = 0, mul = 1;
	const char *p = v;

	if (!(*p >= '0' && *p <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(*p - '0'), &x))
			return -1;
	}
	if (suffixes && *p) {
		switch (tolower((unsigned char)*p)) {
		case 'k': mul = 1ULL << 10; break;
		case 'm': mul = 1ULL << 20; break;
		case 'g': mul = 1ULL << 30; break;
		case 't': mul = 1ULL << 40; break;
		default: return -1;
		}
		p++;
	}
	if (*p != '\0')
		return -1;
	if (__builtin_mul_overflow(x, mul, &x))
		return -1;
	*ret = x;
	return 0;
}

static bool
is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[64] == '\0';
}

int
policy_apply_key(struct policy *p, enum policy_section sec, const char *key,
		 const char *value, const char **why)
{
	uint64_t u;
	size_t i;

	if (sec == POLICY_SECTION_WATCH &&
	    strcmp(key, "rescan_interval") == 0) {
		policy_strv_clear(&p->rescan_interval);
		return for_each_item(value, add_rescan, &p->rescan_interval,
				     why);
	}
	if (sec == POLICY_SECTION_WATCH) {
		struct policy_strv *sv = strcmp(key, "roots") == 0 ?
			&p->roots : &p->exclude;

		policy_strv_clear(sv);
		return for_each_item(value, strcmp(key, "roots") == 0 ?
				     add_root : add_exclude, sv, why);
	}
	if (sec == POLICY_SECTION_ACTIONS) {
		enum policy_action a;
		size_t v;

		if (parse_action(value, &a) != 0) {
			*why = "expected none, log or quarantine";
			return -1;
		}
		if (strcmp(key, "error_unreadable") == 0) {
			p->error_unreadable = a;
			return 0;
		}
		for (v = 0; v < POLICY_VERDICT_COUNT; v++)
			if (strcmp(key, policy_verdict_name(v)) == 0)
				break;
		if (v == POLICY_VERDICT_MALICIOUS && a == POLICY_ACTION_NONE) {
			/* An unlogged malicious file leaves no trace at all;
			 * "log" is the least we do. */
			*why = "a malicious file is at least logged (log or "
			       "quarantine)";
			return -1;
		}
		p->action[v] = a;
		return 0;
	}
	if (sec == POLICY_SECTION_GLOBALS) {
		struct policy_strv *sv = strcmp(key, "allow") == 0 ?
			&p->allow_globals : &p->deny_globals;

		policy_strv_clear(sv);
		return for_each_item(value, add_global, sv, why);
	}
	if (sec == POLICY_SECTION_TRUSTED) {
		char *hex;

		if (!is_sha256_hex(value)) {
			*why = "expected a SHA-256 digest (64 hex digits)";
			return -1;
		}
		if (p->trusted_sha256.n >= MAX_TRUSTED) {
			*why = "too many trusted digests";
			return -1;
		}
		hex = strdup(value);
		if (hex)
			for (i = 0; hex[i]; i++)
				hex[i] = (char)tolower((unsigned char)hex[i]);
		if (policy_strv_push(&p->trusted_sha256, hex) != 0 ||
		    policy_strv_push(&p->trusted_labels, strdup(key)) != 0) {
			*why = "out of memory";
			return -1;
		}
		return 0;
	}
	if (sec == POLICY_SECTION_LIMITS) {
		struct policy_limit *l;

		if (parse_u64(value, &u, true) != 0 || u == 0) {
			*why = "expected a positive integer (suffixes k, M, "
			       "G, T multiply by 1024^n)";
			return -1;
		}
		l = reallocarray(p->limits, p->n_limits + 1, sizeof(*l));
		if (!l) {
			*why = "out of memory";
			return -1;
		}
		p->limits = l;
		l[p->n_limits].name = strdup(key);
		if (!l[p->n_limits].name) {
			*why = "out of memory";
			return -1;
		}
		l[p->n_limits].value = u;
		p->n_limits++;
		return 0;
	}
	if ((sec == POLICY_SECTION_QUARANTINE &&
	     strcmp(key, "tombstone") == 0) ||
	    (sec == POLICY_SECTION_AGENT &&
	     strcmp(key, "desktop_notify") == 0)) {
		bool *dst = sec == POLICY_SECTION_QUARANTINE ?
			&p->tombstone : &p->desktop_notify;

		if (strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
			*dst = true;
		else if (strcasecmp(value, "no") == 0 ||
			 strcasecmp(value, "false") == 0 ||
			 strcmp(value, "0") == 0)
			*dst = false;
		else {
			*why = "expected yes or no";
			return -1;
		}
		return 0;
	}
	if (sec == POLICY_SECTION_AGENT && strcmp(key, "on_quarantine") == 0) {
		char *s = NULL;

		/* A command line split on blanks, run without a shell: the
		 * program must be an absolute path (no $PATH surprises in a
		 * service), and an empty value turns the hook off. */
		if (value[0] != '\0' && value[0] != '/') {
			*why = "expected an absolute path to a program, "
			       "then its arguments";
			return -1;
		}
		if (value[0] != '\0' && !(s = strdup(value))) {
			*why = "out of memory";
			return -1;
		}
		free(p->on_quarantine);
		p->on_quarantine = s;
		return 0;
	}
	if (sec == POLICY_SECTION_QUARANTINE ||
	    (sec == POLICY_SECTION_LOG && strcmp(key, "file") == 0) ||
	    (sec == POLICY_SECTION_AGENT && strcmp(key, "state_dir") == 0)) {
		char **dst = sec == POLICY_SECTION_QUARANTINE ?
			&p->quarantine_dir :
			sec == POLICY_SECTION_LOG ? &p->log_file :
			&p->state_dir;
		char *s = paths_expand(value, why);

		if (!s)
			return -1;
		free(*dst);
		*dst = s;
		return 0;
	}
	if (sec == POLICY_SECTION_GUARD)
		return apply_guard_key(p, key, value, why);
	if (sec == POLICY_SECTION_SIGNING)
		return policy_signing_apply(&p->signing, key, value, why);
	if (sec == POLICY_SECTION_LOG) {
		char *s;

		for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
			if (strcasecmp(value, facilities[i].name) == 0)
				break;
		if (i == sizeof(facilities) / sizeof(facilities[0])) {
			*why = "expected user, daemon, auth, authpriv or "
			       "local0..local7";
			return -1;
		}
		s = strdup(facilities[i].name);
		if (!s) {
			*why = "out of memory";
			return -1;
		}
		free(p->syslog_facility_name);
		p->syslog_facility_name = s;
		p->syslog_facility = facilities[i].facility;
		return 0;
	}
	if (sec != POLICY_SECTION_AGENT) {
		/* The parse only lists known sections. */
		*why = "unknown section";
		return -1;
	}
	if (strcmp(key, "sandbox") == 0) {
		if (strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "true") == 0)
			p->sandbox = true;
		else if (strcasecmp(value, "no") == 0 ||
			 strcasecmp(value, "false") == 0)
			p->sandbox = false;
		else {
			*why = "expected yes or no";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "worker_user") == 0) {
		size_t n = strlen(value);
		char *s;

		/* A POSIX portable user name; the user is looked up when
		 * the workers start (as root only). */
		if (n == 0 || n > MAX_USER_NAME || value[0] == '-' ||
		    strspn(value, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
			*why = "expected a user name";
			return -1;
		}
		s = strdup(value);
		if (!s) {
			*why = "out of memory";
			return -1;
		}
		free(p->worker_user);
		p->worker_user = s;
		return 0;
	}
	/* [agent] numbers */
	if (parse_u64(value, &u, false) != 0) {
		*why = "expected a non-negative integer";
		return -1;
	}
	if (strcmp(key, "workers") == 0) {
		if (u < 1 || u > MAX_WORKERS) {
			*why = "expected 1 to 64";
			return -1;
		}
		p->workers = (unsigned)u;
	} else if (strcmp(key, "queue_length") == 0) {
		if (u < 1 || u > MAX_QUEUE_LENGTH) {
			*why = "expected 1 to 1048576";
			return -1;
		}
		p->queue_length = (unsigned)u;
	} else if (strcmp(key, "worker_memory") == 0) {
		if (u < MIN_WORKER_MEMORY || u > MAX_WORKER_MEMORY) {
			*why = "expected 64 to 1048576 (MiB)";
			return -1;
		}
		p->worker_memory = (unsigned)u;
	} else if (strcmp(key, "worker_cpu_seconds") == 0) {
		if (u > MAX_WORKER_CPU) {
			*why = "expected 0 (unlimited) to 86400 seconds";
			return -1;
		}
		p->worker_cpu_seconds = (unsigned)u;
	} else if (strcmp(key, "worker_scans") == 0) {
		if (u > MAX_WORKER_SCANS) {
			*why = "expected 0 (never replaced) to 1000000";
			return -1;
		}
		p->worker_scans = (unsigned)u;
	} else if (strcmp(key, "scan_deadline") == 0) {
		if (u > MAX_SCAN_DEADLINE) {
			*why = "expected 0 (none) to 86400 seconds";
			return -1;
		}
		p->scan_deadline = (unsigned)u;
	} else {
		if (u > MAX_WATCHDOG_SEC) {
			*why = "expected 0 (off) to 86400 seconds";
			return -1;
		}
		p->watchdog_sec = (unsigned)u;
	}
	return 0;
}

