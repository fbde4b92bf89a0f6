/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c - the INI configuration: every key, every kind of bad
 * input, through both policy_load_string and policy_load_file (one parse
 * path), plus defaults, lookup order and the effective-config writer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/cli/policy_bridge.h"
#include "picklewarden.h"
#include "policy/policy.h"

static char tmpdir[] = "/tmp/pw-policy-XXXXXX";

static const char *const env_vars[] = {
	"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
	"HF_HUB_CACHE", "HF_HOME", "TORCH_HOME", "KERAS_HOME", NULL,
};

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	setenv("HOME", "/home/tester", 1);
	setenv("PW_TEST_DIR", "/srv/models", 1);
	unsetenv("PW_TEST_UNSET");
	return 0;
}

static const char *
sv(const struct policy_strv *s, size_t i)
{
	assert_true(i < s->n);
	return s->v[i];
}

static void
test_defaults(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;

	(void)state;
	assert_int_equal(policy_defaults(&p, &err), 0);
	assert_int_equal(p->roots.n, 3);
	assert_string_equal(sv(&p->roots, 0),
			    "/home/tester/.cache/huggingface/hub");
	assert_string_equal(sv(&p->roots, 1), "/home/tester/.cache/torch/hub");
	assert_string_equal(sv(&p->roots, 2), "/home/tester/.keras/models");
	assert_int_equal(p->action[POLICY_VERDICT_CLEAN], POLICY_ACTION_NONE);
	assert_int_equal(p->action[POLICY_VERDICT_SUSPICIOUS],
			 POLICY_ACTION_LOG);
	/* Fail closed on files a loader would execute (issue 9). */
	assert_int_equal(p->action[POLICY_VERDICT_ERROR],
			 POLICY_ACTION_QUARANTINE);
	assert_int_equal(p->error_unreadable, POLICY_ACTION_LOG);
	assert_int_equal(policy_action_for(p, POLICY_VERDICT_ERROR, true),
			 POLICY_ACTION_QUARANTINE);
	assert_int_equal(policy_action_for(p, POLICY_VERDICT_ERROR, false),
			 POLICY_ACTION_LOG);
	assert_int_equal(policy_action_for(p, POLICY_VERDICT_MALICIOUS, false),
			 POLICY_ACTION_QUARANTINE);
	assert_int_equal(p->action[POLICY_VERDICT_MALICIOUS],
			 POLICY_ACTION_QUARANTINE);
	assert_string_equal(p->quarantine_dir,
			    "/home/tester/.local/share/picklewarden/quarantine");
	assert_string_equal(p->state_dir,
			    "/home/tester/.local/state/picklewarden");
	assert_int_equal(p->syslog_facility, LOG_USER);
	assert_int_equal(p->workers, 2);
	assert_true(p->sandbox);
	assert_int_equal(p->worker_memory, 2048);
	assert_int_equal(p->worker_cpu_seconds, 600);
	assert_int_equal(p->worker_scans, 1000);
	assert_null(p->worker_user);
	assert_int_equal(p->scan_deadline, 120);
	assert_int_equal(p->n_limits, 0);
	assert_int_equal(p->trusted_sha256.n, 0);
	assert_false(policy_is_excluded(p, "/x/blob.incomplete"));
	assert_false(policy_is_excluded(p, "/x/blob"));
	policy_free(p);
}

static void
test_defaults_env(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;

	(void)state;
	setenv("XDG_CACHE_HOME", "/c", 1);
	setenv("XDG_DATA_HOME", "/d", 1);
	setenv("XDG_STATE_HOME", "relative/ignored", 1);
	assert_int_equal(policy_defaults(&p, &err), 0);
	assert_string_equal(sv(&p->roots, 0), "/c/huggingface/hub");
	assert_string_equal(sv(&p->roots, 1), "/c/torch/hub");
	assert_string_equal(p->quarantine_dir, "/d/picklewarden/quarantine");
	/* The XDG spec: relative values are ignored. */
	assert_string_equal(p->state_dir,
			    "/home/tester/.local/state/picklewarden");
	policy_free(p);

	setenv("HF_HOME", "/hf", 1);
	setenv("TORCH_HOME", "/th", 1);
	setenv("KERAS_HOME", "/kh", 1);
	assert_int_equal(policy_defaults(&p, &err), 0);
	assert_string_equal(sv(&p->roots, 0), "/hf/hub");
	assert_string_equal(sv(&p->roots, 1), "/th/hub");
	assert_string_equal(sv(&p->roots, 2), "/kh/models");
	policy_free(p);

	/* HF_HUB_CACHE wins over HF_HOME. */
	setenv("HF_HUB_CACHE", "/hub", 1);
	assert_int_equal(policy_defaults(&p, &err), 0);
	assert_string_equal(sv(&p->roots, 0), "/hub");
	policy_free(p);
}

static const char full_config[] =
	"; every key\n"
	"[watch]\n"
	"roots = ~/models, $PW_TEST_DIR/a, ${PW_TEST_DIR}/b/, /cost$$ly, "
	"@defaults\n"
	"exclude = *.tmp, ~/models/scratch\n"
	"\n"
	"[Actions]\n"
	"clean = log\n"
	"suspicious = quarantine\n"
	"error = none\n"
	"error_unreadable = quarantine\n"
	"MALICIOUS = Log\n"
	"[globals]\n"
	"allow = mylab.models.Net, sklearn.*\n"
	"deny = evil.*, bad_mod.thing\n"
	"[trusted]\n"
	"my-model.v1 = "
	"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789\n"
	"other = 0000000000000000000000000000000000000000000000000000000000000000\n"
	"[limits]\n"
	"max_depth = 3\n"
	"max_members = 10k\n"
	"max_decompressed = 2G\n"
	"max_ratio = 500\n"
	"max_opcodes = 1M\n"
	"max_file_size = 1T\n"
	"max_findings = 50\n"
	"[quarantine]\n"
	"directory = /var/q # trailing comment\n"
	"[log]\n"
	"facility = local3\n"
	"[agent]\n"
	"workers = 8\n"
	"queue_length = 100\n"
	"watchdog_sec = 0\n"
	"state_dir = \"/var/state;x\"\n"
	"sandbox = No\n"
	"worker_memory = 64\n"
	"worker_cpu_seconds = 0\n"
	"worker_scans = 1\n"
	"worker_user = _pw-scan\n"
	"scan_deadline = 86400\n";

static void
check_full(const struct policy *p)
{
	uint64_t v = 0;

	assert_int_equal(p->roots.n, 7);
	assert_string_equal(sv(&p->roots, 0), "/home/tester/models");
	assert_string_equal(sv(&p->roots, 1), "/srv/models/a");
	assert_string_equal(sv(&p->roots, 2), "/srv/models/b");
	assert_string_equal(sv(&p->roots, 3), "/cost$ly");
	assert_string_equal(sv(&p->roots, 4),
			    "/home/tester/.cache/huggingface/hub");
	assert_string_equal(sv(&p->roots, 6), "/home/tester/.keras/models");
	assert_int_equal(p->exclude.n, 2);
	assert_string_equal(sv(&p->exclude, 0), "*.tmp");
	assert_string_equal(sv(&p->exclude, 1), "/home/tester/models/scratch");
	assert_true(policy_is_excluded(p, "/a/b.tmp"));
	assert_true(policy_is_excluded(p, "/home/tester/models/scratch"));
	assert_true(policy_is_excluded(p, "/home/tester/models/scratch/x/y"));
	assert_false(policy_is_excluded(p, "/home/tester/models/x.bin"));
	assert_int_equal(p->action[POLICY_VERDICT_CLEAN], POLICY_ACTION_LOG);
	assert_int_equal(p->action[POLICY_VERDICT_SUSPICIOUS],
			 POLICY_ACTION_QUARANTINE);
	assert_int_equal(p->action[POLICY_VERDICT_ERROR], POLICY_ACTION_NONE);
	assert_int_equal(p->error_unreadable, POLICY_ACTION_QUARANTINE);
	assert_int_equal(p->action[POLICY_VERDICT_MALICIOUS],
			 POLICY_ACTION_LOG);
	assert_int_equal(p->allow_globals.n, 2);
	assert_string_equal(sv(&p->allow_globals, 0), "mylab.models.Net");
	assert_string_equal(sv(&p->allow_globals, 1), "sklearn.*");
	assert_int_equal(p->deny_globals.n, 2);
	assert_string_equal(sv(&p->deny_globals, 1), "bad_mod.thing");
	assert_int_equal(p->trusted_sha256.n, 2);
	assert_string_equal(sv(&p->trusted_sha256, 0),
			    "abcdef0123456789abcdef0123456789"
			    "abcdef0123456789abcdef0123456789");
	assert_string_equal(sv(&p->trusted_labels, 0), "my-model.v1");
	assert_true(policy_is_trusted(p, "ABCDEF0123456789abcdef0123456789"
				      "abcdef0123456789abcdef0123456789"));
	assert_false(policy_is_trusted(p, "1bcdef0123456789abcdef0123456789"
				       "abcdef0123456789abcdef0123456789"));
	assert_int_equal(p->n_limits, 7);
	assert_true(policy_limit(p, "max_depth", &v));
	assert_int_equal(v, 3);
	assert_true(policy_limit(p, "max_members", &v));
	assert_int_equal(v, 10240);
	assert_true(policy_limit(p, "max_decompressed", &v));
	assert_int_equal(v, 2ULL << 30);
	assert_true(policy_limit(p, "max_ratio", &v));
	assert_int_equal(v, 500);
	assert_true(policy_limit(p, "max_opcodes", &v));
	assert_int_equal(v, 1 << 20);
	assert_true(policy_limit(p, "max_file_size", &v));
	assert_int_equal(v, 1ULL << 40);
	assert_true(policy_limit(p, "max_findings", &v));
	assert_int_equal(v, 50);
	assert_string_equal(p->quarantine_dir, "/var/q");
	assert_int_equal(p->syslog_facility, LOG_LOCAL3);
	assert_string_equal(p->syslog_facility_name, "local3");
	assert_int_equal(p->workers, 8);
	assert_int_equal(p->queue_length, 100);
	assert_int_equal(p->watchdog_sec, 0);
	assert_string_equal(p->state_dir, "/var/state;x");
	assert_false(p->sandbox);
	assert_int_equal(p->worker_memory, 64);
	assert_int_equal(p->worker_cpu_seconds, 0);
	assert_int_equal(p->worker_scans, 1);
	assert_string_equal(p->worker_user, "_pw-scan");
	assert_int_equal(p->scan_deadline, 86400);
}

static char *
write_tmp(const char *name, const char *text, size_t len)
{
	char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
test_every_key(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;
	char *path;

	(void)state;
	assert_int_equal(policy_load_string(full_config, "full", &p, &err), 0);
	assert_string_equal(p->source, "full");
	check_full(p);
	policy_free(p);

	path = write_tmp("full.ini", full_config, strlen(full_config));
	p = NULL;
	assert_int_equal(policy_load_file(path, &p, &err), 0);
	assert_string_equal(p->source, path);
	check_full(p);
	policy_free(p);
	unlink(path);
	free(path);
}

/* The scanner must know every limit name the policy accepts. */
static void
test_limit_names_match_scanner(void **state)
{
	size_t i, n = 0;
	enum pw_limit l;

	(void)state;
	for (i = 0; policy_limit_names[i]; i++) {
		assert_true(policy_bridge_limit(policy_limit_names[i], &l));
		assert_string_equal(pw_limit_name(l), policy_limit_names[i]);
		n++;
	}
	assert_int_equal(n, PW_LIMIT_COUNT_);
}

static void
test_bridge(void **state)
{
	struct policy *p = NULL;
	struct pw_scanner *sc = NULL;
	struct policy_error err;

	(void)state;
	assert_int_equal(policy_load_string(full_config, "full", &p, &err), 0);
	assert_int_equal(policy_bridge_scanner(p, &sc), PW_OK);
	assert_non_null(sc);
	pw_scanner_free(sc);
	policy_free(p);
}

/* rescan_interval: a default for every root and per-root values; the
 * effective configuration writes it back so that it parses the same. */
static void
test_rescan_interval(void **state)
{
	struct policy *p = NULL, *q = NULL;
	struct policy_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	assert_int_equal(policy_load_string(
			     "[watch]\nroots = /a, /b, /c\n"
			     "rescan_interval = 600, /b=30\n",
			     "r", &p, &err),
			 0);
	assert_int_equal(policy_rescan_interval(p, "/a"), 600);
	assert_int_equal(policy_rescan_interval(p, "/b"), 30);
	assert_int_equal(policy_rescan_interval(p, "/bb"), 600);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	assert_int_equal(policy_write(p, mem), 0);
	fclose(mem);
	assert_int_equal(policy_load_string(text, "w", &q, &err), 0);
	assert_int_equal(policy_rescan_interval(q, "/b"), 30);
	assert_int_equal(policy_rescan_interval(q, "/c"), 600);
	free(text);
	policy_free(p);
	policy_free(q);
	assert_int_equal(policy_load_string("[watch]\nroots = /a\n", "n", &p,
					    &err),
			 0);
	assert_int_equal(policy_rescan_interval(p, "/a"), 0);
	policy_free(p);
}

struct bad {
	const char *text;
	unsigned line;
	const char *key;
	const char *msg;	/* a substring of the message */
};

static const struct bad bad_inputs[] = {
	/* control characters inside a line (found by the policy fuzzer:
	 * a root ending in form feeds read back without them) */
	{"[watch]\nroots = /a\f\f/ # x\n", 2, "", "control character 0x0c"},
	{"[watch]\nroots = /a\rb\n", 2, "", "control character 0x0d"},
	{"[agent]\non_quarantine = /bin/x \x1b[2J\n", 2, "",
	 "control character 0x1b"},
	{"[watch]\nroots = /a\x7f\n", 2, "", "control character 0x7f"},
	/* no quote character can give this pattern back (fuzzer) */
	{"[watch]\nexclude = a'b\"c\\ # x\n", 2, "watch.exclude",
	 "both quote characters"},
	{"[watch]\nrescan_interval = 0\n", 2, "watch.rescan_interval",
	 "expected SECONDS"},
	{"[watch]\nrescan_interval = /x=ten\n", 2, "watch.rescan_interval",
	 "expected SECONDS"},
	{"[watch]\nrescan_interval = rel=5\n", 2, "watch.rescan_interval",
	 "absolute"},
	{"[nope]\n", 1, "nope", "unknown section"},
	{"[watch]\nroot = /x\n", 2, "watch.root", "unknown key"},
	{"[watch]\nroots = /a\n\nRoots = /b\n", 4, "watch.roots",
	 "duplicate key (first given on line 2)"},
	{"[log]\nfacility = user\n[log]\n", 3, "log", "section given twice"},
	{"roots = /x\n[watch]\n", 1, "roots", "outside of any"},
	{"[watch]\nroots = /a, \\\n /b\n", 2, "", "continuation"},
	{"[watch\n", 1, "", "malformed section"},
	{"[watch] x\n", 1, "", "malformed section"},
	{"[watch]\njust words\n", 2, "", "expected 'key = value'"},
	{"[watch]\n = /x\n", 2, "", "empty key"},
	{"[watch]\nroots = \"/a\", \"/b\"\n", 2, "", "quoted as a whole"},
	{"[watch]\nroots = relative/dir\n", 2, "watch.roots", "absolute"},
	{"[watch]\nroots = $PW_TEST_UNSET/x\n", 2, "watch.roots", "unset"},
	{"[watch]\nroots = ${PW_TEST_DIR\n", 2, "watch.roots", "${NAME}"},
	{"[watch]\nroots = /a$-\n", 2, "watch.roots", "$NAME"},
	{"[watch]\nroots = /a,,/b\n", 2, "watch.roots", "empty item"},
	{"[watch]\nexclude = ~/x, $PW_TEST_UNSET/y\n", 2, "watch.exclude",
	 "unset"},
	{"[actions]\nmalicious = delete\n", 2, "actions.malicious",
	 "none, log or quarantine"},
	{"[actions]\nmalicious = none\n", 2, "actions.malicious",
	 "at least logged"},
	{"[actions]\nharmless = log\n", 2, "actions.harmless", "unknown key"},
	{"[globals]\nallow = os\n", 2, "globals.allow", "module.name"},
	{"[globals]\nallow = *\n", 2, "globals.allow", "module.name"},
	{"[globals]\ndeny = a..b\n", 2, "globals.deny", "module.name"},
	{"[globals]\ndeny = a.*.b\n", 2, "globals.deny", "module.name"},
	{"[globals]\ndeny = 1a.b\n", 2, "globals.deny", "module.name"},
	{"[globals]\nallow = a.b c.d\n", 2, "globals.allow", "module.name"},
	{"[trusted]\nx = 1234\n", 2, "trusted.x", "64 hex"},
	{"[trusted]\nx = zz34567890123456789012345678901234567890123456789012"
	 "345678901234\n", 2, "trusted.x", "64 hex"},
	{"[trusted]\nbad/label = 0\n", 2, "trusted.bad/label", "labels"},
	{"[trusted]\na = 0000000000000000000000000000000000000000000000000000"
	 "000000000000\nA = 0000000000000000000000000000000000000000000000000"
	 "000000000000000\n", 3, "trusted.a", "duplicate"},
	{"[limits]\nmax_depth = 0\n", 2, "limits.max_depth", "positive"},
	{"[limits]\nmax_depth = -1\n", 2, "limits.max_depth", "positive"},
	{"[limits]\nmax_depth = 12x\n", 2, "limits.max_depth", "positive"},
	{"[limits]\nmax_depth = 99999999999999999999\n", 2, "limits.max_depth",
	 "positive"},
	{"[limits]\nmax_depth = 99999999999999999T\n", 2, "limits.max_depth",
	 "positive"},
	{"[limits]\nmax_depth =\n", 2, "limits.max_depth", "positive"},
	{"[limits]\nmax_speed = 3\n", 2, "limits.max_speed", "unknown key"},
	{"[quarantine]\ndirectory = q\n", 2, "quarantine.directory",
	 "absolute"},
	{"[quarantine]\ndir = /q\n", 2, "quarantine.dir", "unknown key"},
	{"[log]\nfacility = kern\n", 2, "log.facility", "local0"},
	{"[agent]\nworkers = 0\n", 2, "agent.workers", "1 to 64"},
	{"[agent]\nworkers = 65\n", 2, "agent.workers", "1 to 64"},
	{"[agent]\nworkers = two\n", 2, "agent.workers", "integer"},
	{"[agent]\nqueue_length = 0\n", 2, "agent.queue_length", "1 to"},
	{"[agent]\nqueue_length = 1048577\n", 2, "agent.queue_length", "1 to"},
	{"[agent]\nwatchdog_sec = 86401\n", 2, "agent.watchdog_sec", "86400"},
	{"[agent]\nstate_dir = ./s\n", 2, "agent.state_dir", "absolute"},
	{"[agent]\nsandbox = maybe\n", 2, "agent.sandbox", "yes or no"},
	{"[agent]\nworker_memory = 63\n", 2, "agent.worker_memory", "64 to"},
	{"[agent]\nworker_memory = 1048577\n", 2, "agent.worker_memory",
	 "64 to"},
	{"[agent]\nworker_cpu_seconds = 86401\n", 2,
	 "agent.worker_cpu_seconds", "86400"},
	{"[agent]\nworker_scans = 1000001\n", 2, "agent.worker_scans",
	 "1000000"},
	{"[agent]\nscan_deadline = 86401\n", 2, "agent.scan_deadline",
	 "86400"},
	{"[agent]\nscan_deadline = -1\n", 2, "agent.scan_deadline",
	 "integer"},
	{"[agent]\nworker_user = -root\n", 2, "agent.worker_user",
	 "user name"},
	{"[agent]\nworker_user = a b\n", 2, "agent.worker_user",
	 "user name"},
	{"[agent]\nworker_user = abcdefghijabcdefghijabcdefghijabc\n", 2,
	 "agent.worker_user", "user name"},
};

static void
check_bad(const struct bad *b, const char *text, size_t len, bool as_file)
{
	struct policy *sentinel = (struct policy *)&sentinel, *p = sentinel;
	struct policy_error err;
	char *path = NULL;
	char buf[2048];
	int rc;

	memset(&err, 0, sizeof(err));
	errno = 0;
	if (as_file) {
		path = write_tmp("bad.ini", text, len);
		rc = policy_load_file(path, &p, &err);
	} else {
		rc = policy_load_string(text, "str", &p, &err);
	}
	if (rc == 0)
		fail_msg("accepted: %s", text);
	assert_int_equal(errno, EINVAL);
	/* *ret is written only on success. */
	assert_ptr_equal(p, sentinel);
	assert_string_equal(err.file, as_file ? path : "str");
	if (err.line != b->line || strcmp(err.key, b->key) != 0 ||
	    !strstr(err.message, b->msg))
		fail_msg("for %s\ngot %s", text,
			 policy_error_format(&err, buf, sizeof(buf)));
	if (as_file) {
		unlink(path);
		free(path);
	}
}

static void
test_bad_inputs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		check_bad(&bad_inputs[i], bad_inputs[i].text,
			  strlen(bad_inputs[i].text), false);
		check_bad(&bad_inputs[i], bad_inputs[i].text,
			  strlen(bad_inputs[i].text), true);
	}
}

/* iniparser rejects a whole file from 1023 characters on; we name the
 * line first, and accept 1022. */
static void
test_long_lines(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;
	char text[1200];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "[globals]\nallow = ");
	/* fill the line to exactly POLICY_MAX_LINE with a valid pattern */
	memset(text + n, 'a', POLICY_MAX_LINE - 8 - 2);
	memcpy(text + n + POLICY_MAX_LINE - 10, ".b\n", 4);
	assert_int_equal(strlen(strchr(text, '\n') + 1), POLICY_MAX_LINE + 1);
	assert_int_equal(policy_load_string(text, "s", &p, &err), 0);
	assert_int_equal(strlen(sv(&p->allow_globals, 0)), POLICY_MAX_LINE - 8);
	policy_free(p);

	/* one more character, also in a comment and without a newline */
	memcpy(text + n + POLICY_MAX_LINE - 10, "a.b\n", 5);
	p = NULL;
	assert_int_equal(policy_load_string(text, "s", &p, &err), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.message, "longer than 1022"));
	text[strlen(text) - 1] = '\0';
	assert_int_equal(policy_load_string(text, "s", &p, &err), -1);
	assert_int_equal(err.line, 2);
	memset(text, ';', 1023);
	text[1023] = '\0';
	assert_int_equal(policy_load_string(text, "s", &p, &err), -1);
	assert_int_equal(err.line, 1);
	assert_null(p);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "[watch]\nexclude = a\0b\n";
	struct policy *p = NULL;
	struct policy_error err;
	char *path;

	(void)state;
	path = write_tmp("nul.ini", text, sizeof(text) - 1);
	assert_int_equal(policy_load_file(path, &p, &err), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.message, "NUL"));
	assert_null(p);
	unlink(path);
	free(path);
}

static void
test_syntax_tolerated(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# a BOM, comments, blanks, CRLF, spaces\r\n"
		"  [ watch ]  \r\n"
		"\troots   =   /a   \r\n"
		"exclude =\r\n"
		"[globals]\n"
		"allow = 'x.y'\n"
		"[quarantine]\ndirectory = \"/q;x#y\"\n"
		"[agent]\nworkers = 3 ; comment\n";
	struct policy *p = NULL;
	struct policy_error err;
	char buf[512];

	(void)state;
	if (policy_load_string(text, "s", &p, &err) != 0)
		fail_msg("%s", policy_error_format(&err, buf, sizeof(buf)));
	assert_int_equal(p->roots.n, 1);
	assert_string_equal(sv(&p->roots, 0), "/a");
	assert_int_equal(p->exclude.n, 0);
	assert_string_equal(sv(&p->allow_globals, 0), "x.y");
	/* Quoted, ';' and '#' are data. */
	assert_string_equal(p->quarantine_dir, "/q;x#y");
	assert_int_equal(p->workers, 3);
	policy_free(p);
}

static void
test_quoted_value_validation(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;

	(void)state;
	/* Inside quotes ';' is data, so the item is not a valid pattern. */
	assert_int_equal(policy_load_string("[globals]\ndeny = \"a.b;c\"\n",
					    "s", &p, &err), -1);
	assert_string_equal(err.key, "globals.deny");
	/* Empty file and comment-only file: defaults. */
	assert_int_equal(policy_load_string("", "s", &p, &err), 0);
	assert_int_equal(p->roots.n, 3);
	policy_free(p);
	p = NULL;
	assert_int_equal(policy_load_string("; nothing\n", "s", &p, &err), 0);
	policy_free(p);
}

/* A good config truncated at every byte loads or fails cleanly. */
static void
test_truncated_everywhere(void **state)
{
	size_t len = strlen(full_config), i;
	char *copy = malloc(len + 1);

	(void)state;
	assert_non_null(copy);
	for (i = 0; i <= len; i++) {
		struct policy *p = NULL;
		struct policy_error err;

		memcpy(copy, full_config, i);
		copy[i] = '\0';
		if (policy_load_string(copy, "t", &p, &err) == 0) {
			assert_non_null(p);
			policy_free(p);
		} else {
			assert_null(p);
			assert_true(err.message[0] != '\0');
		}
	}
	free(copy);
}

/* Random byte flips, inserted newlines, quotes and brackets: every
 * mutant loads or fails with a message, never crashes (ASan watches). */
static void
test_mutations(void **state)
{
	static const char poke[] = "\n\r\"'[]=;#\\$~,\xff\x80 *.";
	size_t len = strlen(full_config), i, j;
	char *copy = malloc(len + 1);
	unsigned seed = 12345;

	(void)state;
	assert_non_null(copy);
	for (i = 0; i < 20000; i++) {
		struct policy *p = NULL;
		struct policy_error err;

		memcpy(copy, full_config, len + 1);
		for (j = 0; j < 1 + i % 4; j++) {
			size_t at = (size_t)rand_r(&seed) % len;

			copy[at] = (rand_r(&seed) & 1) ?
				   poke[(size_t)rand_r(&seed) % (sizeof(poke) - 1)] :
				   (char)(1 + rand_r(&seed) % 255);
		}
		memset(&err, 0, sizeof(err));
		if (policy_load_string(copy, "m", &p, &err) == 0)
			policy_free(p);
		else
			assert_true(err.message[0] != '\0');
	}
	free(copy);
}

static void
test_write_round_trip(void **state)
{
	struct policy *p = NULL, *q = NULL;
	struct policy_error err;
	char *buf = NULL, msg[512];
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(policy_load_string(full_config, "full", &p, &err), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(policy_write(p, f), 0);
	fclose(f);
	if (policy_load_string(buf, "written", &q, &err) != 0)
		fail_msg("%s\n%s", policy_error_format(&err, msg, sizeof(msg)),
			 buf);
	check_full(q);
	policy_free(p);
	policy_free(q);
	free(buf);
}

/* Values at the edges of what the writer must give back as read (each
 * class found by the policy fuzzer): a pattern or a path ending in '\',
 * paths ending in blanks, a command holding ';' or both quote kinds; and
 * a list that fits its line only before "~" is expanded, refused with its
 * line since check-config could not print it. */
static void
test_write_edges(void **state)
{
	static const char *const texts[] = {
		"[watch]\nexclude = \"a\\, b\\\"\n",
		"[watch]\nroots = /a\\, /b\\ /\n",
		"[quarantine]\ndirectory = /q\\/\n[agent]\nstate_dir = /s /\n",
		"[agent]\non_quarantine = \"/bin/x ;y\\\"\n",
		"[agent]\non_quarantine = \"/bin/x '#\"\n",
		"[agent]\non_quarantine = '/bin/x \"#'\n",
		"[agent]\non_quarantine = /bin/x \"a' b\n",
		"[signing]\nkeys = /k /, /k2\\/\n",
		"[signing]\nrequire_signature = no, enforce:/m /\n",
		"[watch]\nexclude = a\"b\\ # the other quote\n",
	};
	struct policy *p = NULL, *q = NULL;
	struct policy_error err;
	char *b1 = NULL, *b2 = NULL, msg[512], text[1100];
	size_t i, l1, l2, n;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (policy_load_string(texts[i], "t", &p, &err) != 0)
			fail_msg("%s: %s", texts[i],
				 policy_error_format(&err, msg, sizeof(msg)));
		f = open_memstream(&b1, &l1);
		assert_int_equal(policy_write(p, f), 0);
		fclose(f);
		if (policy_load_string(b1, "t", &q, &err) != 0)
			fail_msg("%s: dump does not load: %s\n%s", texts[i],
				 policy_error_format(&err, msg, sizeof(msg)),
				 b1);
		f = open_memstream(&b2, &l2);
		assert_int_equal(policy_write(q, f), 0);
		fclose(f);
		if (l1 != l2 || memcmp(b1, b2, l1) != 0)
			fail_msg("%s: dump changed:\n%s\n---\n%s", texts[i],
				 b1, b2);
		policy_free(p);
		policy_free(q);
		free(b1);
		free(b2);
		p = q = NULL;
		b1 = b2 = NULL;
	}
	/* the same values survive, not only the dump */
	assert_int_equal(policy_load_string(texts[1], "t", &p, &err), 0);
	assert_string_equal(sv(&p->roots, 0), "/a\\");
	assert_string_equal(sv(&p->roots, 1), "/b\\ ");
	policy_free(p);
	assert_int_equal(policy_load_string(texts[3], "t", &p, &err), 0);
	assert_string_equal(p->on_quarantine, "/bin/x ;y\\");
	policy_free(p);

	/* "~/x" items: 1000 characters as written, over 1022 expanded */
	n = (size_t)snprintf(text, sizeof(text), "[log]\nfacility = user\n"
			     "[watch]\nroots = ~/a");
	while (n < 1000 - 5)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ", ~/a");
	text[n++] = '\n';
	text[n] = '\0';
	p = NULL;
	assert_int_equal(policy_load_string(text, "t", &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.key, "watch.roots");
	assert_non_null(strstr(err.message, "once ~ and $VARS are expanded"));
}

static void
test_find_and_load(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;
	char *dir, *path;

	(void)state;
	assert_true(asprintf(&dir, "%s/cfg/picklewarden", tmpdir) > 0);
	assert_true(asprintf(&path, "%s/picklewarden.ini", dir) > 0);
	setenv("XDG_CONFIG_HOME", "/nonexistent-pw-test", 1);
	/* No user file; the system file is not installed in the build
	 * tree's prefix during tests, or is valid if it is. */
	if (policy_find_and_load(NULL, &p, &err) == 0)
		policy_free(p);
	p = NULL;

	{
		char *cmd;

		assert_true(asprintf(&cmd, "mkdir -p '%s'", dir) > 0);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("[agent]\nworkers = 7\n", f);
		fclose(f);
	}
	{
		char *cfg;

		assert_true(asprintf(&cfg, "%s/cfg", tmpdir) > 0);
		setenv("XDG_CONFIG_HOME", cfg, 1);
		free(cfg);
	}
	assert_int_equal(policy_find_and_load(NULL, &p, &err), 0);
	assert_int_equal(p->workers, 7);
	assert_string_equal(p->source, path);
	policy_free(p);
	p = NULL;

	/* A broken user file is an error, never a silent fallback. */
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("[agent]\nworkers = 700\n", f);
		fclose(f);
	}
	assert_int_equal(policy_find_and_load(NULL, &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 2);

	/* An explicit path must exist. */
	assert_int_equal(policy_find_and_load("/nonexistent-pw-test.ini", &p,
					      &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(err.line, 0);
	unlink(path);
	rmdir(dir);
	free(dir);
	free(path);
}

static void
test_error_format(void **state)
{
	struct policy_error e;
	char buf[256];

	(void)state;
	memset(&e, 0, sizeof(e));
	strcpy(e.file, "f.ini");
	e.line = 3;
	strcpy(e.key, "watch.roots");
	strcpy(e.message, "bad");
	assert_string_equal(policy_error_format(&e, buf, sizeof(buf)),
			    "f.ini:3: watch.roots: bad");
	e.line = 0;
	e.key[0] = '\0';
	assert_string_equal(policy_error_format(&e, buf, sizeof(buf)),
			    "f.ini: bad");
	assert_string_equal(policy_error_format(&e, buf, 4), "f.i");
}

static void
test_no_home(void **state)
{
	struct policy *p = NULL;
	struct policy_error err;

	(void)state;
	/* $HOME relative: the password database gives root's home here. */
	setenv("HOME", "relative", 1);
	assert_int_equal(policy_defaults(&p, &err), 0);
	assert_true(p->quarantine_dir[0] == '/');
	policy_free(p);
	p = NULL;
	assert_int_equal(policy_load_string("[watch]\nroots = ~/x\n", "s", &p,
					    &err), 0);
	assert_true(sv(&p->roots, 0)[0] == '/');
	policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_defaults_env, setup),
		cmocka_unit_test_setup(test_every_key, setup),
		cmocka_unit_test_setup(test_limit_names_match_scanner, setup),
		cmocka_unit_test_setup(test_bridge, setup),
		cmocka_unit_test_setup(test_bad_inputs, setup),
		cmocka_unit_test_setup(test_long_lines, setup),
		cmocka_unit_test_setup(test_nul_byte, setup),
		cmocka_unit_test_setup(test_syntax_tolerated, setup),
		cmocka_unit_test_setup(test_quoted_value_validation, setup),
		cmocka_unit_test_setup(test_truncated_everywhere, setup),
		cmocka_unit_test_setup(test_mutations, setup),
		cmocka_unit_test_setup(test_write_round_trip, setup),
		cmocka_unit_test_setup(test_write_edges, setup),
		cmocka_unit_test_setup(test_find_and_load, setup),
		cmocka_unit_test_setup(test_error_format, setup),
		cmocka_unit_test_setup(test_no_home, setup),
		cmocka_unit_test_setup(test_rescan_interval, setup),
	};
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
