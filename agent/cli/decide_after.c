/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decide_after.c - see decide_after.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "agent/cli/alert.h"
#include "agent/cli/decide_after.h"
#include "agent/cli/report.h"
#include "agent/store/escape.h"
#include "agent/store/log.h"
#include "agent/store/quarantine_dedup.h"
#include "agent/store/tombstone.h"

/* The last short lines, for `status` (process-wide: the agent's decisions
 * come from several worker threads). */
static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;
static char recent[DECIDE_RECENT][DECIDE_SHORT_MAX];
static size_t recent_next, recent_n;

void
decide_describe(const char *path, struct hf_location *hf, char *what,
		size_t cap)
{
	if (path && hf_parse_path(path, hf)) {
		if (hf->is_blob)
			(void)hf_resolve_blob(path, hf);
		hf_describe(hf, what, cap);
		return;
	}
	snprintf(what, cap, "%s", path ? path : "?");
}

void
decide_describe_late(const char *path, struct hf_location *hf, char *what,
		     size_t cap)
{
	/* Only a finished blob gets a snapshot link (made right after
	 * its rename). */
	if (!hf_blob_is_final(hf) || hf->revision[0])
		return;
	if (hf_resolve_blob(path, hf) == 0)
		hf_describe(hf, what, cap);
}

/* "os.system via GLOBAL" (or the reason), not escaped. */
static void
worst(const struct scan_result *res, char *out, size_t cap)
{
	size_t i = res ? report_worst_finding(res) : (size_t)-1;
	const struct pw_finding *f;

	out[0] = '\0';
	if (i == (size_t)-1 || !(f = scan_result_finding(res, i)))
		return;
	if (f->global)
		snprintf(out, cap, "%s via %s", f->global,
			 f->opcode ? f->opcode : "?");
	else
		snprintf(out, cap, "%s", f->reason);
}

void
decide_after_quarantine(const struct policy *policy,
			struct quarantine_store *store,
			const struct decide_subject *subj,
			const struct scan_result *result,
			const struct hf_location *hf, const char *what,
			struct decision *d)
{
	char kept[QUARANTINE_ID_MAX], finding[512], summary[DECIDE_SHORT_MAX];
	const char *verdict = pw_verdict_name(d->verdict);
	bool tomb = false;
	int rc;

	worst(result, finding, sizeof(finding));
	if (d->sha256[0]) {
		rc = quarantine_dedup(store, d->quarantine_id, d->sha256,
				      subj->path, verdict, kept,
				      sizeof(kept));
		if (rc != QUARANTINE_OK)
			log_warning("cannot record the event of %s: %s",
				    d->quarantine_id, quarantine_strerror(rc));
		else if (strcmp(kept, d->quarantine_id) != 0)
			memcpy(d->quarantine_id, kept, sizeof(kept));
	}
	/* Only at a finished blob name: a tombstone at a ".incomplete"
	 * name would be resumed into by huggingface_hub, and any other file
	 * in a blobs/ folder is no HF download to keep from coming back. */
	if (policy->tombstone && hf_blob_is_final(hf) && subj->name) {
		struct tombstone_info t = {
			.id = d->quarantine_id, .what = what,
			.verdict = verdict, .why = finding,
		};

		/* The blob's name stays taken: huggingface_hub sees the
		 * file and does not download it again; a load of it fails
		 * at once with "invalid load key, '#'". */
		if (tombstone_write(subj->dirfd, subj->name, &t) == 0)
			tomb = true;
		else
			log_warning("cannot leave a tombstone for %s: %s",
				    d->quarantine_id, strerror(errno));
	}
	snprintf(summary, sizeof(summary), "quarantined %s: %s", what,
		 finding[0] ? finding : verdict);
	{
		struct alert_event e = {
			.path = subj->path, .id = d->quarantine_id,
			.verdict = verdict, .sha256 = d->sha256,
			.repo = hf->repo, .revision = hf->revision,
			.file = hf->file[0] ? hf->file : NULL,
			.finding = finding, .summary = summary,
			.tombstone = tomb ? "yes" : "no",
		};

		alert_quarantined(policy, &e);
	}
}

void
decide_log_short(const struct decision *d, const struct scan_result *res,
		 const char *what, const char *error)
{
	char finding[512], line[DECIDE_SHORT_MAX], ew[600], ef[600], ee[300];
	const char *verdict = pw_verdict_name(d->verdict);
	int prio = LOG_NOTICE;

	worst(res, finding, sizeof(finding));
	escape_text_buf(what, ew, sizeof(ew));
	escape_text_buf(finding[0] ? finding : verdict, ef, sizeof(ef));
	escape_text_buf(error ? error : "", ee, sizeof(ee));
	switch (d->outcome) {
	case DECIDE_QUARANTINED:
		snprintf(line, sizeof(line), "quarantined %s: %s (id %s)", ew,
			 ef, d->quarantine_id);
		prio = LOG_WARNING;
		break;
	case DECIDE_QUARANTINE_FAILED:
		snprintf(line, sizeof(line),
			 "could not quarantine %s (%s: %s): %s", ew, verdict,
			 ef, ee);
		prio = LOG_ERR;
		break;
	case DECIDE_TRUSTED:
		snprintf(line, sizeof(line), "trusted %s (%s: %s)", ew,
			 verdict, ef);
		break;
	case DECIDE_LOGGED:
		snprintf(line, sizeof(line), "%s %s: %s", verdict, ew, ef);
		if (d->verdict == PW_VERDICT_MALICIOUS ||
		    d->verdict == PW_VERDICT_ERROR)
			prio = LOG_WARNING;
		break;
	case DECIDE_NOTHING:
	default:
		return;
	}
	log_at(prio, "%s", line);
	pthread_mutex_lock(&recent_lock);
	memcpy(recent[recent_next], line, sizeof(line));
	recent_next = (recent_next + 1) % DECIDE_RECENT;
	if (recent_n < DECIDE_RECENT)
		recent_n++;
	pthread_mutex_unlock(&recent_lock);
}

size_t
decide_recent(char (*out)[DECIDE_SHORT_MAX], size_t max)
{
	size_t n, i, start;

	pthread_mutex_lock(&recent_lock);
	n = recent_n < max ? recent_n : max;
	start = (recent_next + DECIDE_RECENT - n) % DECIDE_RECENT;
	for (i = 0; i < n; i++)
		memcpy(out[i], recent[(start + i) % DECIDE_RECENT],
		       DECIDE_SHORT_MAX);
	pthread_mutex_unlock(&recent_lock);
	return n;
}
