/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_containers - structure-aware libFuzzer harness for the container
 * paths (issue 3).  The first input byte picks a wrapper, the rest is the
 * payload the wrapper carries, so that the fuzzer spends its time inside
 * the containers' parsers instead of rediscovering zip or gzip framing:
 *   0  the bytes as they are (any container, any trick)
 *   1  a stored PyTorch zip whose archive/data.pkl is the payload
 *   2  the same, deflated
 *   3  a PyTorch zip with a benign data.pkl and the payload as a raw
 *      storage member archive/data/0
 *   4  gzip of the payload
 *   5  an .npy object-array header followed by the payload
 *   6  a legacy torch file: magic and protocol pickles, then the payload
 *      (sys_info, data, keys, raw storages)
 *   7  a tar whose "storages" member is the payload (legacy tar records)
 *   8  an .npy header whose dict is the payload
 * Build: CC=clang ./configure --enable-fuzz [--enable-asan --enable-ubsan];
 * run:   tests/containers/fuzz_containers -max_len=65536 \
 *            $(srcdir)/tests/containers/fixtures
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "picklewarden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pw_scanner *scanner;

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *d, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t ncap = (b->len + n) * 2 + 64;
		uint8_t *np = realloc(b->p, ncap);

		if (np == NULL)
			abort();
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(b, x, 2);
}

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	put(b, x, 4);
}

struct zent {
	const char *name;
	const uint8_t *data;
	size_t len;
	bool deflate;
};

/* A zip of n entries (stored or deflated), offsets from 0. */
static void
make_zip(struct buf *out, const struct zent *e, unsigned n)
{
	struct buf cd = { 0 };
	unsigned i;

	for (i = 0; i < n; i++) {
		uint32_t off = (uint32_t)out->len;
		uint32_t crc = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
		uint8_t *comp = (uint8_t *)e[i].data;
		uLongf clen = e[i].len;
		uint16_t nl = (uint16_t)strlen(e[i].name);

		if (e[i].deflate) {
			z_stream zs;

			clen = compressBound(e[i].len) + 16;
			comp = malloc(clen);
			if (comp == NULL)
				abort();
			memset(&zs, 0, sizeof(zs));
			deflateInit2(&zs, 6, Z_DEFLATED, -15, 8,
				     Z_DEFAULT_STRATEGY);
			zs.next_in = (Bytef *)(uintptr_t)e[i].data;
			zs.avail_in = (uInt)e[i].len;
			zs.next_out = comp;
			zs.avail_out = (uInt)clen;
			deflate(&zs, Z_FINISH);
			clen = zs.total_out;
			deflateEnd(&zs);
		}
		put32(out, 0x04034b50);
		put16(out, 20);
		put16(out, 0);
		put16(out, e[i].deflate ? 8 : 0);
		put32(out, 0);
		put32(out, crc);
		put32(out, (uint32_t)clen);
		put32(out, (uint32_t)e[i].len);
		put16(out, nl);
		put16(out, 0);
		put(out, e[i].name, nl);
		put(out, comp, clen);
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, 0);
		put16(&cd, e[i].deflate ? 8 : 0);
		put32(&cd, 0);
		put32(&cd, crc);
		put32(&cd, (uint32_t)clen);
		put32(&cd, (uint32_t)e[i].len);
		put16(&cd, nl);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, off);
		put(&cd, e[i].name, nl);
		if (comp != e[i].data)
			free(comp);
	}
	{
		uint32_t cd_off = (uint32_t)out->len;

		put(out, cd.p, cd.len);
		put32(out, 0x06054b50);
		put16(out, 0);
		put16(out, 0);
		put16(out, (uint16_t)n);
		put16(out, (uint16_t)n);
		put32(out, (uint32_t)cd.len);
		put32(out, cd_off);
		put16(out, 0);
	}
	free(cd.p);
}

static void
make_gzip(struct buf *out, const uint8_t *d, size_t n)
{
	uLongf cap = compressBound(n) + 64;
	z_stream zs;

	out->p = malloc(cap);
	if (out->p == NULL)
		abort();
	out->cap = cap;
	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (Bytef *)(uintptr_t)d;
	zs.avail_in = (uInt)n;
	zs.next_out = out->p;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	out->len = zs.total_out;
	deflateEnd(&zs);
}

static void
make_tar(struct buf *out, const char *name, const uint8_t *d, size_t n)
{
	uint8_t h[512];
	unsigned sum = 0, i;
	static const uint8_t zero[1024];

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "0000644");
	snprintf((char *)h + 108, 8, "0000000");
	snprintf((char *)h + 116, 8, "0000000");
	snprintf((char *)h + 124, 12, "%011lo", (unsigned long)n);
	snprintf((char *)h + 136, 12, "%011o", 0);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar\00000", 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(out, h, 512);
	put(out, d, n);
	put(out, zero, (512 - n % 512) % 512);
	put(out, zero, 1024);
}

static const uint8_t benign_pkl[] = "\x80\x02}q\x00X\x01\x00\x00\x00" "aK\x01s.";
static const uint8_t legacy_head[] =
	"\x80\x02\x8a\x0a" "l\xfc\x9c" "F\xf9 j\xa8P\x19." "\x80\x02M\xe9\x03.";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = { 0 };
	struct pw_result *r = NULL;
	const uint8_t *pl;
	size_t n;
	int rc;

	if (scanner == NULL && pw_scanner_new(NULL, &scanner) != PW_OK)
		abort();
	if (size < 1)
		return 0;
	pl = data + 1;
	n = size - 1;
	switch (data[0] % 9) {
	case 1: case 2: {
		struct zent e = { "archive/data.pkl", pl, n, data[0] % 9 == 2 };

		make_zip(&b, &e, 1);
		break;
	}
	case 3: {
		struct zent e[2] = {
			{ "archive/data.pkl", benign_pkl,
			  sizeof(benign_pkl) - 1, false },
			{ "archive/data/0", pl, n, data[0] & 0x80 },
		};

		make_zip(&b, e, 2);
		break;
	}
	case 4:
		make_gzip(&b, pl, n);
		break;
	case 5: {
		static const char h[] = "{'descr': '|O', 'fortran_order': "
					"False, 'shape': (1,), }";

		put(&b, "\x93NUMPY\x01\x00", 8);
		put16(&b, (uint16_t)(sizeof(h) - 1));
		put(&b, h, sizeof(h) - 1);
		put(&b, pl, n);
		break;
	}
	case 6:
		put(&b, legacy_head, sizeof(legacy_head) - 1);
		put(&b, pl, n);
		break;
	case 7:
		make_tar(&b, "storages", pl, n);
		break;
	case 8:
		put(&b, "\x93NUMPY\x01\x00", 8);
		put16(&b, (uint16_t)(n > 65535 ? 65535 : n));
		put(&b, pl, n);
		break;
	default:
		put(&b, pl, n);
		break;
	}
	/* PW_FUZZ_DUMP=FILE writes the wrapped input, to keep a crash as a
	 * plain regression file. */
	if (getenv("PW_FUZZ_DUMP") != NULL) {
		FILE *f = fopen(getenv("PW_FUZZ_DUMP"), "wb");

		if (f != NULL) {
			fwrite(b.p, 1, b.len, f);
			fclose(f);
		}
	}
	rc = pw_scan_buffer(scanner, b.p, b.len, &r);
	free(b.p);
	if (rc == PW_ERR_NOMEM)
		return 0;
	if (rc != PW_OK || r == NULL)
		abort();
	if ((unsigned)pw_result_verdict(r) > PW_VERDICT_MALICIOUS)
		abort();
	pw_result_free(r);
	return 0;
}
