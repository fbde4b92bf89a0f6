/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/paths.h"

/* Longest environment variable name we expand: names are short. */
#define PATHS_MAX_VAR_NAME 128
/* Longest expanded path: PATH_MAX is the kernel's limit for a path. */
#define PATHS_MAX_PATH 4096

char *
paths_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n;
	char *s;

	/* a + '/' + b + NUL; cannot realistically overflow, checked anyway */
	if (__builtin_add_overflow(la, lb, &n) ||
	    __builtin_add_overflow(n, 2, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	s = malloc(n);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	/* Joining onto "/" must not give "//x". */
	if (la > 0 && a[la - 1] == '/')
		la--;
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

char *
paths_home(void)
{
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (home && home[0] == '/')
		return strdup(home);
	/* No usable $HOME (a systemd service, su without -l): ask the
	 * password database, re-entrantly. */
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    !res->pw_dir || res->pw_dir[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	return strdup(res->pw_dir);
}

/* An environment variable when it holds an absolute path, else NULL. */
static const char *
env_abs(const char *var)
{
	const char *v = getenv(var);

	return v && v[0] == '/' ? v : NULL;
}

char *
paths_xdg(const char *var, const char *fallback, const char *suffix)
{
	const char *v = env_abs(var);
	char *home = NULL, *base = NULL, *out = NULL;

	if (v) {
		base = strdup(v);
	} else {
		home = paths_home();
		if (!home)
			goto out;
		base = paths_join(home, fallback);
	}
	if (!base)
		goto out;
	out = suffix ? paths_join(base, suffix) : strdup(base);
out:
	free(home);
	free(base);
	return out;
}

int
paths_default_roots(char *ret[3])
{
	char *r[3] = {NULL, NULL, NULL};
	const char *v;
	char *cache = NULL;
	int rc = -1, i;

	cache = paths_xdg("XDG_CACHE_HOME", ".cache", NULL);
	if (!cache)
		goto out;
	/* huggingface_hub: HF_HUB_CACHE, else $HF_HOME/hub, else
	 * $XDG_CACHE_HOME/huggingface/hub. */
	if ((v = env_abs("HF_HUB_CACHE")))
		r[0] = strdup(v);
	else if ((v = env_abs("HF_HOME")))
		r[0] = paths_join(v, "hub");
	else
		r[0] = paths_join(cache, "huggingface/hub");
	/* torch.hub: $TORCH_HOME/hub, else $XDG_CACHE_HOME/torch/hub. */
	if ((v = env_abs("TORCH_HOME")))
		r[1] = paths_join(v, "hub");
	else
		r[1] = paths_join(cache, "torch/hub");
	/* Keras: $KERAS_HOME/models, else ~/.keras/models. */
	if ((v = env_abs("KERAS_HOME"))) {
		r[2] = paths_join(v, "models");
	} else {
		char *home = paths_home();

		r[2] = home ? paths_join(home, ".keras/models") : NULL;
		free(home);
	}
	if (!r[0] || !r[1] || !r[2])
		goto out;
	for (i = 0; i < 3; i++) {
		ret[i] = r[i];
		r[i] = NULL;
	}
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		free(r[i]);
	free(cache);
	return rc;
}

/* Appends len bytes to the output buffer; false when it would exceed
 * PATHS_MAX_PATH. */
static bool
put(char *out, size_t *n, const char *s, size_t len)
{
	if (len > PATHS_MAX_PATH - 1 - *n)
		return false;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
	return true;
}

static bool
is_name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

char *
paths_expand(const char *value, const char **ret_why)
{
	char *out = NULL, *home = NULL, *res = NULL;
	const char *p = value;
	size_t n = 0;

	out = malloc(PATHS_MAX_PATH);
	if (!out) {
		*ret_why = "out of memory";
		goto fail;
	}
	out[0] = '\0';
	if (p[0] == '~' && (p[1] == '\0' || p[1] == '/')) {
		home = paths_home();
		if (!home) {
			*ret_why = "no home directory to expand ~";
			goto fail;
		}
		if (!put(out, &n, home, strlen(home)))
			goto too_long;
		p++;
	}
	while (*p) {
		char name[PATHS_MAX_VAR_NAME];
		const char *v;
		size_t len = 0;

		if (*p != '$') {
			if (!put(out, &n, p, 1))
				goto too_long;
			p++;
			continue;
		}
		p++;
		if (*p == '$') {
			if (!put(out, &n, "$", 1))
				goto too_long;
			p++;
			continue;
		}
		if (*p == '{') {
			p++;
			while (is_name_char(p[len], len == 0))
				len++;
			if (len == 0 || p[len] != '}') {
				*ret_why = "malformed ${NAME}";
				goto fail;
			}
		} else {
			while (is_name_char(p[len], len == 0))
				len++;
			if (len == 0) {
				*ret_why = "'$' must start $NAME, ${NAME} or $$";
				goto fail;
			}
		}
		if (len >= sizeof(name)) {
			*ret_why = "variable name too long";
			goto fail;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len + (p[-1] == '{' ? 1 : 0);
		v = getenv(name);
		if (!v || !*v) {
			/* An unset variable would silently turn "$X/models"
			 * into "/models": refuse instead. */
			*ret_why = "uses an unset or empty environment variable";
			goto fail;
		}
		if (!put(out, &n, v, strlen(v)))
			goto too_long;
	}
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (out[0] != '/') {
		*ret_why = "must be an absolute path (or start with ~/)";
		goto fail;
	}
	res = out;
	out = NULL;
	goto done;
too_long:
	*ret_why = "path too long";
fail:
done:
	free(out);
	free(home);
	return res;
}
