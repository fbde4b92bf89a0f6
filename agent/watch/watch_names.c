/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_names.c - see watch_names.h.
 */
#include "config.h"

#include <string.h>

#include "agent/watch/watch_names.h"

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	/* The suffix alone is not a temporary name of anything: a file
	 * called ".partial" is an ordinary (hidden) file. */
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static bool
is_named(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

/* Python's tempfile alphabet: lower-case letters, digits, underscore. */
static bool
is_tempfile_name(const char *name)
{
	size_t i;

	if (strncmp(name, "tmp", 3) != 0 || strlen(name) != 11)
		return false;
	for (i = 3; i < 11; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool
watch_name_is_temporary(const char *name, const char *parent_name,
			const char *grandparent_name)
{
	if (is_named(parent_name, "blobs"))
		return has_suffix(name, ".incomplete");
	if (is_named(parent_name, "checkpoints"))
		return has_suffix(name, ".partial") || is_tempfile_name(name);
	/* huggingface_hub: <hub>/.locks/<repo folder>/<etag>.lock */
	if (is_named(grandparent_name, ".locks") || is_named(parent_name, ".locks"))
		return has_suffix(name, ".lock");
	return false;
}

bool
watch_name_is_skipped_dir(const char *name, const char *parent_name,
			  bool parent_is_root)
{
	if (strcmp(name, ".locks") == 0)
		return parent_is_root || is_named(parent_name, "hub");
	if (strcmp(name, "xet") == 0)
		return parent_is_root || is_named(parent_name, "huggingface");
	return false;
}
