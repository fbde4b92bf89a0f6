/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_layout.c - PyTorch's layout rules for a zip: an archive whose
 * <top>/data.pkl exists is a torch.save checkpoint, one with
 * <top>/constants.pkl or <top>/code/ is TorchScript, and only the top
 * folder's *.pkl are unpickled: data/, code/, extra/, torch.package's
 * .data/ and the small version records are raw bytes.
 */
#include "config.h"

#include <string.h>

#include "container/zip_internal.h"

bool
pwz_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The part of name after its first '/', or NULL. */
static const char *
after_top(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash != NULL ? slash + 1 : NULL;
}

void
pwz_layout_note(struct pwz_shape *sh, const char *name, bool *all_npy)
{
	const char *rest = after_top(name);

	if (!pwz_ends_with(name, ".npy"))
		*all_npy = false;
	if (rest == NULL)
		return;
	if (strcmp(rest, "data.pkl") == 0)
		sh->torch = true;
	/* torch.package (torch.package.PackageExporter) writes these. */
	if (strcmp(rest, ".data/extern_modules") == 0 ||
	    strcmp(rest, ".data/version") == 0)
		sh->torch_package = true;
	if (strcmp(rest, "constants.pkl") == 0 ||
	    strncmp(rest, "code/", 5) == 0)
		sh->torchscript = true;
}

enum member_role
pwz_layout_role(const struct pwz_shape *sh, const char *name)
{
	const char *rest = after_top(name);

	if (rest != NULL && sh->torch_package && !sh->torch &&
	    !sh->torchscript) {
		/* Pickles anywhere (the importer loads any resource as one),
		 * modules as source (never parsed as pickles), PackageExporter's
		 * records as raw text. */
		if (pwz_ends_with(rest, ".pkl"))
			return ROLE_PICKLE;
		if (pwz_ends_with(rest, ".py"))
			return ROLE_PKG_SOURCE;
		if (strncmp(rest, ".data/", 6) == 0)
			return ROLE_RAW;
		return ROLE_SNIFF;
	}
	if (!(sh->torch || sh->torchscript) || rest == NULL)
		return ROLE_SNIFF;
	if (sh->torchscript && strncmp(rest, "code/", 5) == 0 &&
	    pwz_ends_with(rest, ".py"))
		return ROLE_TS_CODE;
	if (strchr(rest, '/') == NULL && pwz_ends_with(rest, ".pkl"))
		return ROLE_PICKLE;
	/* Tensor storages, serialization ids, TorchScript sources (text
	 * that often starts with an opcode letter: "def", "class") and the
	 * small text records PyTorch writes next to them. */
	if (strncmp(rest, "data/", 5) == 0 || strncmp(rest, ".data/", 6) == 0 ||
	    strncmp(rest, "code/", 5) == 0 || strncmp(rest, "extra/", 6) == 0 ||
	    strcmp(rest, "version") == 0 || strcmp(rest, "byteorder") == 0 ||
	    strcmp(rest, ".format_version") == 0 ||
	    strcmp(rest, ".storage_alignment") == 0)
		return ROLE_RAW;
	return ROLE_SNIFF;
}
