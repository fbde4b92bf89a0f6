/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_internal.h - what the zip reader (zip.c) shares with the PyTorch
 * layout rules (zip_layout.c) and the member decoders (codecs.c).  Our
 * names take a pwz_ prefix: zip_* is libzip's name space.
 */
#ifndef PW_CONTAINER_ZIP_INTERNAL_H
#define PW_CONTAINER_ZIP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <zip.h>

#include "context.h"
#include "source.h"
#include "stream.h"

/* One member as the central directory and its local header describe it. */
struct pwz_member {
	zip_t *za;		/* the archive, for methods we leave to libzip */
	zip_uint64_t index;
	const char *name;	/* central-directory name (libzip's) */
	uint64_t csize, usize;
	uint16_t method;	/* central directory */
	uint32_t crc;
	bool encrypted;		/* central directory says so */
	uint64_t data_off;	/* where the data starts in the source */
	uint16_t lflags;	/* local header flags */
	bool anomaly_hides;	/* an anomaly makes other tools skip it */
	enum pw_severity anomaly_sev;
};

/* What the archive as a whole looks like. */
struct pwz_shape {
	bool torch;		/* <top>/data.pkl exists */
	bool torchscript;	/* <top>/constants.pkl or <top>/code/ */
	bool npz;		/* every member ends in .npy */
	bool torch_package;	/* <top>/.data/version and extern_modules */
};

enum member_role {
	ROLE_SNIFF,	/* scan whatever its bytes sniff as */
	ROLE_PICKLE,	/* <top>/NAME.pkl of a torch archive: a pickle */
	ROLE_RAW,	/* raw bytes PyTorch never unpickles */
	ROLE_TS_CODE,	/* <top>/code/...py: TorchScript source (code.c) */
	ROLE_PKG_SOURCE, /* a torch.package module's .py source (code.c) */
};

/* Notes a member name in the archive's shape (torch, TorchScript, npz). */
void pwz_layout_note(struct pwz_shape *sh, const char *name, bool *all_npy);
/* What PyTorch does with a member of an archive of this shape. */
enum member_role pwz_layout_role(const struct pwz_shape *sh, const char *name);
bool pwz_ends_with(const char *s, const char *suffix);

/* LZMA members (method 14): Python's zipfile reads them, libzip 1.7 not. */
#define ZIP_LZMA_METHOD 14

/* Runs on a member's decoded bytes (a sequential stream). */
typedef int (*pwz_scan_fn)(struct scan_ctx *ctx, struct stream *st,
				  void *arg);
/* Decode a member with libzip (bzip2, and whatever else it supports) or
 * with liblzma (method 14), handing the output to scan.  Every output byte
 * counts against the decompression caps; a decoder that fails early is an
 * error finding.  Return PW_OK or a fatal status. */
int pwz_codec_libzip(struct scan_ctx *ctx, const struct pwz_member *m,
		     pwz_scan_fn scan, void *arg);
int pwz_codec_lzma(struct scan_ctx *ctx, const struct source *src,
		   const struct pwz_member *m, pwz_scan_fn scan,
		   void *arg);

#endif
