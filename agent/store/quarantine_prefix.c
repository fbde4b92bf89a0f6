/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_prefix.c - quarantine IDs by a unique prefix, as people type
 * them (`picklewarden quarantine restore 20261203T1302`).
 */
#include "config.h"

#include <string.h>

#include "agent/store/quarantine_prefix.h"

int
quarantine_resolve_prefix(struct quarantine_store *store, const char *prefix,
			  char *ret_id, size_t cap, size_t *ret_matches)
{
	struct quarantine_entry *v = NULL;
	size_t n = 0, i, len, matches = 0;
	int rc;

	if (ret_matches)
		*ret_matches = 0;
	if (!store || !prefix || !quarantine_id_valid(prefix) || !ret_id ||
	    cap < QUARANTINE_ID_MAX)
		return QUARANTINE_ERR_INVALID;
	len = strlen(prefix);
	rc = quarantine_list(store, &v, &n, NULL);
	if (rc != QUARANTINE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].id, prefix) == 0) {
			/* An exact ID is never ambiguous. */
			matches = 1;
			snprintf(ret_id, cap, "%s", v[i].id);
			break;
		}
		if (strncmp(v[i].id, prefix, len) == 0) {
			if (matches++ == 0)
				snprintf(ret_id, cap, "%s", v[i].id);
		}
	}
	quarantine_entries_free(v, n);
	if (ret_matches)
		*ret_matches = matches;
	return matches == 1 ? QUARANTINE_OK : QUARANTINE_ERR_NOT_FOUND;
}
