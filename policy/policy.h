/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h - picklewarden's configuration: what to watch, what to do with
 * each verdict, what to trust, and the knobs of the agent.
 *
 * The configuration is an INI file in iniparser's dialect, parsed once
 * (policy/ini.c) into an iniparser dictionary.  Loading is strict:
 * an unknown section or key, a bad value, a key given twice or a line over
 * 1024 characters fails the whole load with a struct policy_error naming the
 * file, line and key.  A load that fails never returns a partial policy.
 *
 * Layering: policy/ uses nothing else of picklewarden (not even the scanner
 * headers).  Verdict indexes follow enum pw_verdict by value (clean 0,
 * suspicious 1, error 2, malicious 3); agent/ checks that at compile time.
 * Limits are kept by name; agent/cli/policy_bridge.c maps the names with
 * pw_limit_name().
 *
 * Thread safety: loading keeps no global state (iniparser is only used
 * for its dictionary, never its file loader, so its process-wide error
 * callback is not involved).  A loaded policy is immutable; any number of
 * threads may read it.
 */
#ifndef PW_POLICY_H
#define PW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/policy_signing.h"

/* Characters per line, not counting the newline.  iniparser 4.1 rejects
 * the whole file on a line of 1023 or more (its buffer is 1024 bytes with
 * the newline and NUL), so we check first and name the line. */
#define POLICY_MAX_LINE 1022
/* The largest configuration file we read; a config is a few KiB. */
#define POLICY_MAX_FILE_SIZE (1024 * 1024)

/* What to do with a file of a given verdict.  Append-only. */
enum policy_action {
	POLICY_ACTION_NONE = 0,		/* nothing, not even a log line */
	POLICY_ACTION_LOG = 1,		/* one log line */
	POLICY_ACTION_QUARANTINE = 2,	/* move to the store, and log */
};

/* What the guard answers an open it could not decide.  Append-only. */
enum policy_answer {
	POLICY_ANSWER_DENY = 0,
	POLICY_ANSWER_ALLOW = 1,
};

/* Verdict indexes into policy.action[]: the values of enum pw_verdict. */
enum policy_verdict {
	POLICY_VERDICT_CLEAN = 0,
	POLICY_VERDICT_SUSPICIOUS = 1,
	POLICY_VERDICT_ERROR = 2,
	POLICY_VERDICT_MALICIOUS = 3,
	POLICY_VERDICT_COUNT = 4
};

/* An owned list of owned strings. */
struct policy_strv {
	char **v;
	size_t n;
};

/* One scanner limit set in [limits]; name is one of policy_limit_names. */
struct policy_limit {
	char *name;
	uint64_t value;
};

struct policy {
	/* Where this policy came from: a file path, a name given to
	 * policy_load_string, or "(built-in defaults)". */
	char *source;

	/* [watch] */
	struct policy_strv roots;	/* absolute, ~ and $VARS expanded */
	struct policy_strv exclude;	/* fnmatch patterns, see
					   policy_is_excluded */
	/* Periodic full rescans: items "SECONDS" (every root) or
	 * "/root=SECONDS" (that root; path expanded like roots), validated
	 * (1 .. 31536000); see policy_rescan_interval. */
	struct policy_strv rescan_interval;

	/* [actions]: indexed by enum policy_verdict.  action[ERROR] is for
	 * an error on a file a loader would execute (pw_result_executable:
	 * an error an attacker may have forced, so it fails closed by
	 * default); error_unreadable for an error on any other file (one we
	 * could not read or open at all). */
	enum policy_action action[POLICY_VERDICT_COUNT];
	enum policy_action error_unreadable;

	/* [globals]: extra patterns "module.name" or "module.*" */
	struct policy_strv allow_globals;
	struct policy_strv deny_globals;

	/* [trusted]: 64 lower-case hex digits each, and the label the user
	 * gave each digest (trusted_labels.v[i] goes with trusted_sha256.v[i]) */
	struct policy_strv trusted_sha256;
	struct policy_strv trusted_labels;

	/* [limits]: only those the file sets; the rest keep the scanner's
	 * built-in defaults. */
	struct policy_limit *limits;
	size_t n_limits;

	/* [quarantine] */
	char *quarantine_dir;		/* absolute */
	bool tombstone;			/* leave a tombstone for a quarantined
					   Hugging Face cache blob */


	/* [log] */
	int syslog_facility;		/* LOG_USER, LOG_DAEMON, LOG_LOCAL0.. */
	char *syslog_facility_name;	/* "user", "daemon", "local0", ... */
	char *log_file;			/* also append lines here, or NULL */

	/* [agent]: knobs of `picklewarden watch` */
	unsigned workers;		/* scan worker threads, 1..64 */
	unsigned queue_length;		/* pending files before overflow
					   handling, 1..1048576 */
	unsigned watchdog_sec;		/* a scan running longer than this is
					   reported stuck; 0 = off */
	char *state_dir;		/* absolute */

	/* [signing]: see policy_signing.h */
	struct policy_signing signing;
	/* [guard]: knobs of `picklewarden guard` (root, fanotify) */
	struct policy_strv guard_paths;	/* absolute fnmatch patterns: a
					   file is guarded when a pattern
					   matches it or a parent of it */
	unsigned guard_timeout_ms;	/* longest scan before on_timeout */
	enum policy_answer guard_on_timeout;
	enum policy_answer guard_on_error;
	char *guard_quarantine_dir;	/* absolute, root's own store */
	unsigned guard_workers;		/* scan threads, 1..64 */
	/* [agent]: scan workers (agent/sandbox/) */
	bool sandbox;			/* scan in worker processes */
	unsigned worker_memory;		/* MiB of address space, 64.. */
	unsigned worker_cpu_seconds;	/* over a worker's life; 0 = off */
	unsigned worker_scans;		/* replaced after; 0 = never */
	char *worker_user;		/* as root; NULL = "nobody" */
	unsigned scan_deadline;		/* seconds per file; 0 = none */
	char *search_warning;		/* a default-search file that was
					   skipped (unreadable) and why, for
					   the caller to print; or NULL */
	char *on_quarantine;		/* command line run (no shell) after
					   each quarantine, or NULL */
	bool desktop_notify;		/* notify-send when a session bus is
					   there */
};

/*
 * A load error.  line is 1-based, 0 when the error is not about a line
 * (the file could not be read); key is "section.key", "section" or "".
 */
struct policy_error {
	char file[1024];
	unsigned line;
	char key[128];
	char message[512];
	/* Value errors do not stop the check: the fields above are the
	 * first one, count says how many there were, and later holds the
	 * formatted 2nd, 3rd, ... ("file:line: key: message" per line,
	 * truncated if long). */
	unsigned count;
	char later[2048];
};

/* The limit names [limits] accepts; NULL-terminated.  They equal the
 * scanner's pw_limit_name() values (a unit test checks that). */
extern const char *const policy_limit_names[];

/*
 * Loads a configuration.  All three share one parse path (the text parsed
 * once with its checks, then value validation).
 *   policy_load_file:   reads path (at most POLICY_MAX_FILE_SIZE bytes).
 *   policy_load_string: parses text; name is used in errors and as source.
 * On success returns 0 and *ret is a new policy (free with policy_free).
 * On failure returns -1, leaves *ret untouched and fills *err (when err is
 * not NULL).  errno is ENOENT when path does not exist, ENOMEM when out of
 * memory, EINVAL for a bad configuration.
 */
int policy_load_file(const char *path, struct policy **ret,
		     struct policy_error *err);
int policy_load_string(const char *text, const char *name,
		       struct policy **ret, struct policy_error *err);

/*
 * Finds and loads the configuration: explicit_path when not NULL (it must
 * exist); otherwise $XDG_CONFIG_HOME/picklewarden/picklewarden.ini
 * (~/.config when unset), then SYSCONFDIR/picklewarden/picklewarden.ini,
 * then the built-in defaults.  A file that exists but fails to load is an
 * error: we never fall back silently past a broken config.
 * Returns 0 or -1 as policy_load_file.
 */
int policy_find_and_load(const char *explicit_path, struct policy **ret,
			 struct policy_error *err);

/* The built-in defaults (no file).  Returns 0 or -1 (ENOMEM, or EINVAL
 * when $HOME is unset and needed). */
int policy_defaults(struct policy **ret, struct policy_error *err);

/* Frees a policy; NULL is a no-op. */
void policy_free(struct policy *policy);

/* "file:line: key: message" (parts that are empty/0 are left out) into
 * buf, always NUL-terminated when cap > 0.  Returns buf. */
char *policy_error_format(const struct policy_error *err, char *buf,
			  size_t cap);

/* "deny" or "allow"; never NULL. */
const char *policy_answer_name(enum policy_answer answer);

/* True when path (absolute, no symlinks) is guarded: a [guard] paths
 * pattern matches it or one of its parent directories (fnmatch with
 * FNM_PATHNAME: "*" does not cross '/'). */
bool policy_is_guarded(const struct policy *policy, const char *path);
/* The same test against any list of such patterns. */
bool policy_paths_match(const struct policy_strv *patterns, const char *path);

/* "none", "log", "quarantine" / "clean", "suspicious", ...; never NULL. */
const char *policy_action_name(enum policy_action action);

/* The action for a verdict, given whether a loader would execute the file
 * (pw_result_executable): error splits into error / error_unreadable. */
enum policy_action policy_action_for(const struct policy *p,
				     enum policy_verdict verdict,
				     bool executable);
const char *policy_verdict_name(enum policy_verdict verdict);

/* True when sha256_hex (64 hex digits, any case) is in [trusted]. */
bool policy_is_trusted(const struct policy *policy, const char *sha256_hex);

/*
 * True when path (absolute) matches an exclusion: a pattern without '/'
 * is matched against the last component (e.g. "*.incomplete"), one with
 * '/' against the whole path and against every parent directory of it
 * (fnmatch with FNM_PATHNAME, so "*" does not cross '/'; "/data/tmp"
 * excludes everything below /data/tmp).
 */
bool policy_is_excluded(const struct policy *policy, const char *path);

/* The rescan_interval in seconds for a root (as configured in roots):
 * its own "/root=N" item, else the bare "N" item, else 0 (none). */
unsigned policy_rescan_interval(const struct policy *policy, const char *root);

/* The value of a [limits] name the policy sets; false when it does not. */
bool policy_limit(const struct policy *policy, const char *name,
		  uint64_t *ret_value);

/*
 * Writes the effective configuration as a valid INI file that loads back
 * to the same policy (what `picklewarden check-config` prints).  Returns 0,
 * or -1 with errno on a write error.  Strings are written as they are; the
 * caller escapes if the destination needs it.
 */
int policy_write(const struct policy *policy, FILE *out);

#endif /* PW_POLICY_H */
