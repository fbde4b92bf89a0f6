/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.h - home, XDG and model-cache directories, and "~"/"$VAR"
 * expansion for configuration values (internal to policy/).
 */
#ifndef PW_POLICY_PATHS_H
#define PW_POLICY_PATHS_H

#include <stddef.h>

/*
 * The user's home directory: $HOME when it is absolute, else the password
 * database.  Returns a new string, or NULL (errno ENOENT when there is no
 * home, ENOMEM).
 */
char *paths_home(void);

/*
 * An XDG base directory joined with suffix: $var when it is set to an
 * absolute path (the XDG spec says relative values are ignored), else
 * $HOME/fallback.  E.g. paths_xdg("XDG_DATA_HOME", ".local/share",
 * "picklewarden/quarantine").  Returns a new string or NULL (errno).
 */
char *paths_xdg(const char *var, const char *fallback, const char *suffix);

/* The default watched roots, in order: the Hugging Face hub cache, the
 * torch hub, the Keras models directory.  Returns 0 and three new strings
 * in ret[0..2], or -1 (errno). */
int paths_default_roots(char *ret[3]);

/*
 * Expands a configuration path: a leading "~" or "~/" is the home
 * directory, "$NAME" and "${NAME}" are environment variables (an unset or
 * empty one is an error), "$$" is a literal '$'.  Trailing slashes are
 * removed.  The result must be absolute.
 * Returns a new string, or NULL with a static reason in *ret_why (and
 * errno ENOMEM when that was the cause).
 */
char *paths_expand(const char *value, const char **ret_why);

/* a "/" b, or NULL when out of memory. */
char *paths_join(const char *a, const char *b);

#endif
