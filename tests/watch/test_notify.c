/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_notify.c - the systemd notify protocol against real datagram
 * sockets: a path and an abstract ('@') name; the watchdog variables.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/watch/notify.h"

static int
bind_dgram(const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + (abstract ? 1 : 0), name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) +
			  1);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
	return fd;
}

static void
expect_datagram(int fd, const char *want)
{
	char buf[1024];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_path_socket(void **state)
{
	char dir[] = "/tmp/pw-notify-XXXXXX", path[128];
	struct notify *n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bind_dgram(path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_open(&n), 0);
	assert_true(notify_enabled(n));
	assert_int_equal(notify_watchdog_interval_ms(n), 0);
	assert_int_equal(notify_send(n, "READY=1"), 0);
	expect_datagram(fd, "READY=1");
	/* A status is one line of the protocol. */
	assert_int_equal(notify_status(n, "two\nlines"), 0);
	expect_datagram(fd, "STATUS=two lines");
	notify_close(n);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void
test_abstract_socket(void **state)
{
	char name[64], env[80];
	struct notify *n;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "pw-notify-test-%ld", (long)getpid());
	fd = bind_dgram(name, true);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_send(n, "WATCHDOG=1"), 0);
	expect_datagram(fd, "WATCHDOG=1");
	notify_close(n);
	close(fd);
}

static void
test_disabled_and_invalid(void **state)
{
	struct notify *n;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_open(&n), 0);
	assert_false(notify_enabled(n));
	assert_int_equal(notify_send(n, "READY=1"), 0);
	notify_close(n);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(notify_open(&n), -1);
	unsetenv("NOTIFY_SOCKET");
	notify_close(NULL);
}

static void
test_watchdog(void **state)
{
	struct notify *n;
	char pid[32];

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "30000000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_watchdog_interval_ms(n), 15000);
	notify_close(n);
	/* Meant for another process (inherited): not ours. */
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_watchdog_interval_ms(n), 0);
	notify_close(n);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_watchdog_interval_ms(n), 15000);
	notify_close(n);
	setenv("WATCHDOG_USEC", "12x", 1);
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_watchdog_interval_ms(n), 0);
	notify_close(n);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	assert_int_equal(notify_open(&n), 0);
	assert_int_equal(notify_watchdog_interval_ms(n), 0);
	notify_close(n);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_disabled_and_invalid),
		cmocka_unit_test(test_watchdog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
