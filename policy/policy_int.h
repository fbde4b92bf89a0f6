/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_int.h - what the files of policy/ share; not for use outside
 * policy/.
 *
 *   policy.c   loading (files, strings, the search path), defaults,
 *              queries on a loaded policy
 *   ini.c      the one parse of the INI text (strict, with line numbers),
 *              the only file that includes iniparser
 *   values.c   validating one key's value into a policy
 *   write.c    writing a policy back as INI (`check-config`)
 */
#ifndef PW_POLICY_INT_H
#define PW_POLICY_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy/policy.h"

#define MAX_LIST_ITEMS 256	/* roots, patterns: far above real use */
#define MAX_TRUSTED 10000	/* digests: bounds a hostile config, and the
				   quadratic duplicate check (50M compares) */
#define MAX_LABEL 64		/* key and [trusted] label length */

/* The sections a configuration may have, in the order of the schema. */
enum policy_section {
	POLICY_SECTION_WATCH,
	POLICY_SECTION_ACTIONS,
	POLICY_SECTION_GLOBALS,
	POLICY_SECTION_TRUSTED,
	POLICY_SECTION_LIMITS,
	POLICY_SECTION_QUARANTINE,
	POLICY_SECTION_LOG,
	POLICY_SECTION_AGENT,
	POLICY_SECTION_SIGNING,
	POLICY_SECTION_GUARD,
	POLICY_SECTION_COUNT
};

/* The keys each section accepts (NULL-terminated); NULL for [trusted],
 * whose keys are free labels. */
extern const char *const *const policy_section_keys[POLICY_SECTION_COUNT];
/* "watch", "actions", ...: as written in the file (lower case). */
const char *policy_section_name(enum policy_section section);

/* Fills *err (when not NULL): file, line (0: none), key ("" or NULL:
 * none) and a printf message. */
void policy_set_err(struct policy_error *err, const char *file,
		    unsigned line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void policy_strv_clear(struct policy_strv *sv);
/* Appends s (taking ownership) to sv; on failure (s NULL or no memory)
 * frees s and returns -1. */
int policy_strv_push(struct policy_strv *sv, char *s);

/*
 * Validates value for key of section into p (values.c).  Returns 0, or -1
 * with *why a static message (errno ENOMEM when memory ran out).
 */
int policy_apply_key(struct policy *p, enum policy_section section,
		     const char *key, const char *value, const char **why);

/* A path as the loader reads it back (write.c): '$' doubled, a '/' after
 * a trailing blank or '\'. */
void policy_write_path(FILE *out, const char *s);

/* Whether policy_write's output loads back (write.c): 1 yes, 0 no
 * (section and key name the bad line, *too_long says whether it was too
 * long), -1 no memory. */
int policy_write_fits(const struct policy *p, char *section,
		      size_t section_cap, char *key, size_t key_cap,
		      bool *too_long);

static inline const char *
policy_skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

static inline const char *
policy_trim_end(const char *s, const char *end)
{
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

#endif
