/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hf.h - what a path means in a Hugging Face hub cache.
 *
 * huggingface_hub stores each repository as
 *   <cache>/models--org--name/blobs/<sha>              (the bytes)
 *   <cache>/models--org--name/snapshots/<rev>/<file>   (relative symlinks
 *                                                       to ../../blobs/<sha>)
 * (datasets-- and spaces-- alike).  A blob's name is a hash, which tells a
 * user nothing: these helpers recover the repository, the revision and the
 * file name, for logs, reports, hooks and tombstones.  Pure string work
 * except hf_resolve_blob, which reads the snapshot symlinks (bounded, by
 * descriptor, never following a link).
 */
#ifndef PW_AGENT_HF_H
#define PW_AGENT_HF_H

#include <stdbool.h>
#include <stddef.h>

/* Snapshot folders and entries hf_resolve_blob looks at, at most: a repo
 * with more revisions than this is rare, and the answer is cosmetic. */
#define HF_RESOLVE_MAX_ENTRIES 4096
/* Subfolder depth inside a snapshot (files like "unet/model.bin"). */
#define HF_RESOLVE_MAX_DEPTH 8

struct hf_location {
	char kind[16];		/* "models", "datasets" or "spaces" */
	char repo[512];		/* "org/name" (the "--" turned into "/") */
	char repo_folder[512];	/* "models--org--name" */
	size_t repo_dir_len;	/* path[0..repo_dir_len) is the repo folder */
	char revision[128];	/* snapshot name; "" for an unresolved blob */
	char file[1024];	/* path inside the snapshot; "" likewise */
	char blob[160];		/* blob name when the path is a blob */
	bool is_blob;		/* path is .../blobs/<sha> */
};

/*
 * Parses path (absolute or relative; not touched on disk).  Returns true
 * and fills *ret when path is a blob or a file inside a snapshot of an HF
 * cache repository folder; false otherwise (*ret is then zeroed).  Over-long
 * components make it false rather than truncated.
 */
bool hf_parse_path(const char *path, struct hf_location *ret);

/*
 * For a blob location from hf_parse_path(path): finds a snapshot symlink
 * that points at it and fills loc->revision and loc->file.  Returns 0 when
 * one was found, -1 otherwise (no snapshot names it, or a bound was hit).
 */
int hf_resolve_blob(const char *path, struct hf_location *loc);

/*
 * True when a symlink found at link_path (a file inside a snapshot) with
 * the target text target points at a blob of the same repository folder:
 * "../../blobs/<sha>" with the right number of "..", nothing else.
 */
bool hf_link_stays_in_repo(const char *link_path, const char *target);

/*
 * True when loc is a blob under its finished name: 40 (git) or 64 (LFS
 * sha256) lowercase hex digits, as huggingface_hub names blobs once the
 * download is renamed.  A ".incomplete" download (resumed, never loaded)
 * or any other file that merely sits in a blobs/ folder is not one.
 */
bool hf_blob_is_final(const struct hf_location *loc);

/* "pytorch_model.bin from models--org--name@abc1234" (short revision),
 * or the file name alone when nothing is known.  Not escaped. */
void hf_describe(const struct hf_location *loc, char *buf, size_t cap);

#endif
