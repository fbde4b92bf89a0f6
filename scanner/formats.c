/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "formats.h"

const char *
format_name(enum pw_format fmt)
{
	switch (fmt) {
	case FMT_PICKLE: return "pickle";
	case FMT_ZIP: return "zip";
	case FMT_NPY: return "numpy";
	case FMT_GZIP: return "gzip";
	case FMT_BZIP2: return "bzip2";
	case FMT_XZ: return "xz";
	case FMT_LZMA: return "lzma";
	case FMT_ZSTD: return "zstd";
	case FMT_LZ4: return "lz4";
	case FMT_ZLIB: return "zlib";
	case FMT_TAR: return "tar";
	case FMT_7Z: return "7z";
	case FMT_SAFETENSORS: return "safetensors";
	case FMT_GGUF: return "gguf";
	case FMT_ONNX: return "onnx";
	case FMT_TEXT: return "text";
	case FMT_IMAGE: return "image";
	case FMT_JOBLIB_LEGACY: return "joblib-zlib";
	case FMT_LEGACY_TORCH: return "legacy-torch";
	case FMT_LEGACY_TORCH_TAR: return "legacy-torch-tar";
	case FMT_PYTORCH_ZIP: return "pytorch-zip";
	case FMT_TORCHSCRIPT: return "torchscript";
	case FMT_NPZ: return "npz";
	case FMT_JOBLIB: return "joblib";
	case FMT_DATA: return "data";
	case FMT_UNKNOWN: break;
	}
	return "unknown";
}
