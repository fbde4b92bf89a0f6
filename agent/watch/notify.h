/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.h - the systemd service notification protocol, without libsystemd.
 *
 * The protocol is one datagram of "KEY=VALUE\n" lines sent to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an abstract socket
 * when it starts with '@').  When the variable is unset (not started by
 * systemd, or Type= is not notify) every call is a successful no-op, so
 * the agent behaves the same in a terminal.
 */
#ifndef PW_AGENT_NOTIFY_H
#define PW_AGENT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct notify;

/*
 * Reads $NOTIFY_SOCKET and $WATCHDOG_USEC/$WATCHDOG_PID from the
 * environment and opens a datagram socket.  Writes *ret only on success.
 * Returns 0, or -1 with errno set (ENOMEM, EINVAL for a malformed socket
 * name, or a socket() error).
 */
int notify_open(struct notify **ret);
void notify_close(struct notify *n);

/* Sends text (one or more "KEY=VALUE" lines) as one datagram.  Returns 0
 * (also when notification is disabled) or -1 with errno set. */
int notify_send(struct notify *n, const char *text);

/* Sends "STATUS=<text>"; newlines in text are replaced, since a status
 * is one line of the protocol. */
int notify_status(struct notify *n, const char *text);

/* The watchdog ping interval in milliseconds (half of WATCHDOG_USEC, as
 * sd_watchdog_enabled recommends), or 0 when no watchdog is configured
 * for this process. */
uint64_t notify_watchdog_interval_ms(const struct notify *n);

/* True when $NOTIFY_SOCKET was set. */
bool notify_enabled(const struct notify *n);

#endif
