/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sniff.h - decides a format from content, never from a file name.
 */
#ifndef PW_SNIFF_H
#define PW_SNIFF_H

#include <stddef.h>
#include <stdint.h>

enum pw_format {
	FMT_UNKNOWN = 0,	/* not a format any loader executes */
	FMT_PICKLE,		/* a raw pickle stream, any protocol */
	FMT_ZIP,		/* PK\3\4 at offset 0: torch zip, npz, plain zip */
	FMT_NPY,		/* \x93NUMPY */
	FMT_GZIP,
	FMT_BZIP2,
	FMT_XZ,
	FMT_LZMA,		/* legacy .lzma (joblib "lzma") */
	FMT_ZSTD,
	FMT_LZ4,		/* lz4 frame */
	FMT_ZLIB,		/* joblib's raw zlib (0x78 header) */
	FMT_TAR,		/* ustar: legacy torch tar, or a plain tar */
	FMT_7Z,
	FMT_SAFETENSORS,
	FMT_GGUF,
	FMT_ONNX,		/* recognised by the caller's context only */
	FMT_TEXT,		/* JSON, text */
	FMT_IMAGE,
	FMT_JOBLIB_LEGACY,	/* joblib < 0.10 "ZF" zlib files */
};

/*
 * Decides the format of data whose first bytes are head[0..len) (len is
 * what was available, up to 512; total is the full size, or UINT64_MAX if
 * unknown).  Pure and cheap: it inspects only head.
 */
enum pw_format sniff_format(const uint8_t *head, size_t len, uint64_t total);
const char *sniff_format_name(enum pw_format fmt);

#endif
