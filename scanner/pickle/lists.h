/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lists.h - the built-in allow and deny lists and the Python 2 name
 * mapping, compiled from the .txt files in scanner/data (see gen-lists.sh).
 */
#ifndef PW_PICKLE_LISTS_H
#define PW_PICKLE_LISTS_H

#include <stddef.h>

struct pw_list_entry {
	const char *pattern;	/* "a.b" exact, "a.*" prefix */
	const char *reason;
	/* Call model of an allowlisted callable ("" = plain constructor):
	 * what it does with its arguments, see scanner/data/allowlist.txt. */
	const char *model;
};

struct pw_compat_import {
	const char *from, *to;
};

struct pw_compat_name {
	const char *from_module, *from_name, *to_module, *to_name;
};

extern const struct pw_list_entry pw_allowlist[];
extern const size_t pw_allowlist_len;
extern const struct pw_list_entry pw_denylist[];
extern const size_t pw_denylist_len;
extern const struct pw_list_entry pw_torchscript_allowlist[];
extern const size_t pw_torchscript_allowlist_len;
/* Operators real TorchScript code calls (torchscript-ops.txt, learned by
 * scanner/data/audit/ts_ops.py). */
extern const struct pw_list_entry pw_torchscript_ops[];
extern const size_t pw_torchscript_ops_len;
extern const struct pw_compat_import pw_compat_imports[];
extern const size_t pw_compat_imports_len;
extern const struct pw_compat_name pw_compat_names[];
extern const size_t pw_compat_names_len;

#endif
