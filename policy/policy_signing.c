#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/paths.h"
#include "policy/policy_int.h"
#include "policy/policy_signing.h"

#define MAX_SIGNING_ITEMS 256	/* keys, roots, paths: far above real use */

const char *const policy_signing_keys[] = {"keys", "certificate_roots",
					   "require_signature", NULL};

const char *
policy_require_name(enum policy_require r)
{
	switch (r) {
	case POLICY_REQUIRE_NO: return "no";
	case POLICY_REQUIRE_WARN: return "warn";
	case POLICY_REQUIRE_ENFORCE: return "enforce";
	}
	return "no";
}

static void
list_clear(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static void
require_clear(struct policy_signing *s)
{
	size_t i;

	for (i = 0; i < s->n_require; i++)
		free(s->require[i].path);
	free(s->require);
	s->require = NULL;
	s->n_require = 0;
	s->require_default = POLICY_REQUIRE_NO;
}

void
policy_signing_clear(struct policy_signing *s)
{
	list_clear(&s->keys, &s->n_keys);
	list_clear(&s->certificate_roots, &s->n_roots);
	require_clear(s);
}

/* The next trimmed comma-separated item of *p as a new string; NULL at
 * the end (*why NULL) or on error (*why set). */
static char *
next_item(const char **p, size_t *count, const char **why)
{
	const char *s = *p, *e, *comma;

	*why = NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' && *count == 0)
		return NULL;	/* an empty value is an empty list */
	comma = strchr(s, ',');
	e = comma ? comma : s + strlen(s);
	*p = comma ? comma + 1 : e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s) {
		*why = "empty item in the list";
		return NULL;
	}
	if (++*count > MAX_SIGNING_ITEMS) {
		*why = "too many items in the list";
		return NULL;
	}
	{
		char *item = strndup(s, (size_t)(e - s));

		if (!item)
			*why = "out of memory";
		if (!comma)
			*p = "";	/* the last item */
		return item;
	}
}

static int
parse_level(const char *s, size_t n, enum policy_require *ret)
{
	static const enum policy_require all[] = {
		POLICY_REQUIRE_NO, POLICY_REQUIRE_WARN, POLICY_REQUIRE_ENFORCE};
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *name = policy_require_name(all[i]);

		if (strlen(name) == n && strncmp(s, name, n) == 0) {
			*ret = all[i];
			return 0;
		}
	}
	return -1;
}

static int
push_path(char ***v, size_t *n, char *s)
{
	char **nv = reallocarray(*v, *n + 1, sizeof(*nv));

	if (!nv) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int
apply_files(char ***v, size_t *n, const char *value, const char **why)
{
	const char *p = value;
	size_t count = 0;
	char *item, *path;

	list_clear(v, n);
	while (*p && (item = next_item(&p, &count, why)) != NULL) {
		path = paths_expand(item, why);
		free(item);
		if (!path || push_path(v, n, path) != 0) {
			if (!*why)
				*why = "out of memory";
			return -1;
		}
	}
	return *why ? -1 : 0;
}

static int
apply_require(struct policy_signing *s, const char *value, const char **why)
{
	const char *p = value;
	size_t count = 0, i;
	bool have_default = false;
	char *item;

	require_clear(s);
	while (*p && (item = next_item(&p, &count, why)) != NULL) {
		char *colon = strchr(item, ':'), *path;
		enum policy_require lv;
		struct policy_require_path *nr;
		size_t n;

		if (parse_level(item, colon ? (size_t)(colon - item)
					    : strlen(item), &lv) != 0) {
			free(item);
			*why = "expected no, warn, enforce, or LEVEL:PATH";
			return -1;
		}
		if (!colon) {
			free(item);
			if (have_default) {
				*why = "more than one default level";
				return -1;
			}
			have_default = true;
			s->require_default = lv;
			continue;
		}
		path = paths_expand(colon + 1, why);
		free(item);
		if (!path) {
			if (!*why)
				*why = "out of memory";
			return -1;
		}
		n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		for (i = 0; i < s->n_require; i++) {
			if (strcmp(s->require[i].path, path) == 0) {
				free(path);
				*why = "a path given twice";
				return -1;
			}
		}
		nr = reallocarray(s->require, s->n_require + 1, sizeof(*nr));
		if (!nr) {
			free(path);
			*why = "out of memory";
			return -1;
		}
		s->require = nr;
		nr[s->n_require].path = path;
		nr[s->n_require].level = lv;
		s->n_require++;
	}
	return *why ? -1 : 0;
}

int
policy_signing_apply(struct policy_signing *s, const char *key,
		     const char *value, const char **why)
{
	*why = NULL;
	if (strcmp(key, "keys") == 0)
		return apply_files(&s->keys, &s->n_keys, value, why);
	if (strcmp(key, "certificate_roots") == 0)
		return apply_files(&s->certificate_roots, &s->n_roots, value,
				   why);
	if (strcmp(key, "require_signature") == 0)
		return apply_require(s, value, why);
	*why = "unknown key";
	return -1;
}

enum policy_require
policy_signing_required(const struct policy_signing *s, const char *path)
{
	enum policy_require lv = s->require_default;
	size_t best = 0, i;

	for (i = 0; i < s->n_require; i++) {
		const char *rp = s->require[i].path;
		size_t n = strlen(rp);

		if (n < best)
			continue;
		if (strcmp(rp, "/") == 0 ||
		    (strncmp(path, rp, n) == 0 &&
		     (path[n] == '\0' || path[n] == '/'))) {
			best = n;
			lv = s->require[i].level;
		}
	}
	return lv;
}

bool
policy_signing_active(const struct policy_signing *s)
{
	size_t i;

	if (s->n_keys || s->n_roots || s->require_default != POLICY_REQUIRE_NO)
		return true;
	for (i = 0; i < s->n_require; i++)
		if (s->require[i].level != POLICY_REQUIRE_NO)
			return true;
	return false;
}

static void
write_files(FILE *out, const char *key, char **v, size_t n)
{
	bool quote = false;
	size_t i;

	for (i = 0; i < n; i++)
		quote |= strpbrk(v[i], ";#") != NULL;
	fprintf(out, "%s = %s", key, quote ? "\"" : "");
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		policy_write_path(out, v[i]);
	}
	fprintf(out, "%s\n", quote ? "\"" : "");
}

void
policy_signing_write(const struct policy_signing *s, FILE *out)
{
	bool quote = false;
	size_t i;

	fputs("\n[signing]\n", out);
	write_files(out, "keys", s->keys, s->n_keys);
	write_files(out, "certificate_roots", s->certificate_roots,
		    s->n_roots);
	for (i = 0; i < s->n_require; i++)
		quote |= strpbrk(s->require[i].path, ";#") != NULL;
	fprintf(out, "require_signature = %s%s", quote ? "\"" : "",
		policy_require_name(s->require_default));
	for (i = 0; i < s->n_require; i++) {
		fprintf(out, ", %s:", policy_require_name(s->require[i].level));
		policy_write_path(out, s->require[i].path);
	}
	fprintf(out, "%s\n", quote ? "\"" : "");
}
