/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_config.c - see watch_config.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/cli/policy_bridge.h"
#include "agent/watch/watch_config.h"

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * What a cached verdict depends on: the effective configuration (globals,
 * limits and actions all change what a file gets) and the scanner that
 * produced it.  The library version alone does not change when the
 * analyser is rebuilt, so the identity of the installed binary is mixed
 * in too: reinstalling picklewarden empties the cache.
 */
static uint64_t
config_tag(const struct policy *policy)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	struct stat st;
	const char *v = pw_version();

	h = fnv1a(h, v, strlen(v) + 1);
	mem = open_memstream(&text, &len);
	if (mem != NULL) {
		(void)policy_write(policy, mem);
		if (fclose(mem) == 0 && text != NULL)
			h = fnv1a(h, text, len);
		free(text);
	}
	if (stat("/proc/self/exe", &st) == 0) {
		uint64_t id[4] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino,
				  (uint64_t)st.st_size,
				  (uint64_t)st.st_mtim.tv_sec};

		h = fnv1a(h, id, sizeof(id));
	}
	return h;
}

static bool
needs_store(const struct policy *p)
{
	int i;

	for (i = 0; i < POLICY_VERDICT_COUNT; i++)
		if (p->action[i] == POLICY_ACTION_QUARANTINE)
			return true;
	return p->error_unreadable == POLICY_ACTION_QUARANTINE;
}

int
watch_config_load(const char *explicit_path, struct watch_config **ret,
		  char *why, size_t cap)
{
	struct watch_config *c = NULL;
	struct policy_error err;
	char buf[1200];
	int rc = -1, st;

	memset(&err, 0, sizeof(err));
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	c->refs = 1;
	if (policy_find_and_load(explicit_path, &c->policy, &err) != 0) {
		policy_error_format(&err, buf, sizeof(buf));
		escape_text_buf(buf, why, cap);
		goto out;
	}
	st = policy_bridge_scanner(c->policy, &c->scanner);
	if (st != PW_OK) {
		snprintf(why, cap, "scanner options: %s", pw_strerror(st));
		goto out;
	}
	/* The workers are forks that hold this scanner: started here,
	 * before any file is read, and replaced with the configuration. */
	if (scan_client_new(c->policy, c->scanner, c->policy->workers, false,
			    &c->client, buf, sizeof(buf)) != 0) {
		snprintf(why, cap, "sandbox: %s", buf);
		goto out;
	}
	if (needs_store(c->policy)) {
		struct quarantine_recovery r;
		int now = QUARANTINE_OK;

		memset(&r, 0, sizeof(r));

		/* A store problem never stops the watcher: the handle checks
		 * the directory again before every move, failed moves are
		 * retried (watch_retry.c), and the files stay logged. */
		st = quarantine_open_lazy(c->policy->quarantine_dir, &c->store,
					  &now);
		if (st != QUARANTINE_OK) {
			snprintf(buf, sizeof(buf), "quarantine %s: %s",
				 c->policy->quarantine_dir,
				 quarantine_strerror(st));
			escape_text_buf(buf, why, cap);
			goto out;
		}
		c->store_status = now;
		c->store_errno = now == QUARANTINE_ERR_IO ? errno : 0;
		/* Moves a kill interrupted: finished or undone now, reported
		 * once the log is open (watch_config_report). */
		if (now == QUARANTINE_OK &&
		    quarantine_recover(c->store, &r) == QUARANTINE_OK)
			c->recovery = r;
	}
	c->tag = config_tag(c->policy);
	*ret = c;
	c = NULL;
	rc = 0;
out:
	watch_config_unref(c);
	return rc;
}

void
watch_config_report(const struct watch_config *c)
{
	const struct quarantine_recovery *r = &c->recovery;
	char buf[512];

	if (c->store == NULL)
		return;
	escape_text_buf(c->policy->quarantine_dir, buf, sizeof(buf));
	if (c->store_status != QUARANTINE_OK)
		log_error("quarantine store unusable path=\"%s\" "
			  "error=\"%s%s%s\"; still watching, failed moves are "
			  "retried", buf, quarantine_strerror(c->store_status),
			  c->store_errno ? ": " : "",
			  c->store_errno ? strerror(c->store_errno) : "");
	if (r->completed || r->undone || r->stuck)
		log_info("quarantine recovery path=\"%s\" finished=%zu "
			 "undone=%zu stuck=%zu busy=%zu", buf, r->completed,
			 r->undone, r->stuck, r->busy);
}

struct watch_config *
watch_config_ref(struct watch_config *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
watch_config_unref(struct watch_config *c)
{
	if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	quarantine_close(c->store);
	scan_client_free(c->client);
	pw_scanner_free(c->scanner);
	policy_free(c->policy);
	free(c);
}

static bool
strv_equal(const struct policy_strv *a, const struct policy_strv *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

bool
watch_config_same_places(const struct watch_config *a,
			 const struct watch_config *b)
{
	const char *qa = a->policy->quarantine_dir, *qb = b->policy->quarantine_dir;

	return strv_equal(&a->policy->roots, &b->policy->roots) &&
	       strv_equal(&a->policy->exclude, &b->policy->exclude) &&
	       strcmp(qa != NULL ? qa : "", qb != NULL ? qb : "") == 0;
}
