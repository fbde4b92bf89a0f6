/* SPDX-License-Identifier: Apache-2.0 */
/*
 * formats.h - the formats the scanner tells apart (internal): what the
 * sniffer decides from content, and what a parser learns later (a zip that
 * is a PyTorch checkpoint).  The result's format is one of these; the name
 * is only for people (pw_result_format).
 */
#ifndef PW_FORMATS_H
#define PW_FORMATS_H

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
	/* What a parser learns past the sniff (the result's format). */
	FMT_LEGACY_TORCH,	/* torch.save's legacy stream of pickles */
	FMT_LEGACY_TORCH_TAR,	/* torch.save's oldest (tar) format */
	FMT_PYTORCH_ZIP,	/* torch.save's zip (archive/data.pkl) */
	FMT_TORCHSCRIPT,	/* torch.jit.save */
	FMT_NPZ,		/* numpy.savez */
	FMT_JOBLIB,		/* a pickle with joblib's array wrappers */
	FMT_DATA,		/* looked like a pickle, never was one */
};

/* "pickle", "pytorch-zip", ...; never NULL. */
const char *format_name(enum pw_format fmt);

#endif
