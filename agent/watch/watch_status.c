/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_status.c - the agent's status as text: `picklewarden status`
 * and SIGUSR1 (which logs it).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli/decide_after.h"
#include "agent/store/escape.h"
#include "agent/watch/watch_int.h"

static void
add(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
add(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n + 1 >= cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n = (size_t)w >= cap - *n ? cap - 1 : *n + (size_t)w;
}

size_t
watch_status_text(struct watcher *w, char *buf, size_t cap)
{
	static char recent[DECIDE_RECENT][DECIDE_SHORT_MAX];
	char esc[1024];
	size_t n = 0, i, nr;

	buf[0] = '\0';
	add(buf, cap, &n, "picklewarden agent pid %ld: %s\n", (long)getpid(),
	    w->phase == WATCH_PHASE_STARTUP ? "start-up scan"
	    : w->phase == WATCH_PHASE_RESCAN ? "rescanning" : "watching");
	add(buf, cap, &n, "roots:\n");
	for (i = 0; i < w->nroots; i++) {
		escape_text_buf(w->roots[i].path, esc, sizeof(esc));
		add(buf, cap, &n, "  %s%s\n", esc,
		    w->roots[i].present ? "" : " (missing: watched for)");
	}
	add(buf, cap, &n,
	    "directories watched: %zu\nanalysed: %" PRIu64
	    "\nfrom cache: %" PRIu64 "\nquarantined: %" PRIu64
	    "\nfailed: %" PRIu64 "\nqueue depth: %zu\n",
	    watch_table_count(w->table),
	    __atomic_load_n(&w->sh.analysed, __ATOMIC_RELAXED),
	    __atomic_load_n(&w->sh.cached, __ATOMIC_RELAXED),
	    __atomic_load_n(&w->sh.quarantined, __ATOMIC_RELAXED),
	    __atomic_load_n(&w->sh.failed, __ATOMIC_RELAXED),
	    workqueue_busy(w->wq));
	/* Only the loop thread calls this: the static copy is its own. */
	nr = decide_recent(recent, DECIDE_RECENT);
	add(buf, cap, &n, "last decisions:%s\n", nr ? "" : " none");
	for (i = 0; i < nr; i++)
		add(buf, cap, &n, "  %s\n", recent[i]);	/* escaped already */
	return n;
}
