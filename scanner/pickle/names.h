/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.h - what a global the unpickler imports resolves to, and how
 * dangerous that is.  One record per distinct import per pickle stream.
 */
#ifndef PW_PICKLE_NAMES_H
#define PW_PICKLE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "picklewarden.h"

struct pw_scanner;

struct imp {
	struct imp *next;	/* hash chain */
	char *module, *name;	/* as written in the file */
	char *resolved;		/* "module.name" after Python 2 remapping */
	bool remapped;		/* protocol < 3 remapping applied */
	bool unresolved;	/* not a (module, name) import */
	bool ext;		/* through EXT1/2/4: the copyreg registry */
	enum pw_severity sev;
	char reason[256];
	const char *opcode;	/* first import */
	uint64_t offset;
	uint64_t calls;		/* times called */
	const char *call_opcode;
	uint64_t call_offset;
	uint32_t seq;		/* order of first import */
	uint32_t module_len;	/* length of the module part of resolved */
	/* Globals judged by how they are used (builtins.getattr and
	 * builtins.type): every
	 * time the global reached the stack (pushes) must be a call of the
	 * one shape we can pin down (pinned_calls); see vm.c. */
	bool by_use;
	bool misuse_reported;	/* a later run's misuse already reported */
	uint64_t pushes, pinned_calls;
	/* Call model of an allowlisted callable (allowlist.txt: "" = plain
	 * constructor), NULL when the name is not allowlisted. */
	const char *model;
	uint64_t followed;	/* nested loads whose bytes we scanned */
	uint64_t dropped;	/* pushes discarded by POP / POP_MARK */
};

struct imp_table {
	struct imp **buckets;
	size_t nbuckets;
	size_t count;
};

void imp_table_init(struct imp_table *t);
void imp_table_fini(struct imp_table *t);
/*
 * The record for importing (module, name) as the unpickler would at the
 * given protocol; created and classified on first use.  module and name
 * are NUL-terminated UTF-8 (may be empty).  NULL when out of memory.
 */
struct imp *imp_lookup(struct imp_table *t, const struct pw_scanner *sc,
		       bool torchscript, const char *module,
		       const char *name, int proto);
/* A record for an import the machine cannot resolve statically (EXT codes,
 * STACK_GLOBAL of computed operands). */
struct imp *imp_unresolved(struct imp_table *t, const char *what,
			   const char *reason);
const char *imp_resolved_name(const struct imp *imp);

/* Whether s[0..len) is a dotted path of identifiers (what __import__ and
 * getattr can reach). */
bool names_valid_path(const char *s, size_t len);

/* Whether importing the module itself is denied (denylist or configuration
 * "m.*" entries): for imports whose name part cannot resolve, which still
 * import their module first. */
bool names_module_denied(const struct pw_scanner *sc, const char *module,
			 size_t len);

/* The call model of an allowlisted resolved name ("" = plain constructor),
 * or NULL when no built-in allowlist entry covers it. */
const char *names_call_model(bool torchscript, const char *resolved);

/* Classification of a resolved name; exposed for tests.  module_len is
 * the length of the module part of resolved. */
enum pw_severity names_classify(const struct pw_scanner *sc, bool torchscript,
				const char *resolved, size_t module_len,
				char *reason, size_t reason_cap);

#endif
