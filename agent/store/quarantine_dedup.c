/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_dedup.c - see quarantine_dedup.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/quarantine_dedup.h"

#define EVENTS_DIR ".events"
/* An event log line we print back is at most this long. */
#define EVENT_LINE_MAX 8192

static bool
hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* The events directory, created on first use; locked (flock) so that two
 * movers of the same content, threads or processes, cannot each fold
 * their entry into the other's. */
static int
events_dir_locked(struct quarantine_store *store)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s/" EVENTS_DIR,
		     quarantine_dir(store)) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
append_event(int dfd, const char *sha256, const char *id, const char *path,
	     const char *verdict)
{
	FILE *f;
	int fd = openat(dfd, sha256,
			O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			0600);

	if (fd < 0)
		return -1;
	f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return -1;
	}
	fprintf(f, "{\"time\":%lld,\"id\":", (long long)time(NULL));
	escape_json_write(f, id);
	fputs(",\"path\":", f);
	escape_json_write(f, path ? path : "");
	fputs(",\"verdict\":", f);
	escape_json_write(f, verdict ? verdict : "");
	fputs("}\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

int
quarantine_dedup(struct quarantine_store *store, const char *new_id,
		 const char *sha256, const char *path, const char *verdict,
		 char *ret_id, size_t cap)
{
	struct quarantine_entry *all = NULL;
	const char *keep = new_id;
	size_t n = 0, i;
	int dfd, rc = QUARANTINE_OK;

	if (!store || !new_id || !sha256 || !hex64(sha256) || !ret_id ||
	    cap < QUARANTINE_ID_MAX)
		return QUARANTINE_ERR_INVALID;
	snprintf(ret_id, cap, "%s", new_id);
	dfd = events_dir_locked(store);
	if (dfd < 0)
		return QUARANTINE_ERR_IO;
	/* Oldest first: the first match is the copy every later one folds
	 * into, so concurrent movers agree on it. */
	if (quarantine_list(store, &all, &n, NULL) == QUARANTINE_OK) {
		for (i = 0; i < n; i++)
			if (strcmp(all[i].id, new_id) != 0 &&
			    all[i].data_present &&
			    strcmp(all[i].sha256, sha256) == 0) {
				keep = all[i].id;
				break;
			}
	}
	if (append_event(dfd, sha256, keep, path, verdict) != 0) {
		rc = QUARANTINE_ERR_IO;
		goto out;
	}
	if (keep != new_id) {
		/* Same bytes already kept: drop the second copy. */
		if (quarantine_purge(store, new_id) != QUARANTINE_OK)
			goto out;	/* two copies: wasteful, not wrong */
		snprintf(ret_id, cap, "%s", keep);
	}
out:
	quarantine_entries_free(all, n);
	close(dfd);	/* releases the lock */
	return rc;
}

size_t
quarantine_events_print(struct quarantine_store *store, const char *sha256,
			FILE *out)
{
	char path[4096], line[EVENT_LINE_MAX];
	size_t count = 0;
	FILE *f;
	int fd;

	if (!store || !sha256 || !hex64(sha256))
		return 0;
	if (snprintf(path, sizeof(path), "%s/" EVENTS_DIR "/%s",
		     quarantine_dir(store), sha256) >= (int)sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *c;

		line[strcspn(line, "\n")] = '\0';
		/* Written by us as JSON (file names already escaped there);
		 * a damaged file still cannot put a control byte out. */
		for (c = line; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		fprintf(out, "event: %s\n", line);
		count++;
	}
	fclose(f);
	return count;
}
