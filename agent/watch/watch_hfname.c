/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_hfname.c - the Hugging Face name of a blob quarantined before its
 * snapshot link existed.
 *
 * huggingface_hub renames a blob into place and links it from
 * snapshots/<rev>/<file> just after.  A blob quarantined at its rename
 * may have no link yet: decide_describe_late looks once, without waiting
 * (a worker that slept there held back every queued file), and the short
 * line then names only the blob.  Here the watcher finishes the job when
 * the link appears: a new symlink in snapshots/<rev>/ whose target blob is
 * now our tombstone gets one short line naming the file, in
 * decide_log_short's format:
 *   quarantined pytorch_model.bin from models--org--name@0123456:
 *   <reason> (id <id>)
 * The tombstone holds the id and the reason; the id must name an entry of
 * our quarantine store (a tombstone anyone could write is not enough).
 * When the link wins the race (the blob is still being judged, or moved
 * away and its tombstone not yet written), it is looked at again a few
 * times from the loop's timers, never by waiting.  A tombstone whose file
 * line already names a snapshot file was logged with its name: nothing
 * more is said.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/hf.h"
#include "agent/store/log.h"
#include "agent/store/tombstone.h"
#include "agent/watch/watch_int.h"

/* First re-check after this, doubling, this many times (~3 s in all:
 * a quarantine takes milliseconds, a slow scan's is already running). */
#define HFNAME_FIRST_MS 50u
#define HFNAME_TRIES 6u

enum hfname_result {
	HFNAME_DONE = 0,	/* logged, or nothing to say */
	HFNAME_LATER = 1,	/* the blob may be being quarantined */
};

/* The blob the link names, as a path: "<repo folder>/blobs/<sha>". */
static int
blob_of(const char *link, const struct hf_location *loc, char *out,
	size_t cap)
{
	char target[PATH_MAX];
	const char *sha;
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	int w;

	if (n <= 0)
		return -1;
	target[n] = '\0';
	if (!hf_link_stays_in_repo(link, target))
		return -1;
	sha = strrchr(target, '/');
	sha = sha ? sha + 1 : target;
	w = snprintf(out, cap, "%.*s/blobs/%s", (int)loc->repo_dir_len, link,
		     sha);
	return w > 0 && (size_t)w < cap ? 0 : -1;
}

/* The value of the tombstone line starting with key ("# id: "), copied
 * into out; false when absent. */
static bool
line_value(const char *text, const char *key, char *out, size_t cap)
{
	const char *p = strstr(text, key), *end;
	size_t n;

	if (p == NULL)
		return false;
	p += strlen(key);
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* True when id looks like a quarantine ID and names an entry of ours. */
static bool
id_is_ours(const struct watcher *w, const char *id)
{
	char path[PATH_MAX];
	struct stat st;
	const char *p;

	if (id[0] == '\0' || w->qdir_real == NULL)
		return false;
	for (p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '-'))
			return false;
	if (snprintf(path, sizeof(path), "%s/%s", w->qdir_real, id) >=
	    (int)sizeof(path))
		return false;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* True while a worker judges path (its quarantine may be under way). */
static bool
being_judged(struct watcher *w, const char *path)
{
	bool busy = false;
	int i;

	pthread_mutex_lock(&w->sh.lock);
	for (i = 0; i < WATCH_MAX_RUNNING && !busy; i++)
		busy = w->sh.running[i].path != NULL &&
		       strcmp(w->sh.running[i].path, path) == 0;
	pthread_mutex_unlock(&w->sh.lock);
	return busy;
}

static enum hfname_result
check_link(struct watcher *w, const char *link)
{
	struct hf_location loc;
	char blob[PATH_MAX], text[TOMBSTONE_MAX + 1], file[1024], id[128];
	char verdict[1024], what[1600], ewhat[2000], ereason[1200], eid[200];
	const char *reason;
	int rc;

	if (!hf_parse_path(link, &loc) || loc.is_blob || !loc.revision[0] ||
	    !loc.file[0] || blob_of(link, &loc, blob, sizeof(blob)) != 0)
		return HFNAME_DONE;
	rc = tombstone_read(blob, text, sizeof(text));
	if (rc != 1)
		/* Moved away and not yet replaced, or still being judged:
		 * its tombstone may come. */
		return rc < 0 || being_judged(w, blob) ? HFNAME_LATER
						       : HFNAME_DONE;
	if (!line_value(text, "\n# id: ", id, sizeof(id)) ||
	    !id_is_ours(w, id))
		return HFNAME_DONE;
	/* Named already (the link existed at the quarantine): "<file> from
	 * <repo>@<rev>"; an unresolved blob has no revision. */
	if (line_value(text, "\n# file: ", file, sizeof(file)) &&
	    (reason = strstr(file, " from ")) != NULL &&
	    strchr(reason, '@') != NULL)
		return HFNAME_DONE;
	if (!line_value(text, "\n# verdict: ", verdict, sizeof(verdict)))
		snprintf(verdict, sizeof(verdict), "malicious");
	reason = strstr(verdict, " - ");
	reason = reason ? reason + 3 : verdict;
	hf_describe(&loc, what, sizeof(what));
	escape_text_buf(what, ewhat, sizeof(ewhat));
	escape_text_buf(reason, ereason, sizeof(ereason));
	escape_text_buf(id, eid, sizeof(eid));
	log_at(LOG_WARNING, "quarantined %s: %s (id %s)", ewhat, ereason,
	       eid);
	return HFNAME_DONE;
}

void
watch_hf_link(struct watcher *w, const char *link)
{
	size_t i;

	if (check_link(w, link) != HFNAME_LATER)
		return;
	for (i = 0; i < WATCH_HFNAME_MAX; i++) {
		if (w->hfname[i].link != NULL)
			continue;
		w->hfname[i].link = strdup(link);
		w->hfname[i].due_ms = watch_now_ms() + HFNAME_FIRST_MS;
		w->hfname[i].tries = 0;
		return;
	}
}

uint64_t
watch_hf_names_run(struct watcher *w, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < WATCH_HFNAME_MAX; i++) {
		struct watch_hfname_wait *h = &w->hfname[i];

		if (h->link == NULL)
			continue;
		if (h->due_ms > now) {
			if (h->due_ms < next)
				next = h->due_ms;
			continue;
		}
		if (check_link(w, h->link) == HFNAME_LATER &&
		    ++h->tries < HFNAME_TRIES) {
			h->due_ms = now + (HFNAME_FIRST_MS << h->tries);
			if (h->due_ms < next)
				next = h->due_ms;
			continue;
		}
		free(h->link);
		h->link = NULL;
	}
	return next;
}

void
watch_hf_names_free(struct watcher *w)
{
	size_t i;

	for (i = 0; i < WATCH_HFNAME_MAX; i++) {
		free(w->hfname[i].link);
		w->hfname[i].link = NULL;
	}
}
