/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_log.c - decision lines stay one line and keep their fields intact
 * whatever the file names and findings contain; logging from many threads
 * gives whole lines.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/store/log.h"
#include "picklewarden.h"

static const char hostile[] =
	"/cache/evil\nFAKE action=none verdict=clean\r\x1b[2J\t\x7f"
	"\xff\xfe\xc3\x28\xed\xa0\x80 \"quoted\" back\\slash \xe2\x9c\x93.bin";

static struct scan_result *
result_with(const char *global, const char *reason, const char *location)
{
	struct scan_result *r = NULL;
	struct pw_finding f = {
		.severity = PW_SEV_MALICIOUS, .kind = PW_KIND_IMPORT,
		.global = global, .opcode = "STACK_GLOBAL", .offset = 77,
		.location = location, .reason = reason,
	};

	r = scan_result_new();
	assert_non_null(r);
	assert_int_equal(scan_result_set_format(r, "pytorch-zip"), 0);
	assert_int_equal(scan_result_add(r, &f), 0);
	return r;
}

/* One line, printable ASCII or valid UTF-8, no raw '"' inside values. */
static void
assert_one_clean_line(const char *line)
{
	const unsigned char *p = (const unsigned char *)line;

	for (; *p; p++) {
		assert_false(*p < 0x20 || *p == 0x7f);
		if (*p >= 0x80) {
			/* valid UTF-8: only the check mark survives raw */
			assert_int_equal(memcmp(p, "\xe2\x9c\x93", 3), 0);
			p += 2;
		}
	}
}

/* The keys of a decision line, as a log parser would split it: bare
 * values end at a space, quoted ones at an unescaped '"'. */
static const char *
field_keys(const char *line)
{
	static char keys[256];
	const char *p = strchr(line, ' ');
	size_t n = 0;

	keys[0] = '\0';
	while (p && *p == ' ') {
		const char *eq = strchr(++p, '=');

		assert_non_null(eq);
		n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%.*s",
				      n ? " " : "", (int)(eq - p), p);
		p = eq + 1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\')
					p++;
			assert_int_equal(*p, '"');
			p++;
		} else {
			p += strcspn(p, " ");
		}
	}
	assert_int_equal(p ? *p : 0, 0);
	return keys;
}

static void
test_hostile_path(void **state)
{
	struct scan_result *r = result_with("posix.system\nx=1", "bad\n\"x\"",
					  "archive/da\nta.pkl");
	struct log_decision d = {
		.action = "quarantine", .path = hostile,
		.sha256 = "00112233445566778899aabbccddeeff"
			  "00112233445566778899aabbccddeeff",
		.result = r, .quarantine_id = "20261126T000000Z-001122334455-x",
	};
	char line[LOG_LINE_MAX];
	int prio;

	(void)state;
	prio = log_format_decision(&d, line, sizeof(line));
	assert_int_equal(prio, LOG_WARNING);
	assert_one_clean_line(line);
	assert_non_null(strstr(line, "decision action=quarantine "
				     "verdict=malicious path=\""));
	assert_non_null(strstr(line, "\\nFAKE action=none verdict=clean\\r"
				     "\\x1b[2J\\t\\x7f\\xff\\xfe\\xc3(\\xed"
				     "\\xa0\\x80 \\\"quoted\\\" back\\\\slash"));
	/* the fields after the path are still ours */
	assert_non_null(strstr(line, "\" sha256=\"0011"));
	assert_non_null(strstr(line, " format=\"pytorch-zip\" findings=1 "
				     "id=\"20261126T000000Z-001122334455-x\""));
	assert_non_null(strstr(line, " top=\"malicious import posix.system"
				     "\\nx=1 in archive/da\\nta.pkl@77: bad"
				     "\\n\\\"x\\\"\""));
	/* Parsed as key=value / key="escaped": the fake fields inside the
	 * path stay inside the path. */
	assert_string_equal(field_keys(line),
			    "action verdict path sha256 format findings id top");
	scan_result_free(r);
}

static void
test_truncation(void **state)
{
	char *path = malloc(100001), line[LOG_LINE_MAX];
	struct scan_result *r;
	struct log_decision d = {.action = "log"};
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++)
		path[i] = i % 3 ? '\n' : '\xff';
	path[100000] = '\0';
	r = result_with(path, path, path);
	d.path = path;
	d.result = r;
	d.error = path;
	assert_int_equal(log_format_decision(&d, line, sizeof(line)), LOG_ERR);
	assert_true(strlen(line) < LOG_LINE_MAX);
	assert_one_clean_line(line);
	assert_non_null(strstr(line, "...\""));
	/* small buffers: still terminated, never overrun */
	for (i = 1; i < 64; i++) {
		char small[64];

		memset(small, 'Z', sizeof(small));
		log_format_decision(&d, small, i);
		assert_true(strlen(small) < i);
	}
	scan_result_free(r);
	free(path);
}

static void
test_priorities(void **state)
{
	struct scan_result *r = NULL;
	struct log_decision d = {.action = "log", .path = "/x"};
	struct pw_finding f = {.severity = PW_SEV_SUSPICIOUS,
			       .kind = PW_KIND_IMPORT, .global = "a.B",
			       .location = "", .reason = "unknown"};
	char line[LOG_LINE_MAX];

	(void)state;
	r = scan_result_new();
	assert_non_null(r);
	d.result = r;
	assert_int_equal(log_format_decision(&d, line, sizeof(line)), LOG_INFO);
	assert_non_null(strstr(line, "verdict=clean"));
	assert_null(strstr(line, "top="));
	assert_int_equal(scan_result_add(r, &f), 0);
	assert_int_equal(log_format_decision(&d, line, sizeof(line)),
			 LOG_NOTICE);
	f.severity = PW_SEV_ERROR;
	f.kind = PW_KIND_LIMIT;
	f.global = NULL;
	f.reason = "max_opcodes";
	assert_int_equal(scan_result_add(r, &f), 0);
	assert_int_equal(log_format_decision(&d, line, sizeof(line)),
			 LOG_WARNING);
	/* the worst finding comes first */
	assert_non_null(strstr(line, "top=\"error limit@0: max_opcodes; "
				     "suspicious import a.B@0: unknown\""));
	d.result = NULL;
	assert_int_equal(log_format_decision(&d, line, sizeof(line)), LOG_INFO);
	assert_string_equal(line, "decision action=log path=\"/x\"");
	scan_result_free(r);
}

/* Captures what the foreground copy writes to stderr. */
static char *
capture_stderr(void (*fn)(void))
{
	char tmpl[] = "/tmp/pw-log-XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2);
	char *buf = calloc(1, 1 << 20);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0 && buf);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, (1 << 20) - 1, 0);
	assert_true(n >= 0);
	close(fd);
	unlink(tmpl);
	return buf;
}

static void
free_form(void)
{
	log_open("picklewarden-test", LOG_USER, true);
	log_error("two\nlines\rand\x1b escape %d", 7);
	log_info("plain");
	log_close();
}

static void
test_free_form_one_line(void **state)
{
	char *out = capture_stderr(free_form);

	(void)state;
	assert_string_equal(out,
			    "picklewarden-test: error: two lines and  escape 7\n"
			    "picklewarden-test: info: plain\n");
	free(out);
}

#define THREADS 8
#define PER_THREAD 300

static void *
spam(void *arg)
{
	struct log_decision d = {.action = "log", .path = arg};
	int i;

	for (i = 0; i < PER_THREAD; i++)
		log_decision(&d);
	return NULL;
}

static void
threaded(void)
{
	pthread_t t[THREADS];
	static char paths[THREADS][32];
	int i;

	log_open("pw", LOG_USER, true);
	for (i = 0; i < THREADS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/t%d\nx", i);
		assert_int_equal(pthread_create(&t[i], NULL, spam, paths[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	log_close();
}

static void
test_threads_whole_lines(void **state)
{
	char *out = capture_stderr(threaded), *line, *save = NULL;
	size_t n = 0;

	(void)state;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(strncmp(line, "pw: info: decision action=log "
					 "path=\"/t", 30), 0);
		assert_non_null(strstr(line, "\\nx\""));
		n++;
	}
	assert_int_equal(n, THREADS * PER_THREAD);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_path),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_free_form_one_line),
		cmocka_unit_test(test_threads_whole_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
