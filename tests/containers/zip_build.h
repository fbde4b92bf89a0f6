/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_build.h - a stored (method 0) zip written byte by byte, for the zip
 * and polyglot unit tests: local headers, central directory, EOCD.
 */
#ifndef PW_TESTS_CONTAINERS_ZIP_BUILD_H
#define PW_TESTS_CONTAINERS_ZIP_BUILD_H

#include <zlib.h>

#include "unit.h"

struct zip_member {
	const char *name;
	const void *data;
	size_t len;
};

/* Writes the zip at out (room for cap bytes); returns its length.  The
 * offsets it records are relative to base, the zip's start in the file. */
static size_t
zip_build(uint8_t *out, size_t cap, const struct zip_member *m, size_t n,
	  size_t base)
{
	size_t off = 0, cd, i, lho[8];
	uint32_t crc[8];

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		size_t nl = strlen(m[i].name);

		assert_true(off + 30 + nl + m[i].len <= cap);
		crc[i] = (uint32_t)crc32(0L, (const Bytef *)m[i].data,
					 (uInt)m[i].len);
		lho[i] = off;
		memset(out + off, 0, 30);
		unit_le32(out + off, 0x04034b50);
		unit_le16(out + off + 4, 20);
		unit_le32(out + off + 14, crc[i]);
		unit_le32(out + off + 18, (uint32_t)m[i].len);
		unit_le32(out + off + 22, (uint32_t)m[i].len);
		unit_le16(out + off + 26, (unsigned)nl);
		memcpy(out + off + 30, m[i].name, nl);
		memcpy(out + off + 30 + nl, m[i].data, m[i].len);
		off += 30 + nl + m[i].len;
	}
	cd = off;
	for (i = 0; i < n; i++) {
		size_t nl = strlen(m[i].name);

		assert_true(off + 46 + nl <= cap);
		memset(out + off, 0, 46);
		unit_le32(out + off, 0x02014b50);
		unit_le16(out + off + 4, 20);
		unit_le16(out + off + 6, 20);
		unit_le32(out + off + 16, crc[i]);
		unit_le32(out + off + 20, (uint32_t)m[i].len);
		unit_le32(out + off + 24, (uint32_t)m[i].len);
		unit_le16(out + off + 28, (unsigned)nl);
		unit_le32(out + off + 42, (uint32_t)(base + lho[i]));
		memcpy(out + off + 46, m[i].name, nl);
		off += 46 + nl;
	}
	assert_true(off + 22 <= cap);
	memset(out + off, 0, 22);
	unit_le32(out + off, 0x06054b50);
	unit_le16(out + off + 8, (unsigned)n);
	unit_le16(out + off + 10, (unsigned)n);
	unit_le32(out + off + 12, (uint32_t)(off - cd));
	unit_le32(out + off + 16, (uint32_t)(base + cd));
	return off + 22;
}

#endif
