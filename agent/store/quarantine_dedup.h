/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_dedup.h - one stored copy per content digest.
 *
 * A cache that downloads the same malicious blob again (before tombstones,
 * or from several repositories) would fill the store with identical
 * copies.  After a move, quarantine_dedup looks for an older entry with the
 * same SHA-256 that still has its data; if there is one, the new entry is
 * purged and the event (when, where, verdict) is appended to the digest's
 * event log, <store>/.events/<sha256> (one JSON object per line), which
 * lists every event that met this content, the first one included.
 */
#ifndef PW_AGENT_QUARANTINE_DEDUP_H
#define PW_AGENT_QUARANTINE_DEDUP_H

#include <stdio.h>

#include "agent/store/quarantine.h"

/*
 * Called right after quarantine_move created new_id for a file whose
 * digest is sha256 (64 hex digits), found at path.  Writes the ID that now
 * holds the data into ret_id (cap >= QUARANTINE_ID_MAX): new_id itself, or
 * the older entry's ID when the new one was folded into it.  Returns
 * QUARANTINE_OK, or an error when the event log could not be written (the
 * new entry is then kept: nothing is lost).
 */
int quarantine_dedup(struct quarantine_store *store, const char *new_id,
		     const char *sha256, const char *path,
		     const char *verdict, char *ret_id, size_t cap);

/* Prints the events recorded for sha256 (one per line, "time path"
 * escaped) to out; returns how many were printed. */
size_t quarantine_events_print(struct quarantine_store *store,
			       const char *sha256, FILE *out);

#endif
