/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container.h - parsers of the containers that carry pickles (internal).
 * Each takes the scan context and a source or stream positioned at the
 * start of the container, reports findings through the context, and opens
 * members with scan_enter()/scan_source()/scan_stream()/scan_leave().
 * Each returns PW_OK or a fatal status (NOMEM, IO); a malformed container
 * is a finding, not a failed call.
 */
#ifndef PW_CONTAINER_H
#define PW_CONTAINER_H

#include "context.h"
#include "sniff.h"

/* PK\3\4 at offset 0: PyTorch zip, TorchScript, .npz, or any zip. */
int container_zip_scan(struct scan_ctx *ctx, const struct source *src);
/* The prefix of a zip still being written (no central directory yet):
 * walks its local headers and reads its .pkl members as pickles as far as
 * they have landed (zip_prefix.c; pw_scan_fd_prefix). */
int container_zip_prefix_scan(struct scan_ctx *ctx, const struct source *src);
/* A file that is not a zip at offset 0 but contains one (a pickle glued
 * before a zip): scans the embedded zip if there is one. */
int container_polyglot_scan(struct scan_ctx *ctx, const struct source *src);
/* \x93NUMPY: header parsed, object arrays scanned as pickles. */
int container_npy_scan(struct scan_ctx *ctx, struct stream *st);
/* gzip, bzip2, xz, lzma, zstd, lz4, zlib, joblib's old "ZF" files: the
 * decompressed content is scanned like any file. */
int container_compressed_scan(struct scan_ctx *ctx, struct stream *st,
		    enum pw_format fmt);
/* tar (legacy torch) and 7z archives. */
int container_archive_scan(struct scan_ctx *ctx, const struct source *src,
		 enum pw_format fmt);
/* safetensors: header length and JSON checked; nothing executes. */
int container_safetensors_scan(struct scan_ctx *ctx, const struct source *src);
/* Legacy torch.save stream (magic, protocol, sys_info, data, keys, raw
 * storages).  Called when the stream starts with the legacy magic pickle. */
int legacy_torch_scan(struct scan_ctx *ctx, struct stream *st);
/* True when the bytes start with a legacy torch magic-number pickle. */
bool legacy_torch_magic(const uint8_t *head, size_t len);

struct pv;
/*
 * joblib writes a numpy array's data raw into the pickle stream, right
 * after the BUILD of its joblib.numpy_pickle.NumpyArrayWrapper; joblib's
 * unpickler reads them from the file at that point (an object array is a
 * nested pickle there instead).  The pickle VM calls this right after such
 * a BUILD, with st positioned after the BUILD opcode and `state` the BUILD
 * argument (the wrapper's __dict__: shape, order, dtype - a numpy.dtype call
 * whose first argument is the type string -, allow_mmap and
 * numpy_array_alignment_bytes).  It consumes the array bytes (scanning the
 * nested pickle of an object array) so that the VM goes on at the next
 * opcode.  When the state cannot be understood it reports an error finding
 * and consumes the rest of the stream, since nothing after can be located.
 * Returns PW_OK or a fatal status.
 */
int joblib_read_array(struct scan_ctx *ctx, struct stream *st,
		      const struct pv *state);

#endif
