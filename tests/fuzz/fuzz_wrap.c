/*
 * fuzz_wrap - one libFuzzer harness per input format, built from this
 * file with -DFUZZ_FORMAT=<n> (tests/fuzz.mk names each).  The first
 * input byte picks how the rest reaches pw_scan_buffer:
 *   even: the bytes as they are (the seed corpus holds real files of the
 *         format, so mutations stay close to its framing);
 *   odd:  the bytes are a payload (a pickle) that this harness wraps in
 *         the format with libarchive's writers, so the fuzzer spends its
 *         time in the format's glue and the pickle inside it; the other
 *         bits of the byte pick a variant (member layout, compressor).
 * Each result is checked like fuzz_scan_buffer's (tests/scanner/common.h).
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/scanner/common.h"

#define FUZZ_ZIP 1		/* PyTorch zip, npz-free */
#define FUZZ_LEGACY 2		/* legacy torch stream and torch tar */
#define FUZZ_NUMPY 3		/* .npy object arrays and .npz */
#define FUZZ_JOBLIB 4		/* joblib, plain and every compressor */
#define FUZZ_GZIP 5
#define FUZZ_BZIP2 6
#define FUZZ_XZ 7
#define FUZZ_LZMA 8
#define FUZZ_LZ4 9
#define FUZZ_ZSTD 10
#define FUZZ_ZLIB 11
#define FUZZ_ARCHIVE 12		/* 7z and tar through libarchive */
#define FUZZ_TORCHSCRIPT 13	/* TorchScript code/ and torch.package */

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=<n>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pw_scanner *scanner;

/* Benign pickles the wrappers put next to the payload. */
static const uint8_t benign_pkl[] = "\x80\x02}q\x00.";
static const uint8_t legacy_magic[] =
	"\x80\x02\x8a\x0al\xfc\x9c" "F\xf9 j\xa8P\x19.";
static const uint8_t legacy_proto[] = "\x80\x02M\xe9\x03.";
static const uint8_t legacy_sysinfo[] =
	"\x80\x02}q\x00(X\x10\x00\x00\x00protocol_versionq\x01M\xe9\x03X\r"
	"\x00\x00\x00little_endianq\x02\x88X\n\x00\x00\x00type_sizesq\x03}q"
	"\x04(X\x05\x00\x00\x00shortq\x05K\x02X\x03\x00\x00\x00intq\x06K\x04"
	"X\x04\x00\x00\x00longq\x07K\x04uu.";

struct member {
	const char *name;
	const uint8_t *data;
	size_t len;
};

enum { FMT_RAW, FMT_ZIP_STORE, FMT_ZIP_DEFLATE, FMT_7Z, FMT_TAR };

/*
 * Writes members in an archive format (FMT_RAW: one member, no framing)
 * through a compression filter (ARCHIVE_FILTER_NONE, _GZIP, ...) into a
 * new buffer.  Returns its length, or 0 when libarchive refused (an
 * unsupported filter): the input is then skipped.
 */
static size_t
build(int fmt, int filter, const struct member *m, size_t n, uint8_t **ret)
{
	struct archive *a = archive_write_new();
	size_t i, cap = 65536, used = 0;
	uint8_t *buf;

	for (i = 0; i < n; i++)
		cap += m[i].len * 2 + 1024;
	buf = malloc(cap);
	if (a == NULL || buf == NULL)
		abort();
	switch (fmt) {
	case FMT_RAW: archive_write_set_format_raw(a); break;
	case FMT_ZIP_STORE:
		archive_write_set_format_zip(a);
		archive_write_set_options(a, "zip:compression=store");
		break;
	case FMT_ZIP_DEFLATE:
		archive_write_set_format_zip(a);
		archive_write_set_options(a, "zip:compression=deflate");
		break;
	case FMT_7Z: archive_write_set_format_7zip(a); break;
	default: archive_write_set_format_ustar(a); break;
	}
	if (archive_write_add_filter(a, filter) != ARCHIVE_OK)
		goto fail;
	/* xz and lzma at their default level 6 take a 94 MB encoder and
	 * give the decoder an 8 MiB dictionary: under ASan that is most of
	 * a run (about 40 inputs a second).  Level 0 still writes LZMA. */
	if ((filter == ARCHIVE_FILTER_XZ || filter == ARCHIVE_FILTER_LZMA) &&
	    archive_write_set_filter_option(a, NULL, "compression-level",
					    "0") != ARCHIVE_OK)
		goto fail;
	if (archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (m[i].len > 0 &&
		     archive_write_data(a, m[i].data, m[i].len) < 0)) {
			archive_entry_free(e);
			goto fail;
		}
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	archive_write_free(a);
	*ret = buf;
	return used;
fail:
	archive_write_free(a);
	free(buf);
	return 0;
}

/* One compressed stream of the payload. */
static size_t
compressed(int filter, const uint8_t *p, size_t len, uint8_t **ret)
{
	struct member m = {"data", p, len};

	/* libarchive 3.6.2's lz4 writer dereferences NULL when it closes a
	 * stream it was given no bytes for (found by this harness, kept in
	 * harness-regressions/lz4/); an empty payload has nothing to wrap. */
	if (len == 0)
		return 0;

	return build(FMT_RAW, filter, &m, 1, ret);
}

static const int filters[] = {
	ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_BZIP2, ARCHIVE_FILTER_XZ,
	ARCHIVE_FILTER_LZMA, ARCHIVE_FILTER_LZ4, ARCHIVE_FILTER_ZSTD,
};

/* Concatenates pieces into a new buffer. */
static size_t
concat(const struct member *m, size_t n, uint8_t **ret)
{
	size_t i, len = 0;
	uint8_t *b;

	for (i = 0; i < n; i++)
		len += m[i].len;
	b = malloc(len ? len : 1);
	if (b == NULL)
		abort();
	for (len = 0, i = 0; i < n; i++) {
		memcpy(b + len, m[i].data, m[i].len);
		len += m[i].len;
	}
	*ret = b;
	return len;
}

/* An .npy v1 header for an object array, padded to 64 bytes. */
static size_t
npy(const uint8_t *p, size_t len, uint8_t **ret)
{
	static const char dict[] =
		"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
	uint8_t hdr[128];
	size_t hlen = 10 + sizeof(dict) - 1, total;
	struct member m[2];

	total = (hlen + 1 + 63) / 64 * 64;
	memset(hdr, ' ', sizeof(hdr));
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (uint8_t)(total - 10);
	hdr[9] = 0;
	memcpy(hdr + 10, dict, sizeof(dict) - 1);
	hdr[total - 1] = '\n';
	m[0] = (struct member){"", hdr, total};
	m[1] = (struct member){"", p, len};
	return concat(m, 2, ret);
}

/* The wrapped input for this harness's format; variant picks a layout. */
static size_t
wrap(unsigned variant, const uint8_t *p, size_t len, uint8_t **ret)
{
	struct member m[4];

	switch (FUZZ_FORMAT) {
	case FUZZ_ZIP:
		/* data.pkl alone, deflated or stored, or as a storage. */
		m[0] = (struct member){"archive/version", (const uint8_t *)"3\n",
				       2};
		m[1] = (struct member){"archive/data.pkl", p, len};
		if (variant % 3 == 2) {
			m[1] = (struct member){"archive/data.pkl", benign_pkl,
					       sizeof(benign_pkl) - 1};
			m[2] = (struct member){"archive/data/0", p, len};
			return build(FMT_ZIP_STORE, ARCHIVE_FILTER_NONE, m, 3,
				     ret);
		}
		return build(variant % 3 ? FMT_ZIP_DEFLATE : FMT_ZIP_STORE,
			     ARCHIVE_FILTER_NONE, m, 2, ret);
	case FUZZ_LEGACY:
		if (variant % 2) {
			m[0] = (struct member){"sys_info", legacy_sysinfo,
					       sizeof(legacy_sysinfo) - 1};
			m[1] = (struct member){"pickle", p, len};
			m[2] = (struct member){"storages", benign_pkl,
					       sizeof(benign_pkl) - 1};
			return build(FMT_TAR, ARCHIVE_FILTER_NONE, m, 3, ret);
		}
		m[0] = (struct member){"", legacy_magic,
				       sizeof(legacy_magic) - 1};
		m[1] = (struct member){"", legacy_proto,
				       sizeof(legacy_proto) - 1};
		m[2] = (struct member){"", legacy_sysinfo,
				       sizeof(legacy_sysinfo) - 1};
		m[3] = (struct member){"", p, len};
		return concat(m, 4, ret);
	case FUZZ_NUMPY:
		if (variant % 2) {
			uint8_t *inner = NULL;
			size_t n = npy(p, len, &inner), r;

			m[0] = (struct member){"arr_0.npy", inner, n};
			r = build(variant % 4 == 3 ? FMT_ZIP_DEFLATE
						   : FMT_ZIP_STORE,
				  ARCHIVE_FILTER_NONE, m, 1, ret);
			free(inner);
			return r;
		}
		return npy(p, len, ret);
	case FUZZ_JOBLIB:
		/* joblib sniffs zlib, gzip, bz2, xz, lzma and lz4. */
		if (variant % 8 == 0) {
			m[0] = (struct member){"", p, len};
			return concat(m, 1, ret);
		}
		if (variant % 8 == 7)
			return compressed(ARCHIVE_FILTER_GZIP, p, len, ret);
		return compressed(filters[(variant % 8) - 1], p, len, ret);
	case FUZZ_GZIP:
		return compressed(ARCHIVE_FILTER_GZIP, p, len, ret);
	case FUZZ_BZIP2:
		return compressed(ARCHIVE_FILTER_BZIP2, p, len, ret);
	case FUZZ_XZ:
		return compressed(ARCHIVE_FILTER_XZ, p, len, ret);
	case FUZZ_LZMA:
		return compressed(ARCHIVE_FILTER_LZMA, p, len, ret);
	case FUZZ_LZ4:
		return compressed(ARCHIVE_FILTER_LZ4, p, len, ret);
	case FUZZ_ZSTD:
		return compressed(ARCHIVE_FILTER_ZSTD, p, len, ret);
	case FUZZ_ZLIB: {
		/* A zlib stream: gzip's deflate body with a zlib header and
		 * no trailer check is not what we want; write it whole. */
		uint8_t *g = NULL;
		size_t n = compressed(ARCHIVE_FILTER_GZIP, p, len, &g);
		uint8_t *z;

		/* gzip = 10-byte header + raw deflate + 8-byte trailer; a
		 * zlib stream = 2-byte header + raw deflate + adler32 (left
		 * zero: the scanner must cope with a bad checksum too). */
		if (n < 18) {
			free(g);
			return 0;
		}
		z = malloc(n - 18 + 6);
		if (z == NULL)
			abort();
		z[0] = 0x78;
		z[1] = 0x9c;
		memcpy(z + 2, g + 10, n - 18);
		memset(z + 2 + n - 18, 0, 4);
		free(g);
		*ret = z;
		return n - 18 + 6;
	}
	case FUZZ_ARCHIVE:
		m[0] = (struct member){"model.bin", p, len};
		switch (variant % 4) {
		case 0: return build(FMT_7Z, ARCHIVE_FILTER_NONE, m, 1, ret);
		case 1: return build(FMT_TAR, ARCHIVE_FILTER_NONE, m, 1, ret);
		case 2: return build(FMT_TAR, ARCHIVE_FILTER_GZIP, m, 1, ret);
		default: return build(FMT_TAR, ARCHIVE_FILTER_XZ, m, 1, ret);
		}
	case FUZZ_TORCHSCRIPT:
		if (variant % 2) {
			/* torch.package: Python sources next to the pickle. */
			m[0] = (struct member){"pkg/.data/version",
					       (const uint8_t *)"6\n", 2};
			m[1] = (struct member){"pkg/model/model.py", p, len};
			m[2] = (struct member){"pkg/model/model.pkl", benign_pkl,
					       sizeof(benign_pkl) - 1};
			return build(FMT_ZIP_STORE, ARCHIVE_FILTER_NONE, m, 3,
				     ret);
		}
		m[0] = (struct member){"archive/data.pkl", benign_pkl,
				       sizeof(benign_pkl) - 1};
		m[1] = (struct member){"archive/constants.pkl", benign_pkl,
				       sizeof(benign_pkl) - 1};
		m[2] = (struct member){"archive/code/__torch__/m.py", p, len};
		return build(FMT_ZIP_STORE, ARCHIVE_FILTER_NONE, m, 3, ret);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_result *r = NULL;
	const char *problem;
	uint8_t *buf = NULL;
	const uint8_t *in;
	size_t len;
	int rc;

	if (scanner == NULL && pw_scanner_new(NULL, &scanner) != PW_OK)
		abort();
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		len = wrap(data[0] >> 1, data + 1, size - 1, &buf);
		if (buf == NULL)
			return 0;
		in = buf;
	} else {
		in = data + 1;
		len = size - 1;
	}
	/* PW_FUZZ_DUMP=path writes what is scanned, to look at a wrapper's
	 * output or turn a crash into a plain fixture. */
	if (getenv("PW_FUZZ_DUMP") != NULL) {
		FILE *f = fopen(getenv("PW_FUZZ_DUMP"), "wb");

		if (f != NULL) {
			fwrite(in, 1, len, f);
			fclose(f);
		}
	}
	/* From an exact-size heap copy, so a read past the end is caught
	 * (the wrappers' buffers are larger than what they hold). */
	rc = tc_scan_exact(scanner, in, len, &r);
	if (rc == PW_ERR_NOMEM)
		goto out;
	if (rc != PW_OK || r == NULL) {
		fprintf(stderr, "pw_scan_buffer: %s\n", pw_strerror(rc));
		abort();
	}
	problem = tc_result_problem(r, len);
	if (problem != NULL) {
		fprintf(stderr, "bad result: %s\n", problem);
		tc_print_findings(stderr, r, 20);
		abort();
	}
out:
	pw_result_free(r);
	free(buf);
	return 0;
}
