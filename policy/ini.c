/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ini.c - the one parse of a configuration's INI text (see ini.h).  The
 * only file of ours that includes iniparser.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iniparser/iniparser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/ini.h"

/* One "key = value" line. */
struct ini_key {
	enum policy_section section;
	char key[MAX_LABEL + 1];	/* lower-cased, as iniparser keeps it */
	unsigned line;
};

struct policy_ini {
	struct ini_key *keys;
	size_t n;
	dictionary *dict;	/* "section:key" -> value */
};

/* "section:key" as iniparser names an entry; the longest section name is
 * ten characters. */
#define DICT_KEY_MAX (16 + MAX_LABEL + 1)

static void
dict_key(char out[DICT_KEY_MAX], enum policy_section sec, const char *key)
{
	snprintf(out, DICT_KEY_MAX, "%s:%s", policy_section_name(sec), key);
}

static bool
section_has_key(enum policy_section sec, const char *key)
{
	const char *const *k = policy_section_keys[sec];

	if (!k) {
		/* [trusted]: any label of safe characters */
		size_t i;

		for (i = 0; key[i]; i++)
			if (!isalnum((unsigned char)key[i]) && key[i] != '-' &&
			    key[i] != '_' && key[i] != '.')
				return false;
		return i > 0;
	}
	for (; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/*
 * The value of a key line, by iniparser 4.1's own rules (iniparser_line):
 * a value quoted with " or ' is what is between the quotes, spaces kept
 * (the caller has checked that it is quoted as a whole; "" and '' are
 * empty); an unquoted value ends at the first ';' or '#' (a comment) and
 * is trimmed.  vs..e is the text after '=', e the trimmed end of the
 * line.  Returns a new string or NULL when out of memory.
 */
static char *
value_of(const char *vs, const char *e)
{
	const char *ve;

	vs = policy_skip_space(vs, e);
	if (vs < e && (*vs == '"' || *vs == '\''))
		return strndup(vs + 1, (size_t)(e - vs - 2));
	for (ve = vs; ve < e && *ve != ';' && *ve != '#'; ve++)
		;
	ve = policy_trim_end(vs, ve);
	return strndup(vs, (size_t)(ve - vs));
}

void
policy_ini_free(struct policy_ini *ini)
{
	if (!ini)
		return;
	if (ini->dict)
		iniparser_freedict(ini->dict);
	free(ini->keys);
	free(ini);
}

size_t
policy_ini_count(const struct policy_ini *ini)
{
	return ini->n;
}

void
policy_ini_get(const struct policy_ini *ini, size_t i,
	       enum policy_section *ret_section, const char **ret_key,
	       const char **ret_value, unsigned *ret_line)
{
	const struct ini_key *k = &ini->keys[i];
	char dkey[DICT_KEY_MAX];

	dict_key(dkey, k->section, k->key);
	*ret_section = k->section;
	*ret_key = k->key;
	/* Every listed key was set in the dictionary by the parse. */
	*ret_value = iniparser_getstring(ini->dict, dkey, "");
	*ret_line = k->line;
}

/* Adds key (found on line) with its value; -1 when out of memory. */
static int
add_key(struct policy_ini *ini, enum policy_section sec, const char *key,
	size_t klen, unsigned line, const char *vs, const char *e)
{
	char dkey[DICT_KEY_MAX], *value;
	struct ini_key *k;
	int rc;

	k = reallocarray(ini->keys, ini->n + 1, sizeof(*ini->keys));
	if (!k)
		return -1;
	ini->keys = k;
	value = value_of(vs, e);
	if (!value)
		return -1;
	dict_key(dkey, sec, key);
	rc = iniparser_set(ini->dict, dkey, value);
	free(value);
	if (rc != 0)
		return -1;
	k[ini->n].section = sec;
	memcpy(k[ini->n].key, key, klen + 1);
	k[ini->n].line = line;
	ini->n++;
	return 0;
}

int
policy_ini_parse(const char *text, size_t len, const char *name,
		 struct policy_ini **ret, struct policy_error *err)
{
	struct policy_ini *ini = NULL;
	enum policy_section cur = POLICY_SECTION_COUNT;	/* none yet */
	bool seen_section[POLICY_SECTION_COUNT] = {false};
	const char *p = text, *end = text + len, *z;
	unsigned line = 0;
	size_t i;

	ini = calloc(1, sizeof(*ini));
	if (!ini || !(ini->dict = dictionary_new(0)))
		goto nomem;
	z = memchr(text, '\0', len);
	if (z) {
		/* Name the line holding the first NUL. */
		const char *q;

		line = 1;
		for (q = text; q < z; q++)
			line += *q == '\n';
		policy_set_err(err, name, line, "", "contains a NUL byte");
		goto fail;
	}
	/* A UTF-8 byte order mark is editor noise, not content (iniparser
	 * would take it for a syntax error). */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s, *e, *eq, *vs;
		char key[MAX_LABEL + 1];
		size_t klen;
		unsigned sec;

		if (!eol)
			eol = end;
		line++;
		if ((size_t)(eol - p) > POLICY_MAX_LINE) {
			policy_set_err(err, name, line, "",
				"line longer than %d characters (iniparser "
				"would reject the whole file)", POLICY_MAX_LINE);
			goto fail;
		}
		s = policy_skip_space(p, eol);
		e = policy_trim_end(s, eol);
		p = eol < end ? eol + 1 : end;
		if (s == e || *s == ';' || *s == '#')
			continue;
		/* A control character inside a line (a CR, form feed or
		 * escape; a tab is a blank) is an editing accident or an
		 * attempt to hide text from whoever reads the file: the
		 * reader would trim some at the edges of a value, and
		 * check-config could not print the value as it was read. */
		for (z = s; z < e; z++) {
			unsigned char c = (unsigned char)*z;

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				policy_set_err(err, name, line, "",
					"control character 0x%02x in the line",
					c);
				goto fail;
			}
		}
		if (e[-1] == '\\') {
			policy_set_err(err, name, line, "",
				"line continuation with '\\' is not supported");
			goto fail;
		}
		if (*s == '[') {
			const char *c = memchr(s, ']', (size_t)(e - s));

			if (!c || c + 1 != e) {
				policy_set_err(err, name, line, "",
					"malformed section header");
				goto fail;
			}
			s = policy_skip_space(s + 1, c);
			c = policy_trim_end(s, c);
			klen = (size_t)(c - s);
			for (sec = 0; sec < POLICY_SECTION_COUNT; sec++)
				if (strlen(policy_section_name(sec)) == klen &&
				    strncasecmp(policy_section_name(sec), s,
						klen) == 0)
					break;
			if (sec == POLICY_SECTION_COUNT) {
				char bad[MAX_LABEL + 1];

				snprintf(bad, sizeof(bad), "%.*s",
					 (int)(klen > MAX_LABEL ? MAX_LABEL : klen),
					 s);
				policy_set_err(err, name, line, bad,
					"unknown section");
				goto fail;
			}
			if (seen_section[sec]) {
				policy_set_err(err, name, line,
					       policy_section_name(sec),
					       "section given twice");
				goto fail;
			}
			seen_section[sec] = true;
			cur = sec;
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (!eq) {
			policy_set_err(err, name, line, "",
				"expected 'key = value' or '[section]'");
			goto fail;
		}
		/* iniparser keeps only what is inside the first pair of
		 * quotes ("a", "b" reads as a): a value is quoted as a whole
		 * or not at all. */
		vs = policy_skip_space(eq + 1, e);
		if (vs < e && (*vs == '"' || *vs == '\'')) {
			if (e - vs < 2 || e[-1] != *vs ||
			    memchr(vs + 1, *vs, (size_t)(e - vs - 2))) {
				policy_set_err(err, name, line, "",
					"a quoted value must be quoted "
					"as a whole");
				goto fail;
			}
		}
		e = policy_trim_end(s, eq);
		klen = (size_t)(e - s);
		if (klen == 0) {
			policy_set_err(err, name, line, "", "empty key");
			goto fail;
		}
		if (klen > MAX_LABEL) {
			policy_set_err(err, name, line, "", "key longer than %d "
				"characters", MAX_LABEL);
			goto fail;
		}
		/* iniparser lower-cases keys: so must duplicate detection */
		for (i = 0; i < klen; i++)
			key[i] = (char)tolower((unsigned char)s[i]);
		key[klen] = '\0';
		if (cur == POLICY_SECTION_COUNT) {
			policy_set_err(err, name, line, key,
				"key outside of any [section]");
			goto fail;
		}
		if (!section_has_key(cur, key)) {
			char full[sizeof(err->key)];

			snprintf(full, sizeof(full), "%s.%s",
				 policy_section_name(cur), key);
			policy_set_err(err, name, line, full,
				policy_section_keys[cur] ? "unknown key" :
				"labels may only use letters, digits, '-', "
				"'_' and '.'");
			goto fail;
		}
		for (i = 0; i < ini->n; i++) {
			if (ini->keys[i].section == cur &&
			    strcmp(ini->keys[i].key, key) == 0) {
				char full[sizeof(err->key)];

				snprintf(full, sizeof(full), "%s.%s",
					 policy_section_name(cur), key);
				policy_set_err(err, name, line, full,
					"duplicate key (first given on line "
					"%u)", ini->keys[i].line);
				goto fail;
			}
		}
		if (ini->n >= MAX_TRUSTED + MAX_LIST_ITEMS) {
			policy_set_err(err, name, line, "", "too many keys");
			goto fail;
		}
		/* The value is what follows '=' up to the end of the
		 * (trimmed) line. */
		if (add_key(ini, cur, key, klen, line, eq + 1,
			    policy_trim_end(eq + 1, eol)) != 0) {
			policy_set_err(err, name, line, "", "out of memory");
			policy_ini_free(ini);
			errno = ENOMEM;
			return -1;
		}
	}
	*ret = ini;
	return 0;
nomem:
	policy_set_err(err, name, 0, "", "out of memory");
	policy_ini_free(ini);
	errno = ENOMEM;
	return -1;
fail:
	policy_ini_free(ini);
	errno = EINVAL;
	return -1;
}
