/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pw_limits.h"
#include "scanner.h"

static const struct {
	const char *name;
	uint64_t value;
} limit_defaults[PW_LIMIT_COUNT_] = {
	[PW_LIMIT_MAX_DEPTH] = {"max_depth", PW_DEFAULT_MAX_DEPTH},
	[PW_LIMIT_MAX_MEMBERS] = {"max_members", PW_DEFAULT_MAX_MEMBERS},
	[PW_LIMIT_MAX_DECOMPRESSED] = {"max_decompressed",
				       PW_DEFAULT_MAX_DECOMPRESSED},
	[PW_LIMIT_MAX_RATIO] = {"max_ratio", PW_DEFAULT_MAX_RATIO},
	[PW_LIMIT_MAX_OPCODES] = {"max_opcodes", PW_DEFAULT_MAX_OPCODES},
	[PW_LIMIT_MAX_FILE_SIZE] = {"max_file_size", PW_DEFAULT_MAX_FILE_SIZE},
	[PW_LIMIT_MAX_FINDINGS] = {"max_findings", PW_DEFAULT_MAX_FINDINGS},
};

uint64_t
pw_limit_default(enum pw_limit limit)
{
	if ((unsigned)limit >= PW_LIMIT_COUNT_)
		return 0;
	return limit_defaults[limit].value;
}

const char *
pw_limit_name(enum pw_limit limit)
{
	if ((unsigned)limit >= PW_LIMIT_COUNT_)
		return "unknown";
	return limit_defaults[limit].name;
}

static void
pattern_list_free(struct pattern_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int
pattern_list_copy(struct pattern_list *dst, const struct pattern_list *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (src->count == 0)
		return PW_OK;
	dst->items = calloc(src->count, sizeof(*dst->items));
	if (dst->items == NULL)
		return PW_ERR_NOMEM;
	dst->cap = src->count;
	for (i = 0; i < src->count; i++) {
		dst->items[i] = strdup(src->items[i]);
		if (dst->items[i] == NULL) {
			pattern_list_free(dst);
			return PW_ERR_NOMEM;
		}
		dst->count++;
	}
	return PW_OK;
}

/* A pattern is dotted identifiers, optionally ending in ".*". */
static bool
pattern_valid(const char *p)
{
	size_t len = strlen(p), i;
	bool need_ident = true;

	if (len == 0 || len > 512)
		return false;
	if (len >= 2 && strcmp(p + len - 2, ".*") == 0)
		len -= 2;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.') {
			if (need_ident)
				return false;
			need_ident = true;
		} else if (isalnum(c) || c == '_' || c >= 0x80) {
			need_ident = false;
		} else {
			return false;
		}
	}
	return !need_ident;
}

static int
pattern_list_add(struct pattern_list *list, const char *pattern)
{
	char *copy;

	if (pattern == NULL)
		return PW_ERR_INVALID;
	if (!pattern_valid(pattern))
		return PW_ERR_PATTERN;
	if (list->count == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 8;
		char **n = reallocarray(list->items, ncap, sizeof(*n));

		if (n == NULL)
			return PW_ERR_NOMEM;
		list->items = n;
		list->cap = ncap;
	}
	copy = strdup(pattern);
	if (copy == NULL)
		return PW_ERR_NOMEM;
	list->items[list->count++] = copy;
	return PW_OK;
}

bool
pattern_match(const char *pattern, const char *name, size_t name_len)
{
	size_t plen = strlen(pattern);

	if (plen >= 2 && strcmp(pattern + plen - 2, ".*") == 0) {
		size_t stem = plen - 2;

		/* "mod.*" matches "mod" itself and anything below it. */
		if (name_len < stem || memcmp(pattern, name, stem) != 0)
			return false;
		return name_len == stem || name[stem] == '.';
	}
	return plen == name_len && memcmp(pattern, name, plen) == 0;
}

long
pattern_list_find(const struct pattern_list *list, const char *name,
		  size_t name_len)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (pattern_match(list->items[i], name, name_len))
			return (long)i;
	return -1;
}

int
pw_options_new(struct pw_options **ret_opts)
{
	struct pw_options *o;
	unsigned i;

	if (ret_opts == NULL)
		return PW_ERR_INVALID;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return PW_ERR_NOMEM;
	for (i = 0; i < PW_LIMIT_COUNT_; i++)
		o->limits[i] = limit_defaults[i].value;
	*ret_opts = o;
	return PW_OK;
}

void
pw_options_free(struct pw_options *opts)
{
	if (opts == NULL)
		return;
	pattern_list_free(&opts->allow);
	pattern_list_free(&opts->deny);
	free(opts);
}

int
pw_options_allow_global(struct pw_options *opts, const char *pattern)
{
	if (opts == NULL)
		return PW_ERR_INVALID;
	return pattern_list_add(&opts->allow, pattern);
}

int
pw_options_deny_global(struct pw_options *opts, const char *pattern)
{
	if (opts == NULL)
		return PW_ERR_INVALID;
	return pattern_list_add(&opts->deny, pattern);
}

int
pw_options_set_limit(struct pw_options *opts, enum pw_limit limit,
		     uint64_t value)
{
	if (opts == NULL || (unsigned)limit >= PW_LIMIT_COUNT_ || value == 0)
		return PW_ERR_INVALID;
	opts->limits[limit] = value;
	return PW_OK;
}

int
pw_options_set_deadline(struct pw_options *opts,
			const struct timespec *deadline)
{
	uint64_t ns;

	if (opts == NULL)
		return PW_ERR_INVALID;
	if (deadline == NULL) {
		opts->deadline_ns = 0;
		return PW_OK;
	}
	if (deadline->tv_sec < 0 || deadline->tv_nsec < 0 ||
	    deadline->tv_nsec >= 1000000000L)
		return PW_ERR_INVALID;
	if (__builtin_mul_overflow((uint64_t)deadline->tv_sec, 1000000000ULL,
				   &ns) ||
	    __builtin_add_overflow(ns, (uint64_t)deadline->tv_nsec, &ns))
		ns = UINT64_MAX;	/* too far to matter */
	opts->deadline_ns = ns ? ns : 1;	/* 0 means none */
	return PW_OK;
}

int
pw_options_set_timeout_ms(struct pw_options *opts, uint64_t ms)
{
	if (opts == NULL)
		return PW_ERR_INVALID;
	opts->timeout_ms = ms;
	return PW_OK;
}

int
pw_options_set_abort_flag(struct pw_options *opts, const volatile int *flag)
{
	if (opts == NULL)
		return PW_ERR_INVALID;
	opts->abort_flag = flag;
	return PW_OK;
}

int
pw_scanner_new(const struct pw_options *opts, struct pw_scanner **ret_scanner)
{
	struct pw_scanner *sc;
	int rc;
	unsigned i;

	if (ret_scanner == NULL)
		return PW_ERR_INVALID;
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL)
		return PW_ERR_NOMEM;
	if (opts == NULL) {
		for (i = 0; i < PW_LIMIT_COUNT_; i++)
			sc->opts.limits[i] = limit_defaults[i].value;
	} else {
		memcpy(sc->opts.limits, opts->limits, sizeof(opts->limits));
		sc->opts.deadline_ns = opts->deadline_ns;
		sc->opts.timeout_ms = opts->timeout_ms;
		sc->opts.abort_flag = opts->abort_flag;
		rc = pattern_list_copy(&sc->opts.allow, &opts->allow);
		if (rc == PW_OK)
			rc = pattern_list_copy(&sc->opts.deny, &opts->deny);
		if (rc != PW_OK) {
			pw_scanner_free(sc);
			return rc;
		}
	}
	*ret_scanner = sc;
	return PW_OK;
}

void
pw_scanner_free(struct pw_scanner *sc)
{
	if (sc == NULL)
		return;
	pattern_list_free(&sc->opts.allow);
	pattern_list_free(&sc->opts.deny);
	free(sc);
}
