/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw_limits.h"
#include "pickle/builtin_names.h"
#include "pickle/lists.h"
#include "pickle/names.h"
#include "scanner.h"

void
imp_table_init(struct imp_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void
imp_free(struct imp *imp)
{
	free(imp->module);
	free(imp->name);
	free(imp->resolved);
	free(imp);
}

void
imp_table_fini(struct imp_table *t)
{
	size_t i;

	for (i = 0; i < t->nbuckets; i++) {
		struct imp *p = t->buckets[i], *next;

		for (; p != NULL; p = next) {
			next = p->next;
			imp_free(p);
		}
	}
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

const char *
imp_resolved_name(const struct imp *imp)
{
	return imp->resolved;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static int
table_insert(struct imp_table *t, struct imp *imp, uint64_t h)
{
	if (t->count + 1 > t->nbuckets) {
		size_t n = t->nbuckets ? t->nbuckets * 2 : 64, i;
		struct imp **b = calloc(n, sizeof(*b));

		if (b == NULL)
			return -1;
		for (i = 0; i < t->nbuckets; i++) {
			struct imp *p = t->buckets[i], *next;

			for (; p != NULL; p = next) {
				uint64_t ph = hash_str(hash_str(
					0xcbf29ce484222325ULL ^ p->remapped,
					p->module), p->name);

				next = p->next;
				p->next = b[ph & (n - 1)];
				b[ph & (n - 1)] = p;
			}
		}
		free(t->buckets);
		t->buckets = b;
		t->nbuckets = n;
	}
	imp->next = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = imp;
	imp->seq = (uint32_t)t->count++;
	return 0;
}

/* Python 2 names, as _compat_pickle maps them for protocols < 3. */
static void
compat_map(const char **module, const char **name)
{
	size_t i;

	for (i = 0; i < pw_compat_names_len; i++) {
		if (strcmp(pw_compat_names[i].from_module, *module) == 0 &&
		    strcmp(pw_compat_names[i].from_name, *name) == 0) {
			*module = pw_compat_names[i].to_module;
			*name = pw_compat_names[i].to_name;
			return;
		}
	}
	for (i = 0; i < pw_compat_imports_len; i++) {
		if (strcmp(pw_compat_imports[i].from, *module) == 0) {
			*module = pw_compat_imports[i].to;
			return;
		}
	}
}

struct imp *
imp_lookup(struct imp_table *t, const struct pw_scanner *sc, bool torchscript,
	   const char *module, const char *name, int proto)
{
	bool remap = proto < 3;
	uint64_t h = hash_str(hash_str(0xcbf29ce484222325ULL ^ remap, module),
			      name);
	const char *m2 = module, *n2 = name;
	struct imp *imp;
	size_t mlen, nlen;

	if (t->nbuckets > 0)
		for (imp = t->buckets[h & (t->nbuckets - 1)]; imp != NULL;
		     imp = imp->next)
			if (!imp->unresolved && imp->remapped == remap &&
			    strcmp(imp->module, module) == 0 &&
			    strcmp(imp->name, name) == 0)
				return imp;
	imp = calloc(1, sizeof(*imp));
	if (imp == NULL)
		return NULL;
	imp->remapped = remap;
	if (remap)
		compat_map(&m2, &n2);
	mlen = strlen(m2);
	nlen = strlen(n2);
	imp->module = strdup(module);
	imp->name = strdup(name);
	imp->resolved = malloc(mlen + nlen + 2);
	if (imp->module == NULL || imp->name == NULL || imp->resolved == NULL ||
	    table_insert(t, imp, h) != 0) {
		imp_free(imp);
		return NULL;
	}
	memcpy(imp->resolved, m2, mlen);
	imp->resolved[mlen] = '.';
	memcpy(imp->resolved + mlen + 1, n2, nlen + 1);
	imp->module_len = (uint32_t)mlen;
	imp->by_use = strcmp(imp->resolved, "builtins.getattr") == 0 ||
		      strcmp(imp->resolved, "builtins.type") == 0;
	imp->sev = names_classify(sc, torchscript, imp->resolved, mlen,
				  imp->reason, sizeof(imp->reason));
	if (imp->sev == PW_SEV_INFO &&
	    strncmp(imp->reason, "allowlisted", 11) == 0)
		imp->model = names_call_model(torchscript, imp->resolved);
	return imp;
}

struct imp *
imp_unresolved(struct imp_table *t, const char *what, const char *reason)
{
	struct imp *imp = calloc(1, sizeof(*imp));
	uint64_t h = hash_str(0x1234, what);

	if (imp == NULL)
		return NULL;
	imp->module = strdup("");
	imp->name = strdup(what);
	imp->resolved = strdup(what);
	if (imp->module == NULL || imp->name == NULL || imp->resolved == NULL ||
	    table_insert(t, imp, h) != 0) {
		imp_free(imp);
		return NULL;
	}
	imp->sev = PW_SEV_MALICIOUS;
	snprintf(imp->reason, sizeof(imp->reason), "%s", reason);
	/* Never found again by name: each use is its own record, as each
	 * may resolve to something different at run time. */
	imp->unresolved = true;
	return imp;
}

/* ---- classification ---- */

/* Dotted identifiers: what __import__ and getattr can reach. */
static bool
valid_path(const char *s, size_t len)
{
	size_t i;
	bool start = true;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (start && isdigit(c))
			return false;
		if (!(isalnum(c) || c == '_' || c >= 0x80))
			return false;
		start = false;
	}
	return !start;
}

bool
names_valid_path(const char *s, size_t len)
{
	return valid_path(s, len);
}

/* Finds the list entry matching name exactly (prefix entries when
 * allow_prefix), or NULL. */
static const struct pw_list_entry *
list_match(const struct pw_list_entry *list, size_t n, const char *name,
	   size_t len, bool exact_only)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t plen = strlen(list[i].pattern);
		bool is_prefix = plen >= 2 &&
				 strcmp(list[i].pattern + plen - 2, ".*") == 0;

		if (exact_only && is_prefix)
			continue;
		if (pattern_match(list[i].pattern, name, len))
			return &list[i];
	}
	return NULL;
}

/* Matches the list against the whole name and against every dotted
 * suffix of it, since a dotted attribute path can walk from one module
 * into another ("pathlib" + "os.system"). */
static const struct pw_list_entry *
list_match_suffixes(const struct pw_list_entry *list, size_t n,
		    const char *name, size_t len, const char **ret_at)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i == 0 || name[i - 1] == '.') {
			const struct pw_list_entry *e =
				list_match(list, n, name + i, len - i, false);

			if (e != NULL) {
				*ret_at = name + i;
				return e;
			}
		}
	}
	return NULL;
}

const char *
names_call_model(bool torchscript, const char *resolved)
{
	size_t len = strlen(resolved);
	const struct pw_list_entry *e;

	e = list_match(pw_allowlist, pw_allowlist_len, resolved, len, true);
	if (e == NULL && torchscript)
		e = list_match(pw_torchscript_allowlist,
			       pw_torchscript_allowlist_len, resolved, len,
			       false);
	if (e == NULL)
		e = list_match(pw_allowlist, pw_allowlist_len, resolved, len,
			       false);
	return e != NULL ? e->model : NULL;
}

static long
user_match_suffixes(const struct pattern_list *pl, const char *name,
		    size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (i == 0 || name[i - 1] == '.') {
			long k = pattern_list_find(pl, name + i, len - i);

			if (k >= 0)
				return k;
		}
	return -1;
}

/* ALL_CAPS_WITH_DIGITS: how enum members are named. */
static bool
is_member_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !isupper((unsigned char)s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool
is_dunder(const char *s, size_t len)
{
	return len > 4 && s[0] == '_' && s[1] == '_' && s[len - 1] == '_' &&
	       s[len - 2] == '_';
}

/* Verbs that mark a function as running code or commands, touching
 * files or the network, or resolving names - whatever module it is in. */
static const char *const danger_tokens[] = {
	"system", "popen", "spawn", "spawnl", "spawnle", "spawnlp", "spawnv",
	"spawnve", "spawnvp", "exec", "execl", "execle", "execlp", "execv",
	"execve", "execvp", "execfile", "eval", "compile", "load", "loads",
	"unpickler", "import", "reload", "getattr", "setattr", "delattr",
	"attrgetter", "methodcaller", "run", "runcode", "runsource",
	"runctx", "runcall", "interact", "shell", "subprocess", "cmd",
	"command", "getoutput", "getstatusoutput", "open", "urlopen",
	"urlretrieve", "remove", "unlink", "rmtree", "rmdir", "rename",
	"chmod", "chown", "kill", "killpg", "fork", "dlopen", "connect",
	"socket", "save", "dump", "dumps", "write", "breakpoint",
	"globals", "locals", "builtins", "environ", "putenv", "exit",
	"abort", "urlcleanup", "webbrowser", "download", "upload", "file",
	"fromfile", "tofile", "mmap", "memmap", NULL
};

/* Class names that are dangerous whatever module re-exports them. */
static const char *const danger_classes[] = {
	"Popen", "CDLL", "PyDLL", "WinDLL", "OleDLL", "LibraryLoader",
	"FunctionType", "CodeType", "LambdaType", "MethodType", "ModuleType",
	"FileIO", "Thread", "Process", "Pool", NULL
};

static bool
name_has_danger_shape(const char *last, size_t len, char *tok_out,
		      size_t tok_cap)
{
	size_t i, start = 0;
	char tok[64];

	if (len > 0 && isupper((unsigned char)last[0])) {
		for (i = 0; danger_classes[i] != NULL; i++)
			if (strlen(danger_classes[i]) == len &&
			    memcmp(danger_classes[i], last, len) == 0) {
				snprintf(tok_out, tok_cap, "%s",
					 danger_classes[i]);
				return true;
			}
		return false;
	}
	/* snake_case: split on '_' and digits, compare lower-cased tokens. */
	for (i = 0; i <= len; i++) {
		if (i == len || last[i] == '_' ||
		    isdigit((unsigned char)last[i])) {
			size_t tl = i - start, k;

			if (tl > 0 && tl < sizeof(tok)) {
				for (k = 0; k < tl; k++)
					tok[k] = (char)tolower(
						(unsigned char)last[start + k]);
				tok[tl] = '\0';
				for (k = 0; danger_tokens[k] != NULL; k++)
					if (strcmp(danger_tokens[k], tok) ==
					    0) {
						snprintf(tok_out, tok_cap,
							 "%s", tok);
						return true;
					}
			}
			start = i + 1;
		}
	}
	return false;
}

enum pw_severity
names_classify(const struct pw_scanner *sc, bool torchscript,
	       const char *resolved, size_t module_len, char *reason,
	       size_t cap)
{
	size_t len = strlen(resolved);
	const char *name = resolved + module_len + 1;
	size_t name_len = len - module_len - 1;
	const struct pw_list_entry *e;
	const char *at = NULL, *p, *last;
	long k;
	char tok[64];

	if (module_len > len)
		return PW_SEV_ERROR;
	if (!valid_path(resolved, module_len) || !valid_path(name, name_len)) {
		snprintf(reason, cap,
			 "not an importable name (the import fails)");
		return PW_SEV_INFO;
	}
	if (sc != NULL &&
	    (k = user_match_suffixes(&sc->opts.deny, resolved, len)) >= 0) {
		snprintf(reason, cap, "denied by configuration (%s)",
			 sc->opts.deny.items[k]);
		return PW_SEV_MALICIOUS;
	}
	e = list_match(pw_allowlist, pw_allowlist_len, resolved, len, true);
	if (e == NULL && torchscript)
		e = list_match(pw_torchscript_allowlist,
			       pw_torchscript_allowlist_len, resolved, len,
			       false);
	if (e != NULL) {
		snprintf(reason, cap, "allowlisted: %s", e->reason);
		return PW_SEV_INFO;
	}
	/* An enum member, "module.Enum.MEMBER" (what getattr(Enum, 'MEMBER')
	 * resolves to): an ALL_CAPS attribute right under an exact entry
	 * whose reason says "enum". */
	last = memrchr(name, '.', name_len);
	if (last != NULL && is_member_name(last + 1,
					   (size_t)(name + name_len - last - 1)) &&
	    (e = list_match(pw_allowlist, pw_allowlist_len, resolved,
			    (size_t)(last - resolved), true)) != NULL &&
	    strncmp(e->reason, "enum", 4) == 0) {
		snprintf(reason, cap, "allowlisted: member of %.*s (%s)",
			 (int)(last - resolved), resolved, e->reason);
		return PW_SEV_INFO;
	}
	e = list_match_suffixes(pw_denylist, pw_denylist_len, resolved, len,
				&at);
	if (e != NULL) {
		if (at != resolved)
			snprintf(reason, cap,
				 "dotted path reaches %s: %s", at, e->reason);
		else
			snprintf(reason, cap, "%s", e->reason);
		return PW_SEV_MALICIOUS;
	}
	/* Dunder attributes reach interpreter internals: __builtins__,
	 * __globals__, __getattribute__, __subclasses__, ... */
	for (p = name; p < name + name_len;) {
		const char *dot = memchr(p, '.', (size_t)(name + name_len - p));
		size_t cl = dot ? (size_t)(dot - p) : (size_t)(name + name_len - p);

		if (is_dunder(p, cl)) {
			snprintf(reason, cap,
				 "dunder attribute '%.*s' reaches interpreter "
				 "internals", (int)cl, p);
			return PW_SEV_MALICIOUS;
		}
		p += cl + 1;
	}
	/* A package's __main__ module runs its program when it is imported
	 * (lib2to3.__main__ rewrites files, venv.__main__ installs): as a
	 * module component below a package it is never a class's home.  The
	 * top-level __main__ is where users' own classes live and stays
	 * merely unlisted. */
	for (p = resolved; p < resolved + module_len;) {
		const char *dot = memchr(p, '.',
					 (size_t)(resolved + module_len - p));
		size_t cl = dot ? (size_t)(dot - p)
				: (size_t)(resolved + module_len - p);

		if (p != resolved && cl == 8 && memcmp(p, "__main__", 8) == 0) {
			snprintf(reason, cap, "imports %.*s, a package's "
				 "__main__, which runs its program on import",
				 (int)module_len, resolved);
			return PW_SEV_MALICIOUS;
		}
		p += cl + 1;
	}
	if ((module_len == 8 && memcmp(resolved, "builtins", 8) == 0) ||
	    (module_len == 11 && memcmp(resolved, "__builtin__", 11) == 0)) {
		const char *dot = memchr(name, '.', name_len);
		size_t first = dot ? (size_t)(dot - name) : name_len, b;

		/* The builtins namespace is fixed: a name it does not have
		 * cannot be imported (a cut-off line, a typo). */
		for (b = 0; builtin_names[b] != NULL; b++)
			if (strlen(builtin_names[b]) == first &&
			    memcmp(builtin_names[b], name, first) == 0)
				break;
		if (builtin_names[b] == NULL) {
			snprintf(reason, cap,
				 "no such builtin (the import fails)");
			return PW_SEV_INFO;
		}
		snprintf(reason, cap,
			 "builtin outside the allowlist (builtins hold eval, "
			 "exec, getattr, open, __import__)");
		return PW_SEV_MALICIOUS;
	}
	if (sc != NULL && pattern_list_find(&sc->opts.allow, resolved, len) >= 0) {
		snprintf(reason, cap, "allowed by configuration");
		return PW_SEV_INFO;
	}
	/* An allowed class does not allow its methods: "Class.method" is
	 * judged as its own name, and an attribute of an allowlisted name
	 * that no exact entry lists is one no writer references
	 * (OrderedDict.update, DataFrame.to_csv, PosixPath.touch,
	 * Tensor.apply_).  Enum members were cleared above. */
	for (p = name + name_len; p > name; p--) {
		if (p[-1] != '.' || p - 1 == name)
			continue;
		e = list_match(pw_allowlist, pw_allowlist_len, resolved,
			       (size_t)(p - 1 - resolved), true);
		if (e != NULL) {
			snprintf(reason, cap,
				 "attribute '%.*s' of the allowlisted %.*s, "
				 "reached through a dotted path: the entry "
				 "allows the name, not its methods",
				 (int)(name + name_len - p), p,
				 (int)(p - 1 - resolved), resolved);
			return PW_SEV_MALICIOUS;
		}
	}
	/* Module-wide entries cover the module's own names, not attributes
	 * reached through them. */
	if (memchr(name, '.', name_len) == NULL) {
		e = list_match(pw_allowlist, pw_allowlist_len, resolved, len,
			       false);
		if (e != NULL) {
			snprintf(reason, cap, "allowlisted: %s", e->reason);
			return PW_SEV_INFO;
		}
	}
	last = memrchr(name, '.', name_len);
	last = last ? last + 1 : name;
	if (name_has_danger_shape(last, (size_t)(name + name_len - last), tok,
				  sizeof(tok))) {
		snprintf(reason, cap,
			 "name has the shape of a code, command, file or "
			 "network gadget ('%s') and is not allowlisted", tok);
		return PW_SEV_MALICIOUS;
	}
	if (memchr(name, '.', name_len) != NULL) {
		/* Qualified names of nested classes are CamelCase; a path
		 * that walks through a lowercase attribute is walking through
		 * a module the first one imported (collections._sys.modules,
		 * pathlib.os.system). */
		for (p = name; p < name + name_len;) {
			const char *dot = memchr(p, '.',
						 (size_t)(name + name_len - p));
			const char *c = p;

			if (dot == NULL)
				break;
			while (c < dot && *c == '_')
				c++;
			/* A reviewed class with a lower-case name (scipy's
			 * interp1d) is a class, not a module. */
			if (c < dot && islower((unsigned char)*c) &&
			    list_match(pw_allowlist, pw_allowlist_len, resolved,
				       (size_t)(dot - resolved), true) == NULL) {
				snprintf(reason, cap,
					 "dotted path walks through '%.*s', an "
					 "attribute that looks like a module "
					 "(module escape)", (int)(dot - p), p);
				return PW_SEV_MALICIOUS;
			}
			p = dot + 1;
		}
		snprintf(reason, cap,
			 "dotted attribute path outside the allowlist");
		return PW_SEV_SUSPICIOUS;
	}
	snprintf(reason, cap, "global outside the allowlist");
	return PW_SEV_SUSPICIOUS;
}

bool
names_module_denied(const struct pw_scanner *sc, const char *module,
		    size_t len)
{
	char buf[PW_NAME_MAX + 3];
	const char *at;

	if (len > PW_NAME_MAX)
		return true;
	/* "m.*" entries deny the module itself: match "<module>.x". */
	memcpy(buf, module, len);
	memcpy(buf + len, ".x", 3);
	if (sc != NULL && user_match_suffixes(&sc->opts.deny, buf, len + 2) >= 0)
		return true;
	return list_match_suffixes(pw_denylist, pw_denylist_len, buf, len + 2,
				   &at) != NULL;
}
