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

/* Python's str.strip() whitespace, in ASCII (it includes \x1c-\x1f). */
static bool
py_space(uint8_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

/*
 * tarfile.nti() of the 8-byte checksum field: base-256 when the first byte
 * is 0200 or 0377, else nts() (up to the first NUL, ASCII) and
 * int(s.strip() or "0", 8) - which takes a sign, a "0o" prefix and single
 * underscores between digits.  False where tarfile raises.
 */
static bool
tar_nti(const uint8_t *f, size_t n, int64_t *ret)
{
	size_t i, end = n, b = 0;
	int64_t v = 0;
	bool neg = false, digit = false, under = false;

	if (f[0] == 0200 || f[0] == 0377) {
		if (n > 8) {
			*ret = 0;	/* always parses; the value is unused */
			return true;
		}
		for (i = 1; i < n; i++)
			v = (int64_t)((uint64_t)v << 8) | f[i];
		if (f[0] == 0377)
			v = v - ((int64_t)1 << (8 * (n - 1)));
		*ret = v;
		return true;
	}
	for (i = 0; i < n; i++)
		if (f[i] == 0) {
			end = i;
			break;
		}
	for (i = 0; i < end; i++)
		if (f[i] >= 0x80)
			return false;	/* nts() decodes ASCII strictly */
	while (b < end && py_space(f[b]))
		b++;
	while (end > b && py_space(f[end - 1]))
		end--;
	if (b == end) {
		*ret = 0;
		return true;
	}
	if (f[b] == '+' || f[b] == '-')
		neg = f[b++] == '-';
	if (end - b >= 2 && f[b] == '0' && (f[b + 1] == 'o' || f[b + 1] == 'O')) {
		b += 2;
		under = true;	/* "0o_7" is valid: an underscore may follow */
	}
	for (i = b; i < end; i++) {
		if (f[i] == '_') {
			if (!under)
				return false;
			under = false;
			continue;
		}
		if (f[i] < '0' || f[i] > '7')
			return false;
		v = v * 8 + (f[i] - '0');
		digit = true;
		under = true;
	}
	if (!digit || (i > b && f[end - 1] == '_'))
		return false;
	*ret = neg ? -v : v;
	return true;
}

uint64_t
sniff_tar_size(const uint8_t *head)
{
	int64_t v = 0;
	uint64_t u = 0;
	int i;

	if (head[124] == 0200 || head[124] == 0377) {
		/* base-256: the low 8 of the 11 value bytes */
		for (i = 4; i < 12; i++)
			u = (u << 8) | head[124 + i];
		return head[124] == 0377 ? 0 : u;
	}
	if (!tar_nti(head + 124, 12, &v) || v < 0)
		return 0;
	return (uint64_t)v;
}

bool
sniff_tar_header(const uint8_t *head, size_t len)
{
	static const uint16_t fields[][2] = {
		{ 100, 8 }, { 108, 8 }, { 116, 8 }, { 124, 12 }, { 136, 12 },
		{ 329, 8 }, { 337, 8 },
	};
	int64_t chk, v, usum = 256, ssum = 256;
	size_t i;
	bool zero = true;

	if (len < 512)
		return false;
	for (i = 0; i < 512; i++) {
		if (head[i] != 0)
			zero = false;
		if (i >= 148 && i < 156)
			continue;	/* the field counts as 8 spaces */
		usum += head[i];
		ssum += (int8_t)head[i];
	}
	/* An all-zero block is tarfile's end-of-archive: at offset 0 it is
	 * an empty file, which tarfile.open refuses. */
	if (zero || !tar_nti(head + 148, 8, &chk) ||
	    (chk != usum && chk != ssum))
		return false;
	/* frombuf() then parses every numeric field the same way and refuses
	 * the header when one fails: mode, uid, gid, size, mtime, devmajor,
	 * devminor. */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!tar_nti(head + fields[i][0], fields[i][1], &v))
			return false;
	return true;
}

bool
sniff_lzma_alone(const uint8_t *head, size_t len)
{
	/* Properties byte lc/lp/pb (< 9*5*5), then the range coder's first
	 * byte, which is always 0; dictionary and size are anything. */
	return len >= 14 && head[0] < 225 && head[13] == 0;
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
	/* zstd, and zstd's (also lz4's) skippable frames, which readers skip
	 * before the frame that holds the data; their first byte ('P'..'_')
	 * is often an opcode, so the raw pickle reading runs as well. */
	if (has_prefix(head, len, "\x28\xb5\x2f\xfd", 4) ||
	    (len >= 4 && (head[0] & 0xf0) == 0x50 && head[1] == 0x2a &&
	     head[2] == 0x4d && head[3] == 0x18))
		return FMT_ZSTD;
	if (has_prefix(head, len, "\x04\x22\x4d\x18", 4))
		return FMT_LZ4;
	if (has_prefix(head, len, "7z\xbc\xaf\x27\x1c", 6))
		return FMT_7Z;
	if (has_prefix(head, len, "ZF0x", 4))
		return FMT_JOBLIB_LEGACY;
	/* tarfile's rule, as torch.load applies it: a first block whose
	 * checksum is valid (V7, GNU and ustar alike; no magic needed). */
	if (sniff_tar_header(head, len))
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
	/* A preset dictionary (FDICT) makes zlib.decompress fail, so "x "
	 * (a Python source starting "x = 1") is text, not joblib's zlib. */
	if (len >= 2 && head[0] == 0x78 && ((head[0] << 8) | head[1]) % 31 == 0 &&
	    (head[1] & 0x20) == 0)
		return FMT_ZLIB;
	/* Anything that starts with an opcode is something pickle.load would
	 * start executing; the pickle scanner decides how far it gets. */
	if (pickle_opcode_valid(head[0]))
		return FMT_PICKLE;
	return FMT_UNKNOWN;
}
