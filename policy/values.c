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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "policy/paths.h"
#include "policy/policy_int.h"

#define MAX_WORKERS 64		/* more threads than this only thrash disks */
#define MAX_QUEUE_LENGTH 1048576 /* bounds the watcher's memory */
#define MAX_WATCHDOG_SEC 86400	/* a day: longer is "off" in disguise */

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
	if (sec == POLICY_SECTION_QUARANTINE ||
	    (sec == POLICY_SECTION_AGENT && strcmp(key, "state_dir") == 0)) {
		char **dst = sec == POLICY_SECTION_QUARANTINE ?
			&p->quarantine_dir : &p->state_dir;
		char *s = paths_expand(value, why);

		if (!s)
			return -1;
		free(*dst);
		*dst = s;
		return 0;
	}
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
	} else {
		if (u > MAX_WATCHDOG_SEC) {
			*why = "expected 0 (off) to 86400 seconds";
			return -1;
		}
		p->watchdog_sec = (unsigned)u;
	}
	return 0;
}

