/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <string.h>

#include "pickle/opcodes.h"
#include "sniff.h"

static bool
has_prefix(const uint8_t *head, size_t len, const char *magic, size_t mlen)
{
	return len >= mlen && memcmp(head, magic, mlen) == 0;
}

/* safetensors: u64 little-endian header length, then a JSON object. */
static bool
looks_safetensors(const uint8_t *head, size_t len, uint64_t total)
{
	uint64_t hlen = 0;
	int i;

	if (len < 10)
		return false;
	for (i = 7; i >= 0; i--)
		hlen = (hlen << 8) | head[i];
	if (head[8] != '{')
		return false;
	return total == UINT64_MAX || (hlen >= 2 && hlen <= total - 8);
}

enum pw_format
sniff_format(const uint8_t *head, size_t len, uint64_t total)
{
	if (len == 0)
		return FMT_UNKNOWN;
	/* Magic numbers first: several begin with a byte that is also a
	 * pickle opcode ('P', '(', 0x93, 'G'), and every loader checks its
	 * magic before falling back to unpickling. */
	if (has_prefix(head, len, "PK\x03\x04", 4) ||
	    has_prefix(head, len, "PK\x05\x06", 4))
		return FMT_ZIP;
	if (has_prefix(head, len, "\x93NUMPY", 6))
		return FMT_NPY;
	if (has_prefix(head, len, "\x1f\x8b", 2))
		return FMT_GZIP;
	if (has_prefix(head, len, "BZh", 3))
		return FMT_BZIP2;
	if (has_prefix(head, len, "\xfd" "7zXZ\x00", 6))
		return FMT_XZ;
	if (has_prefix(head, len, "\x28\xb5\x2f\xfd", 4))
		return FMT_ZSTD;
	if (has_prefix(head, len, "\x04\x22\x4d\x18", 4))
		return FMT_LZ4;
	if (has_prefix(head, len, "7z\xbc\xaf\x27\x1c", 6))
		return FMT_7Z;
	if (has_prefix(head, len, "ZF0x", 4))
		return FMT_JOBLIB_LEGACY;
	if (len >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		return FMT_TAR;
	if (has_prefix(head, len, "GGUF", 4))
		return FMT_GGUF;
	/* HDF5 (Keras .h5, model.weights.h5 inside .keras zips): its first
	 * byte 0x89 is NEWFALSE, but the second, 'H', is no opcode, so every
	 * unpickler fails there before doing anything. */
	if (has_prefix(head, len, "\x89HDF\r\n\x1a\n", 8))
		return FMT_UNKNOWN;
	if (has_prefix(head, len, "\x89PNG", 4) ||
	    has_prefix(head, len, "\xff\xd8\xff", 3) ||
	    has_prefix(head, len, "GIF8", 4))
		return FMT_IMAGE;
	if (looks_safetensors(head, len, total))
		return FMT_SAFETENSORS;
	/* joblib's lzma (.lzma "alone") streams: properties byte 0x5d and a
	 * dictionary size; ']' is EMPTY_LIST, so require the full shape. */
	if (len >= 13 && head[0] == 0x5d && head[1] == 0x00 && head[2] == 0x00 &&
	    head[5] == 0xff && head[6] == 0xff && head[7] == 0xff &&
	    head[8] == 0xff)
		return FMT_LZMA;
	/* zlib with a 32 KiB window, as zlib and joblib write it; 'x' is no
	 * opcode, unlike the other window sizes' first bytes. */
	if (len >= 2 && head[0] == 0x78 && ((head[0] << 8) | head[1]) % 31 == 0)
		return FMT_ZLIB;
	/* Anything that starts with an opcode is something pickle.load would
	 * start executing; the pickle scanner decides how far it gets. */
	if (pickle_opcode_valid(head[0]))
		return FMT_PICKLE;
	return FMT_UNKNOWN;
}
