/*
 * sig_model.h - hashing a model on disk the way the reference serialises
 * it, and comparing it with a signed manifest.
 *
 * Rules followed (sigstore/model-transparency, src/model_signing/):
 *   _serialization/file.py, file_shard.py: the model path itself and every
 *     entry below it (hidden ones too) is visited; an ignored path hides
 *     itself and everything below it; a symbolic link or a special file is
 *     an error (verification never allows symlinks unless asked, which this
 *     tool does not offer); a single-file model is one resource named ".".
 *   hashing.py Config.hash: ".git", ".gitattributes", ".github" and
 *     ".gitignore" are ignored by default, and _cli.py adds the signature
 *     file (when it lies inside the model); verifying.py adds the
 *     manifest's own ignore_paths.
 *   file_shard.py _endpoints: shards are [0,S), [S,2S), ... [kS,size); an
 *     empty file has no shard.
 *   io.py: SHA-256 over the file's (shard's) bytes.
 *   verifying.py _get_manifest_diff: extra files, missing files, digest
 *     mismatches.
 */
#ifndef PW_AGENT_SIG_MODEL_H
#define PW_AGENT_SIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/signing/sig_bundle.h"

/* Names that differ between the model and the manifest (item names:
 * "path" for files, "path:start:end" for shards). */
struct sig_diff {
	char **extra;		/* on disk, not in the manifest */
	size_t n_extra;
	char **missing;		/* in the manifest, not on disk */
	size_t n_missing;
	char **mismatch;	/* both, with another digest */
	size_t n_mismatch;
	uint64_t files;		/* files visited (not ignored) */
	uint64_t bytes_hashed;
};

/* Append-only. */
enum sig_model_status {
	SIG_MODEL_OK = 0,	/* compared: look at the diff */
	SIG_MODEL_BAD_ENTRY = 1,/* a symlink or special file in the model */
	SIG_MODEL_IO = 2,	/* could not read the model */
	SIG_MODEL_LIMIT = 3,	/* too many files, too deep */
	SIG_MODEL_NOMEM = 4,
};

/*
 * Walks model_path (a directory or a single file), hashes what the
 * manifest's serialisation says and compares.  sig_path is the signature
 * file (ignored when inside the model); extra (n_extra paths, absolute or
 * relative to the working directory, as the reference's --ignore-paths)
 * are ignored too when they lie inside the model.  On SIG_MODEL_OK *ret is filled
 * (sig_diff_clear frees it; a verified model has three empty lists).
 * Otherwise why (cap bytes) names the problem (it may hold a file name:
 * escape before printing).
 */
enum sig_model_status sig_model_compare(const char *model_path,
					const char *sig_path,
					char *const *extra, size_t n_extra,
					const struct sig_manifest *m,
					struct sig_diff *ret, char *why,
					size_t cap);
void sig_diff_clear(struct sig_diff *d);

/*
 * SHA-256 of bytes [start, end) of fd (end UINT64_MAX: to the end of the
 * file), read in SIG_HASH_CHUNK pieces with pread.  Returns 0, or -1 with
 * errno (EIO when the file is shorter than end).  *ret_bytes (may be NULL)
 * gets the bytes read.
 */
int sig_hash_fd(int fd, uint64_t start, uint64_t end, unsigned char out[32],
		uint64_t *ret_bytes);

/* True when rel (a path relative to the model directory) is left out of
 * the comparison: git paths, the manifest's ignore_paths, or sig_rel (the
 * signature's own path in the model, may be NULL). */
bool sig_model_ignored(const struct sig_manifest *m, const char *rel,
		       const char *sig_rel);

/* The item name the reference prints: "path" or "path:start:end". */
char *sig_item_name(const struct sig_item *it);

#endif
