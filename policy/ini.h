/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ini.h - the INI text of a configuration, parsed once.
 *
 * One strict pass over the text finds everything iniparser 4.1 would
 * accept silently but we refuse (lines over POLICY_MAX_LINE, duplicate
 * keys and sections, unknown sections and keys, keys outside a section,
 * continuation lines, NUL bytes, partly quoted values), notes each key's
 * line, and takes its value by iniparser's own rules into an iniparser
 * dictionary.  iniparser 4.1 only loads from a path, so it is not asked to
 * parse the text a second time (tests/policy/test_ini checks that the
 * values equal those iniparser_load reads from the same text).
 */
#ifndef PW_POLICY_INI_H
#define PW_POLICY_INI_H

#include <stddef.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

struct policy_ini;

/*
 * Parses len bytes of text (name is used in errors).  On success returns 0
 * and *ret is the parsed document (free with policy_ini_free).  On failure
 * returns -1, fills *err ("file:line: key: message") and sets errno
 * (EINVAL for a bad text, ENOMEM).
 */
int policy_ini_parse(const char *text, size_t len, const char *name,
		     struct policy_ini **ret, struct policy_error *err);
void policy_ini_free(struct policy_ini *ini);

/* Keys in the order of the file. */
size_t policy_ini_count(const struct policy_ini *ini);
/* The i-th key (i < policy_ini_count): its section, lower-cased key,
 * value (owned by ini) and 1-based line. */
void policy_ini_get(const struct policy_ini *ini, size_t i,
		    enum policy_section *ret_section, const char **ret_key,
		    const char **ret_value, unsigned *ret_line);

#endif
