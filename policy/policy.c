/*
 * policy.c - loading and validating the INI configuration.
 *
 * One parse path for files and strings: the text is checked line by line
 * first (iniparser 4.1 fails a whole file on one long line without saying
 * which key, and silently keeps the last of duplicate keys), then handed to
 * iniparser through a memfd, then every value is validated into a fresh
 * policy that replaces nothing until it is complete.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <iniparser/iniparser.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "policy/paths.h"
#include "policy/policy.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define DEFAULT_WORKERS 2
#define MAX_WORKERS 64		/* more threads than this only thrash disks */
#define DEFAULT_QUEUE_LENGTH 4096
#define MAX_QUEUE_LENGTH 1048576 /* bounds the watcher's memory */
#define DEFAULT_WATCHDOG_SEC 60
#define MAX_WATCHDOG_SEC 86400	/* a day: longer is "off" in disguise */
/* Scan workers (agent/sandbox/). */
#define DEFAULT_WORKER_MEMORY 2048	/* MiB of address space per worker */
#define MIN_WORKER_MEMORY 64		/* below this glibc cannot start */
#define MAX_WORKER_MEMORY 1048576	/* 1 TiB: larger is "off" in disguise */
#define DEFAULT_WORKER_CPU 600		/* CPU seconds over a worker's life */
#define MAX_WORKER_CPU 86400
#define DEFAULT_WORKER_SCANS 1000	/* scans before a worker is replaced */
#define MAX_WORKER_SCANS 1000000
#define DEFAULT_SCAN_DEADLINE 120	/* seconds one file may take */
#define MAX_SCAN_DEADLINE 86400
#define MAX_USER_NAME 32		/* useradd's limit */
#define MAX_LIST_ITEMS 256	/* roots, patterns: far above real use */
#define MAX_TRUSTED 10000	/* digests: bounds a hostile config, and the
				   quadratic duplicate check (50M compares) */
#define MAX_LABEL 64		/* [trusted] label length */

const char *const policy_limit_names[] = {
	"max_depth", "max_members", "max_decompressed", "max_ratio",
	"max_opcodes", "max_file_size", "max_findings", NULL,
};

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

/* The keys each section accepts; [trusted] and [limits] are special. */
static const char *const keys_watch[] = {"roots", "exclude", NULL};
static const char *const keys_actions[] = {"clean", "suspicious", "error",
					   "malicious", NULL};
static const char *const keys_globals[] = {"allow", "deny", NULL};
static const char *const keys_quarantine[] = {"directory", NULL};
static const char *const keys_log[] = {"facility", NULL};
static const char *const keys_agent[] = {"workers", "queue_length",
					 "watchdog_sec", "state_dir", "sandbox",
					 "worker_memory", "worker_cpu_seconds",
					 "worker_scans", "worker_user",
					 "scan_deadline", NULL};

static const struct {
	const char *name;
	const char *const *keys;	/* NULL: any label (trusted) */
} sections[] = {
	{"watch", keys_watch},
	{"actions", keys_actions},
	{"globals", keys_globals},
	{"trusted", NULL},
	{"limits", policy_limit_names},
	{"quarantine", keys_quarantine},
	{"log", keys_log},
	{"agent", keys_agent},
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* One "key = value" line found by the text pass. */
struct line_key {
	size_t section;		/* index into sections[] */
	char key[MAX_LABEL + 1];	/* lower-cased, as iniparser keeps it */
	unsigned line;
};

static void
set_err(struct policy_error *err, const char *file, unsigned line,
	const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
set_err(struct policy_error *err, const char *file, unsigned line,
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

static void
strv_clear(struct policy_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* Appends s (taking ownership) to sv; on failure frees s. */
static int
strv_push(struct policy_strv *sv, char *s)
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
	strv_clear(&p->roots);
	strv_clear(&p->exclude);
	strv_clear(&p->allow_globals);
	strv_clear(&p->deny_globals);
	strv_clear(&p->trusted_sha256);
	strv_clear(&p->trusted_labels);
	for (i = 0; i < p->n_limits; i++)
		free(p->limits[i].name);
	free(p->limits);
	free(p->quarantine_dir);
	free(p->syslog_facility_name);
	free(p->state_dir);
	free(p->worker_user);
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
	p->action[POLICY_VERDICT_ERROR] = POLICY_ACTION_LOG;
	p->action[POLICY_VERDICT_MALICIOUS] = POLICY_ACTION_QUARANTINE;
	p->syslog_facility = LOG_USER;
	p->syslog_facility_name = strdup("user");
	p->workers = DEFAULT_WORKERS;
	p->queue_length = DEFAULT_QUEUE_LENGTH;
	p->watchdog_sec = DEFAULT_WATCHDOG_SEC;
	p->sandbox = true;
	p->worker_memory = DEFAULT_WORKER_MEMORY;
	p->worker_cpu_seconds = DEFAULT_WORKER_CPU;
	p->worker_scans = DEFAULT_WORKER_SCANS;
	p->scan_deadline = DEFAULT_SCAN_DEADLINE;
	if (!p->source || !p->syslog_facility_name)
		goto nomem;
	/* Partial downloads: huggingface_hub writes "<blob>.incomplete" and
	 * renames it when done; the rename is what we scan.  ".lock" files
	 * are its empty lock files. */
	if (strv_push(&p->exclude, strdup("*.incomplete")) != 0 ||
	    strv_push(&p->exclude, strdup("*.lock")) != 0)
		goto nomem;
	if (paths_default_roots(roots) != 0)
		goto nohome;
	for (i = 0; i < 3; i++) {
		if (strv_push(&p->roots, roots[i]) != 0) {
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
		set_err(err, source, 0, "",
			"no home directory for the default paths");
		errno = EINVAL;
		goto fail;
	}
nomem:
	set_err(err, source, 0, "", "out of memory");
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

/* ---- the text pass ---------------------------------------------------- */

static const char *
skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

static const char *
trim_end(const char *s, const char *end)
{
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

static bool
section_has_key(size_t sec, const char *key)
{
	const char *const *k = sections[sec].keys;

	if (!k) {
		/* [trusted]: any label of safe characters */
		size_t i;

		for (i = 0; key[i]; i++)
			if (!isalnum((unsigned char)key[i]) && key[i] != '-' &&
			    key[i] != '_' && key[i] != '.')
				return false;
		return i > 0;
	}
	for (; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/*
 * Checks the text line by line and lists its keys with their lines.
 * Everything iniparser would accept silently but we refuse is found here:
 * long lines, duplicates, unknown sections and keys, keys outside a
 * section, continuation lines, NUL bytes, lines iniparser cannot parse.
 */
static int
text_pass(const char *text, size_t len, const char *name,
	  struct line_key **ret_keys, size_t *ret_n, struct policy_error *err)
{
	struct line_key *keys = NULL;
	size_t n = 0, cur = (size_t)-1, i;
	bool seen_section[N_SECTIONS] = {false};
	const char *p = text, *end = text + len;
	unsigned line = 0;

	if (memchr(text, '\0', len)) {
		/* Name the line holding the first NUL. */
		const char *z = memchr(text, '\0', len), *q;

		line = 1;
		for (q = text; q < z; q++)
			line += *q == '\n';
		set_err(err, name, line, "", "contains a NUL byte");
		goto fail;
	}
	/* A UTF-8 byte order mark is editor noise, not content. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s, *e, *eq;
		char key[MAX_LABEL + 1];
		size_t klen, sec;

		if (!eol)
			eol = end;
		line++;
		if ((size_t)(eol - p) > POLICY_MAX_LINE) {
			set_err(err, name, line, "",
				"line longer than %d characters (iniparser "
				"would reject the whole file)", POLICY_MAX_LINE);
			goto fail;
		}
		s = skip_space(p, eol);
		e = trim_end(s, eol);
		p = eol < end ? eol + 1 : end;
		if (s == e || *s == ';' || *s == '#')
			continue;
		if (e[-1] == '\\') {
			set_err(err, name, line, "",
				"line continuation with '\\' is not supported");
			goto fail;
		}
		if (*s == '[') {
			const char *c = memchr(s, ']', (size_t)(e - s));

			if (!c || c + 1 != e) {
				set_err(err, name, line, "",
					"malformed section header");
				goto fail;
			}
			s = skip_space(s + 1, c);
			c = trim_end(s, c);
			klen = (size_t)(c - s);
			for (sec = 0; sec < N_SECTIONS; sec++)
				if (strlen(sections[sec].name) == klen &&
				    strncasecmp(sections[sec].name, s, klen) == 0)
					break;
			if (sec == N_SECTIONS) {
				char bad[MAX_LABEL + 1];

				snprintf(bad, sizeof(bad), "%.*s",
					 (int)(klen > MAX_LABEL ? MAX_LABEL : klen),
					 s);
				set_err(err, name, line, bad,
					"unknown section");
				goto fail;
			}
			if (seen_section[sec]) {
				set_err(err, name, line, sections[sec].name,
					"section given twice");
				goto fail;
			}
			seen_section[sec] = true;
			cur = sec;
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (!eq) {
			set_err(err, name, line, "",
				"expected 'key = value' or '[section]'");
			goto fail;
		}
		{
			/* iniparser keeps only what is inside the first pair
			 * of quotes ("a", "b" reads as a): a value is quoted
			 * as a whole or not at all. */
			const char *vs = skip_space(eq + 1, e);

			if (vs < e && (*vs == '"' || *vs == '\'')) {
				if (e - vs < 2 || e[-1] != *vs ||
				    memchr(vs + 1, *vs, (size_t)(e - vs - 2))) {
					set_err(err, name, line, "",
						"a quoted value must be quoted "
						"as a whole");
					goto fail;
				}
			}
		}
		e = trim_end(s, eq);
		klen = (size_t)(e - s);
		if (klen == 0) {
			set_err(err, name, line, "", "empty key");
			goto fail;
		}
		if (klen > MAX_LABEL) {
			set_err(err, name, line, "", "key longer than %d "
				"characters", MAX_LABEL);
			goto fail;
		}
		/* iniparser lower-cases keys: so must duplicate detection */
		for (i = 0; i < klen; i++)
			key[i] = (char)tolower((unsigned char)s[i]);
		key[klen] = '\0';
		if (cur == (size_t)-1) {
			set_err(err, name, line, key,
				"key outside of any [section]");
			goto fail;
		}
		if (!section_has_key(cur, key)) {
			char full[sizeof(err->key)];

			snprintf(full, sizeof(full), "%s.%s", sections[cur].name,
				 key);
			set_err(err, name, line, full,
				sections[cur].keys ? "unknown key" :
				"labels may only use letters, digits, '-', "
				"'_' and '.'");
			goto fail;
		}
		for (i = 0; i < n; i++) {
			if (keys[i].section == cur &&
			    strcmp(keys[i].key, key) == 0) {
				char full[sizeof(err->key)];

				snprintf(full, sizeof(full), "%s.%s",
					 sections[cur].name, key);
				set_err(err, name, line, full,
					"duplicate key (first given on line "
					"%u)", keys[i].line);
				goto fail;
			}
		}
		if (n >= MAX_TRUSTED + MAX_LIST_ITEMS) {
			set_err(err, name, line, "", "too many keys");
			goto fail;
		}
		{
			struct line_key *k = reallocarray(keys, n + 1,
							  sizeof(*keys));

			if (!k) {
				set_err(err, name, line, "", "out of memory");
				errno = ENOMEM;
				free(keys);
				return -1;
			}
			keys = k;
		}
		keys[n].section = cur;
		memcpy(keys[n].key, key, klen + 1);
		keys[n].line = line;
		n++;
	}
	*ret_keys = keys;
	*ret_n = n;
	return 0;
fail:
	free(keys);
	errno = EINVAL;
	return -1;
}

/* ---- iniparser through a memfd ------------------------------------- */

/* iniparser prints its errors to stderr by default; a library must not.
 * The callback is process-wide in iniparser, so set it exactly once. */
static int
ini_silent(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

static void
ini_silence(void)
{
	iniparser_set_error_callback(ini_silent);
}

static pthread_once_t ini_once = PTHREAD_ONCE_INIT;

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * iniparser 4.1 only loads from a path.  The text goes into a memfd opened
 * through /proc/self/fd (nothing touches the disk); without /proc, into an
 * unlinked-after-use temporary file.
 */
static dictionary *
ini_load_text(const char *text, size_t len)
{
	dictionary *d = NULL;
	char path[64];
	char tmpl[4096];
	const char *tmpdir;
	int fd;

	pthread_once(&ini_once, ini_silence);
	fd = memfd_create("picklewarden-config", MFD_CLOEXEC);
	if (fd >= 0) {
		if (write_all(fd, text, len) == 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			if (access(path, R_OK) == 0)
				d = iniparser_load(path);
		}
		close(fd);
		if (d)
			return d;
	}
	tmpdir = getenv("TMPDIR");
	if (!tmpdir || tmpdir[0] != '/')
		tmpdir = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/picklewarden-config.XXXXXX", tmpdir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (write_all(fd, text, len) == 0)
		d = iniparser_load(tmpl);
	unlink(tmpl);
	close(fd);
	return d;
}

/* ---- values -------------------------------------------------------- */

/* Splits a comma-separated list into trimmed items; calls fn for each.
 * An empty value is an empty list; an empty item is an error. */
static int
for_each_item(const char *value, int (*fn)(void *ctx, const char *item,
					   const char **why),
	      void *ctx, const char **why)
{
	const char *p = value;
	size_t count = 0;

	if (*skip_space(p, p + strlen(p)) == '\0')
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *e = comma ? comma : p + strlen(p);
		const char *s = skip_space(p, e);
		char *item;
		int rc;

		e = trim_end(s, e);
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
			if (strv_push(sv, defs[i]) != 0) {
				while (++i < 3)
					free(defs[i]);
				*why = "out of memory";
				return -1;
			}
		}
		return 0;
	}
	if (strv_push(sv, paths_expand(item, why)) != 0) {
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
	return strv_push(sv, s);
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
	if (strv_push(sv, strdup(item)) != 0) {
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

/* Applies one key's value to p.  Returns 0, or -1 with *why set. */
static int
apply_key(struct policy *p, const char *sec, const char *key,
	  const char *value, const char **why)
{
	uint64_t u;
	size_t i;

	if (strcmp(sec, "watch") == 0) {
		struct policy_strv *sv = strcmp(key, "roots") == 0 ?
			&p->roots : &p->exclude;

		strv_clear(sv);
		return for_each_item(value, strcmp(key, "roots") == 0 ?
				     add_root : add_exclude, sv, why);
	}
	if (strcmp(sec, "actions") == 0) {
		enum policy_action a;
		size_t v;

		if (parse_action(value, &a) != 0) {
			*why = "expected none, log or quarantine";
			return -1;
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
	if (strcmp(sec, "globals") == 0) {
		struct policy_strv *sv = strcmp(key, "allow") == 0 ?
			&p->allow_globals : &p->deny_globals;

		strv_clear(sv);
		return for_each_item(value, add_global, sv, why);
	}
	if (strcmp(sec, "trusted") == 0) {
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
		if (strv_push(&p->trusted_sha256, hex) != 0 ||
		    strv_push(&p->trusted_labels, strdup(key)) != 0) {
			*why = "out of memory";
			return -1;
		}
		return 0;
	}
	if (strcmp(sec, "limits") == 0) {
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
	if (strcmp(sec, "quarantine") == 0 ||
	    (strcmp(sec, "agent") == 0 && strcmp(key, "state_dir") == 0)) {
		char **dst = strcmp(sec, "quarantine") == 0 ?
			&p->quarantine_dir : &p->state_dir;
		char *s = paths_expand(value, why);

		if (!s)
			return -1;
		free(*dst);
		*dst = s;
		return 0;
	}
	if (strcmp(sec, "log") == 0) {
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

/* The one parse path. */
static int
parse_text(const char *text, size_t len, const char *name,
	   struct policy **ret, struct policy_error *err)
{
	struct line_key *keys = NULL;
	struct policy *p = NULL;
	dictionary *d = NULL;
	size_t n = 0, i;
	int rc = -1, saved = EINVAL;

	if (text_pass(text, len, name, &keys, &n, err) != 0) {
		saved = errno;
		goto out;
	}
	/* iniparser takes a byte order mark for a syntax error. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		d = ini_load_text(text + 3, len - 3);
	else
		d = ini_load_text(text, len);
	if (!d) {
		/* The text pass accepts only what iniparser parses, so this
		 * is a resource problem. */
		saved = errno ? errno : EIO;
		set_err(err, name, 0, "", "iniparser could not load the text");
		goto out;
	}
	p = defaults_new(name, err);
	if (!p) {
		saved = errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char dkey[sizeof(keys[i].key) + 16];
		const char *sec = sections[keys[i].section].name;
		const char *value, *why = NULL;

		snprintf(dkey, sizeof(dkey), "%s:%s", sec, keys[i].key);
		value = iniparser_getstring(d, dkey, NULL);
		if (!value) {
			set_err(err, name, keys[i].line, dkey,
				"iniparser did not see this key");
			goto out;
		}
		errno = 0;
		if (apply_key(p, sec, keys[i].key, value, &why) != 0) {
			char full[sizeof(err->key)];

			snprintf(full, sizeof(full), "%s.%s", sec,
				 keys[i].key);
			if (errno == ENOMEM)
				saved = ENOMEM;
			set_err(err, name, keys[i].line, full, "%s",
				why ? why : "bad value");
			goto out;
		}
	}
	*ret = p;
	p = NULL;
	rc = 0;
out:
	if (d)
		iniparser_freedict(d);
	policy_free(p);
	free(keys);
	if (rc != 0)
		errno = saved;
	return rc;
}

int
policy_load_string(const char *text, const char *name, struct policy **ret,
		   struct policy_error *err)
{
	if (!text || !ret) {
		set_err(err, name, 0, "", "no text");
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
		set_err(err, path, 0, "", "%s", strerror(saved));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		saved = S_ISREG(st.st_mode) ? errno : EINVAL;
		set_err(err, path, 0, "", "not a regular file");
		goto out;
	}
	if (st.st_size > POLICY_MAX_FILE_SIZE) {
		set_err(err, path, 0, "", "larger than %d bytes",
			POLICY_MAX_FILE_SIZE);
		goto out;
	}
	/* Read up to the cap plus one byte: the size may change under us. */
	buf = malloc(POLICY_MAX_FILE_SIZE + 1);
	if (!buf) {
		saved = ENOMEM;
		set_err(err, path, 0, "", "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, POLICY_MAX_FILE_SIZE + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			set_err(err, path, 0, "", "%s", strerror(saved));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > POLICY_MAX_FILE_SIZE) {
			set_err(err, path, 0, "", "larger than %d bytes",
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

int
policy_find_and_load(const char *explicit_path, struct policy **ret,
		     struct policy_error *err)
{
	char *user = NULL;
	int rc;

	if (explicit_path)
		return policy_load_file(explicit_path, ret, err);
	user = paths_xdg("XDG_CONFIG_HOME", ".config",
			 "picklewarden/picklewarden.ini");
	if (user) {
		rc = policy_load_file(user, ret, err);
		free(user);
		/* Only a missing file moves on; a broken one is an error. */
		if (rc == 0 || errno != ENOENT)
			return rc;
	}
	rc = policy_load_file(SYSCONFDIR "/picklewarden/picklewarden.ini", ret,
			      err);
	if (rc == 0 || errno != ENOENT)
		return rc;
	return policy_defaults(ret, err);
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

/* ---- writing ------------------------------------------------------- */

/* A path value as the loader reads it back: '$' doubled. */
static void
write_path(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '$')
			fputc('$', out);
		fputc(*s, out);
	}
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
	fputs("\n[actions]\n", out);
	for (v = 0; v < POLICY_VERDICT_COUNT; v++)
		fprintf(out, "%s = %s\n", policy_verdict_name(v),
			policy_action_name(p->action[v]));
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
	fprintf(out, "\n\n[log]\nfacility = %s\n", p->syslog_facility_name);
	fprintf(out, "\n[agent]\nworkers = %u\nqueue_length = %u\n"
		"watchdog_sec = %u\nstate_dir = ", p->workers,
		p->queue_length, p->watchdog_sec);
	write_path_value(out, p->state_dir);
	fprintf(out, "\nsandbox = %s\nworker_memory = %u\n"
		"worker_cpu_seconds = %u\nworker_scans = %u\n"
		"scan_deadline = %u\n", p->sandbox ? "yes" : "no",
		p->worker_memory, p->worker_cpu_seconds, p->worker_scans,
		p->scan_deadline);
	if (p->worker_user)
		fprintf(out, "worker_user = %s\n", p->worker_user);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
