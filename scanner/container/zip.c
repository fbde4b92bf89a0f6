/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip.c - zip archives: PyTorch checkpoints, TorchScript archives, .npz and
 * any other zip.
 *
 * The archive is opened with libzip over our own source (a
 * zip_source_function around source_read_some), so every byte it reads is
 * counted and a large file is never read whole: libzip reads the end of
 * central directory and the central directory, we read each member's local
 * header and data ourselves.  Members are found through the central
 * directory, as PyTorch's reader does.
 *
 * Deliberate tolerances, because PyTorch's reader has them: ZIP_CHECKCONS is
 * not used (it rejects files torch.load accepts); CRC mismatches,
 * general-purpose flag bits (encrypted, patched) and local-header names or
 * methods that differ from the central directory do not stop the scan.
 * Each is reported as a container finding and the data is scanned anyway,
 * read the way PyTorch reads it (no decryption, central-directory sizes).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "container/container.h"
#include "container/internal.h"
#include "code/code.h"
#include "container/zip_internal.h"
#include "pickle/pickle.h"
#include "result.h"

#define ZIP_LOCAL_HEADER 30
#define ZIP_FLAG_ENCRYPTED 0x0001u
#define ZIP_FLAG_PATCHED 0x0020u
#define ZIP_FLAG_STRONG_ENC 0x0040u

/* libzip's view of our source.  lh_off records where libzip last read a
 * local header: libzip has no public call that gives an entry's
 * local-header offset, but it reads that header when an entry is opened
 * (the whole 30 bytes, or in 1.7 only the name and extra lengths at offset
 * 26), and we need the offset to read the local name and the data.  The
 * guess is verified: read_local_header checks the signature there. */
struct zsrc {
	const struct source *src;
	uint64_t pos;
	zip_error_t err;
	uint64_t lh_off;
	bool lh_seen;
};

static zip_int64_t
zsrc_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct zsrc *z = ud;
	size_t got;
	zip_int64_t off;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		z->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (len > (1u << 30))
			len = 1u << 30;
		if (source_read_some(z->src, z->pos, data, (size_t)len,
				     &got) != PW_OK) {
			zip_error_set(&z->err, ZIP_ER_READ, EIO);
			return -1;
		}
		if (got == ZIP_LOCAL_HEADER &&
		    memcmp(data, "PK\003\004", 4) == 0) {
			z->lh_off = z->pos;
			z->lh_seen = true;
		} else if (got == 4 && z->pos >= 26) {
			/* libzip 1.7 reads only the two length fields. */
			z->lh_off = z->pos - 26;
			z->lh_seen = true;
		}
		z->pos += got;
		return (zip_int64_t)got;
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		if (len < sizeof(*st)) {
			zip_error_set(&z->err, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		st->size = z->src->size;
		st->comp_size = z->src->size;
		st->comp_method = ZIP_CM_STORE;
		st->encryption_method = ZIP_EM_NONE;
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
			    ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->err, data, len);
	case ZIP_SOURCE_SEEK:
		off = zip_source_seek_compute_offset(z->pos, z->src->size, data,
						     len, &z->err);
		if (off < 0)
			return -1;
		z->pos = (uint64_t)off;
		return 0;
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)z->pos;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
			ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
			ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
			ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
			-1);
	default:
		zip_error_set(&z->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}




/*
 * Reads and checks the local header; fills data_off.  Returns PW_OK, a
 * fatal status, or PW_ERR_INVALID when the member cannot be located (a
 * finding has been reported then).
 */
static int
read_local_header(struct scan_ctx *ctx, const struct source *src,
		  struct zsrc *zs, zip_t *za, struct pwz_member *m)
{
	uint8_t lh[ZIP_LOCAL_HEADER];
	char lname[PW_NAME_MAX + 1];
	zip_file_t *zf;
	uint16_t nlen, elen, lmethod;
	size_t cmp_len;
	int rc;

	zs->lh_seen = false;
	zf = zip_fopen_index(za, m->index, ZIP_FL_ENCRYPTED);
	if (zf != NULL && !zs->lh_seen && m->csize == 0 && m->usize == 0) {
		/* libzip does not read the local header of an empty member
		 * (torch.empty(0) in a state dict); every loader reads it by
		 * the central directory's sizes: zero bytes, nothing runs. */
		zip_fclose(zf);
		scan_report(ctx, PW_SEV_INFO, PW_KIND_CONTAINER, NULL, 0,
			    "empty zip member: nothing to analyse");
		return PW_ERR_INVALID;
	}
	if (zf == NULL || !zs->lh_seen) {
		if (zf != NULL)
			zip_fclose(zf);
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "zip member cannot be located (%s); not analysed",
			    zf == NULL ? zip_strerror(za) : "no local header");
		return PW_ERR_INVALID;
	}
	zip_fclose(zf);
	rc = source_read(src, zs->lh_off, lh, sizeof(lh));
	if (rc != PW_OK)
		goto bad;
	if (memcmp(lh, "PK\003\004", 4) != 0) {
		/* miniz (PyTorch) refuses a member without one too. */
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL,
			    zs->lh_off, "zip member has no local header "
			    "signature; not analysed");
		return PW_ERR_INVALID;
	}
	nlen = le16(lh + 26);
	elen = le16(lh + 28);
	m->lflags = le16(lh + 6);
	lmethod = le16(lh + 8);
	m->data_off = zs->lh_off + ZIP_LOCAL_HEADER + nlen + elen;
	if (m->data_off > src->size || m->csize > src->size - m->data_off) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL,
			    zs->lh_off,
			    "zip member data extends beyond the end of the "
			    "file (truncated archive); not analysed");
		return PW_ERR_INVALID;
	}
	/* Local name vs central name: PyTorch goes by the central directory,
	 * some tools by the local header. */
	cmp_len = nlen < PW_NAME_MAX ? nlen : PW_NAME_MAX;
	rc = source_read(src, zs->lh_off + ZIP_LOCAL_HEADER, lname, cmp_len);
	if (rc != PW_OK)
		goto bad;
	lname[cmp_len] = '\0';
	if (strlen(m->name) != nlen || memcmp(lname, m->name, cmp_len) != 0) {
		m->anomaly_hides = true;
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
			    zs->lh_off,
			    "local header name differs from the central "
			    "directory name (tools disagree on this member)");
	}
	if (lmethod != m->method)
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
			    zs->lh_off,
			    "local header compression method %u differs from "
			    "the central directory's %u", lmethod, m->method);
	if (m->encrypted ||
	    (m->lflags & (ZIP_FLAG_ENCRYPTED | ZIP_FLAG_PATCHED |
			  ZIP_FLAG_STRONG_ENC))) {
		m->anomaly_hides = true;
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
			    zs->lh_off,
			    "encryption/patch flag bits set (0x%04x): Python's "
			    "zipfile refuses the member, PyTorch reads it as "
			    "plain data", m->lflags);
	}
	return PW_OK;
bad:
	if (rc == PW_ERR_IO)
		return rc;
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, zs->lh_off,
		    "zip local header truncated; member not analysed");
	return PW_ERR_INVALID;
}

/* The first bytes of a member's content (inflated if need be); reads at
 * most HEAD_PEEK compressed bytes. */
#define HEAD_PEEK 4096
static int
member_head(const struct source *src, const struct pwz_member *m, uint8_t *head,
	    size_t cap, size_t *ret_len)
{
	struct source slice;
	uint8_t in[HEAD_PEEK];
	size_t got;
	z_stream zs;
	int rc;

	*ret_len = 0;
	if (!source_slice(src, m->data_off, m->csize, &slice))
		return PW_OK;
	if (m->method == ZIP_CM_STORE)
		return source_read_some(&slice, 0, head, cap, ret_len);
	if (m->method != ZIP_CM_DEFLATE)
		return PW_OK;
	rc = source_read_some(&slice, 0, in, sizeof(in), &got);
	if (rc != PW_OK)
		return rc;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK)
		return PW_ERR_NOMEM;
	zs.next_in = in;
	zs.avail_in = (uInt)got;
	zs.next_out = head;
	zs.avail_out = (uInt)cap;
	(void)inflate(&zs, Z_SYNC_FLUSH);	/* errors: a short head */
	*ret_len = cap - zs.avail_out;
	inflateEnd(&zs);
	return PW_OK;
}

/* CRC-32 of a stored member, when it is small enough to be worth it. */
static int
stored_crc(const struct source *slice, uint32_t *ret_crc)
{
	uint8_t buf[65536];
	uint64_t off = 0;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	size_t got;
	int rc;

	while (off < slice->size) {
		rc = source_read_some(slice, off, buf, sizeof(buf), &got);
		if (rc != PW_OK)
			return rc;
		if (got == 0)
			break;
		crc = (uint32_t)crc32(crc, buf, (uInt)got);
		off += got;
	}
	*ret_crc = crc;
	return PW_OK;
}

static void
report_crc(struct scan_ctx *ctx, const struct pwz_member *m, uint32_t got)
{
	scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL, 0,
		    "CRC-32 mismatch (central directory 0x%08x, data 0x%08x): "
		    "Python's zipfile refuses the member, PyTorch does not "
		    "check", m->crc, got);
}

/* Runs the right scanner on a sequential member stream. */
static int
scan_member_stream(struct scan_ctx *ctx, struct stream *st,
		   enum member_role role, const struct pwz_shape *sh)
{
	struct pickle_opts po;

	if (role == ROLE_TS_CODE || role == ROLE_PKG_SOURCE)
		return code_scan_stream(ctx, st, role == ROLE_TS_CODE
					? CODE_TORCHSCRIPT : CODE_PACKAGE);
	if (role == ROLE_PICKLE) {
		memset(&po, 0, sizeof(po));
		po.torchscript = sh->torchscript;
		return pickle_scan_stream(ctx, st, &po);
	}
	return scan_stream(ctx, st);
}

/* scan_member_stream as a pwz_scan_fn, for the codecs. */
struct member_scan {
	enum member_role role;
	const struct pwz_shape *sh;
};

static int
member_scan_cb(struct scan_ctx *ctx, struct stream *st, void *arg)
{
	const struct member_scan *ms = arg;

	return scan_member_stream(ctx, st, ms->role, ms->sh);
}



/* Scans a member's data, stored or deflated; *ret_crc_bad when the data
 * was read whole and its CRC-32 differs from the central directory's. */
static int
scan_member_data(struct scan_ctx *ctx, const struct source *src,
		 const struct pwz_member *m, const struct pwz_shape *sh,
		 enum member_role role, bool *ret_crc_bad)
{
	struct member_scan ms = {.role = role, .sh = sh};
	struct source slice;
	struct stream in, out;
	struct zinflate z;
	int rc;

	if (m->method == ZIP_CM_STORE) {
		if (!source_slice(src, m->data_off, m->csize, &slice))
			return PW_OK;	/* checked in read_local_header */
		if (role != ROLE_SNIFF) {
			rc = stream_init_source(&in, &slice);
			if (rc != PW_OK)
				return rc;
			rc = scan_member_stream(ctx, &in, role, sh);
			if (rc == PW_OK && in.err == PW_ERR_IO)
				rc = PW_ERR_IO;
			stream_fini(&in);
		} else {
			rc = scan_source(ctx, &slice);
		}
		if (rc == PW_OK && slice.size <= PW_ZIP_CRC_CHECK_MAX) {
			uint32_t crc;

			rc = stored_crc(&slice, &crc);
			if (rc == PW_OK && crc != m->crc) {
				report_crc(ctx, m, crc);
				*ret_crc_bad = true;
			}
		}
		return rc;
	}
	if (m->method == ZIP_CM_DEFLATE) {
		if (!source_slice(src, m->data_off, m->csize, &slice))
			return PW_OK;
		rc = stream_init_source(&in, &slice);
		if (rc != PW_OK)
			return rc;
		rc = zinf_init(&z, ctx, &in, ZINF_RAW, "zip member");
		if (rc == PW_OK) {
			rc = stream_init_pull(&out, zinf_pull, &z);
			if (rc == PW_OK) {
				rc = scan_member_stream(ctx, &out, role, sh);
				/* Read to the end for the CRC, within the
				 * caps, if the member is not huge. */
				if (rc == PW_OK && !z.capped &&
				    m->usize <= PW_ZIP_CRC_CHECK_MAX)
					while (stream_skip(&out, 1u << 20) > 0)
						;
				if (rc == PW_OK && z.done && !z.corrupt &&
				    !z.capped && z.crc != m->crc) {
					report_crc(ctx, m, z.crc);
					*ret_crc_bad = true;
				}
				if (rc == PW_OK && out.err != PW_OK)
					rc = out.err;
				stream_fini(&out);
			}
			zinf_fini(&z);
		}
		if (rc == PW_OK && in.err == PW_ERR_IO)
			rc = PW_ERR_IO;
		stream_fini(&in);
		return rc;
	}
	/* Methods PyTorch does not read but Python's zipfile (numpy.load)
	 * does (bzip2, lzma, zstd): decoded by libzip when it can, else not
	 * cleared. */
	if (m->method == ZIP_LZMA_METHOD && !m->encrypted)
		return pwz_codec_lzma(ctx, src, m, member_scan_cb, &ms);
	if (m->za != NULL && !m->encrypted &&
	    zip_compression_method_supported((zip_int32_t)m->method, 0))
		return pwz_codec_libzip(ctx, m, member_scan_cb, &ms);
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
		    "zip member compressed with method %u is not analysed",
		    m->method);
	return PW_OK;
}

/* Scans a member whose local header has been read. */
static int
scan_member(struct scan_ctx *ctx, const struct source *src,
	    const struct pwz_member *m, const struct pwz_shape *sh)
{
	enum member_role role = pwz_layout_role(sh, m->name);
	uint8_t head[16];
	size_t head_len = 0;
	uint64_t before = scan_exec_mark(ctx);
	bool strong, crc_bad = false;
	int rc;

	rc = member_head(src, m, head, sizeof(head), &head_len);
	if (rc != PW_OK)
		return rc;
	strong = container_strong_pickle(head, head_len);
	if (role == ROLE_RAW) {
		/* Never read beyond the sniff unless it really is a pickle:
		 * raw tensor bytes often start with some opcode byte. */
		if (!strong)
			return PW_OK;
		if (pwz_ends_with(m->name, ".debug_pkl")) {
			/* TorchScript debug info: pickles by design. */
			role = ROLE_PICKLE;
		} else {
			role = ROLE_SNIFF;
			scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER,
				    NULL, 0, "a pickle where PyTorch keeps "
				    "raw bytes");
		}
	}
	rc = scan_member_data(ctx, src, m, sh, role, &crc_bad);
	if (rc != PW_OK)
		return rc;
	/* An anomaly that makes Python's zipfile (and the scanners built on
	 * it) refuse or misname a member, on a member that is a pickle
	 * PyTorch loads, is a way to hide that pickle. */
	if ((m->anomaly_hides || crc_bad) &&
	    (role == ROLE_PICKLE || strong ||
	     scan_executed_since(ctx, before)))
		scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_CONTAINER, NULL, 0,
			    "a zip anomaly hides this pickle from other tools "
			    "while PyTorch still loads it");
	return PW_OK;
}

/* Reports names that appear twice: readers disagree on which one wins. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
check_duplicates(struct scan_ctx *ctx, zip_t *za, zip_uint64_t n)
{
	const char **names;
	zip_uint64_t i, k = 0;

	names = calloc((size_t)n ? (size_t)n : 1, sizeof(*names));
	if (names == NULL)
		return PW_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		const char *s = zip_get_name(za, i, ZIP_FL_ENC_RAW);

		if (s != NULL)
			names[k++] = s;
	}
	qsort(names, (size_t)k, sizeof(*names), cmp_names);
	for (i = 1; i < k; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER,
				    NULL, 0,
				    "duplicate zip member name \"%.200s\": "
				    "readers disagree on which copy they load",
				    names[i]);
			break;
		}
	free(names);
	return PW_OK;
}

/* Scans the member at index i of the central directory. */
static int
scan_index(struct scan_ctx *ctx, const struct source *src, struct zsrc *zs,
	   zip_t *za, zip_uint64_t i, const struct pwz_shape *sh, bool *ret_deep)
{
	struct pwz_member m;
	zip_stat_t st;
	size_t saved;
	int rc;

	memset(&m, 0, sizeof(m));
	if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) != 0 ||
	    (st.valid & ZIP_STAT_NAME) == 0)
		return PW_OK;
	m.za = za;
	m.index = i;
	m.name = st.name;
	m.csize = st.comp_size;
	m.usize = st.size;
	m.method = (uint16_t)st.comp_method;
	m.crc = st.crc;
	m.encrypted = st.encryption_method != ZIP_EM_NONE;
	/* Directories and empty members carry nothing: the readers (Python's
	 * zipfile, PyTorch's miniz) go by the central directory's sizes and
	 * hand an empty member over as b"" - which libzip opens without
	 * reading its local header, so locating one would fail for nothing
	 * (and writers may share one local header between them all). */
	if (m.usize == 0 && m.csize == 0)
		return PW_OK;
	if (!scan_enter(ctx, m.name, &saved)) {
		*ret_deep = true;	/* reported once; the same for all */
		return PW_OK;
	}
	rc = read_local_header(ctx, src, zs, za, &m);
	if (rc == PW_OK)
		rc = scan_member(ctx, src, &m, sh);
	else if (rc == PW_ERR_INVALID)
		rc = PW_OK;	/* reported; go on with the others */
	scan_leave(ctx, saved);
	return rc;
}

/* Offset of the next local ("PK\3\4") or central ("PK\1\2") record at or
 * after off, or UINT64_MAX; *ret_central says which. */
static uint64_t
next_record(const struct source *src, uint64_t off, bool *ret_central)
{
	uint8_t buf[65536];
	size_t got, i;

	while (off < src->size) {
		if (source_read_some(src, off, buf, sizeof(buf), &got) != PW_OK ||
		    got < 4)
			return UINT64_MAX;
		for (i = 0; i + 4 <= got; i++)
			if (buf[i] == 'P' && buf[i + 1] == 'K' &&
			    ((buf[i + 2] == 3 && buf[i + 3] == 4) ||
			     (buf[i + 2] == 1 && buf[i + 3] == 2))) {
				*ret_central = buf[i + 2] == 1;
				return off + i;
			}
		off += got - 3;	/* a signature may straddle two reads */
	}
	return UINT64_MAX;
}

/*
 * A zip libzip refuses may still be one that another reader accepts
 * (Python's zipfile and PyTorch's miniz are laxer about the end records,
 * and streaming readers go by local headers alone).  So its records are
 * looked for as such readers would: every local header's stored member is
 * read as content, and a local or central record naming a pickle (*.pkl)
 * makes the file executable - an error on it fails closed.  Bounded by
 * max_members records and by the file: every step moves forward.
 */
static int
scan_local_chain(struct scan_ctx *ctx, const struct source *src)
{
	uint8_t lh[46];
	char name[PW_NAME_MAX + 1];
	uint64_t off = 0, n = 0;
	bool central = false;
	int rc = PW_OK;

	while (rc == PW_OK && !scan_aborted(ctx) &&
	       n++ < ctx->limits[PW_LIMIT_MAX_MEMBERS] &&
	       (off = next_record(src, off, &central)) != UINT64_MAX) {
		size_t hl = central ? 46 : ZIP_LOCAL_HEADER, keep;
		uint16_t nlen, elen, method;
		uint64_t csize, data;
		struct source member;
		size_t saved;

		if (source_read(src, off, lh, hl) != PW_OK)
			break;
		nlen = le16(lh + (central ? 28 : 26));
		keep = nlen < PW_NAME_MAX ? nlen : PW_NAME_MAX;
		if (source_read(src, off + hl, name, keep) != PW_OK) {
			off += 4;	/* a broken record: look further */
			continue;
		}
		name[keep] = '\0';
		if (pwz_ends_with(name, ".pkl"))
			scan_mark_executable(ctx);
		off += 4;	/* past this signature, at least */
		if (central)
			continue;
		elen = le16(lh + 28);
		method = le16(lh + 8);
		csize = le32(lh + 18);
		data = off - 4 + ZIP_LOCAL_HEADER + nlen + elen;
		/* Sizes after the data (flag bit 3) or zip64 ones are not in
		 * the local header: the next signature is searched for. */
		if ((le16(lh + 6) & 0x0008u) || csize == 0xffffffffu ||
		    !source_slice(src, data, csize, &member))
			continue;
		if (method == 0 && csize > 0 && scan_enter(ctx, name, &saved)) {
			rc = scan_source(ctx, &member);
			scan_leave(ctx, saved);
		}
		off = data + csize;
	}
	return rc;
}

int
container_zip_scan(struct scan_ctx *ctx, const struct source *src)
{
	struct zsrc zs;
	zip_source_t *zsource = NULL;
	zip_t *za = NULL;
	zip_error_t err;
	zip_int64_t count;
	zip_uint64_t n, i;
	struct pwz_shape sh;
	bool all_npy = true, deep = false;
	int rc = PW_OK;

	memset(&zs, 0, sizeof(zs));
	memset(&sh, 0, sizeof(sh));
	zs.src = src;
	zip_error_init(&zs.err);
	zip_error_init(&err);
	zsource = zip_source_function_create(zsrc_cb, &zs, &err);
	if (zsource == NULL) {
		rc = PW_ERR_NOMEM;
		goto out;
	}
	za = zip_open_from_source(zsource, ZIP_RDONLY, &err);
	if (za == NULL) {
		zip_source_free(zsource);
		if (zip_error_code_zip(&err) == ZIP_ER_MEMORY) {
			rc = PW_ERR_NOMEM;
			goto out;
		}
		/* torch.load treats any PK\3\4 file as a zip and fails on a
		 * broken one before unpickling anything; other tools may
		 * still read the members, so it is not cleared either. */
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "zip archive cannot be opened: %s",
			    zip_error_strerror(&err));
		rc = scan_local_chain(ctx, src);
		goto out;
	}
	count = zip_get_num_entries(za, 0);
	n = count > 0 ? (zip_uint64_t)count : 0;
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(za, i, ZIP_FL_ENC_RAW);

		if (name != NULL)
			pwz_layout_note(&sh, name, &all_npy);
	}
	sh.npz = n > 0 && all_npy;
	if (sh.torchscript)
		scan_relabel(ctx, FMT_ZIP, FMT_TORCHSCRIPT);
	else if (sh.torch)
		scan_relabel(ctx, FMT_ZIP, FMT_PYTORCH_ZIP);
	else if (sh.npz)
		scan_relabel(ctx, FMT_ZIP, FMT_NPZ);
	/*
	 * The members torch.load opens (the top folder's *.pkl: data.pkl,
	 * constants.pkl) come first, wherever they sit in the central
	 * directory and whatever the member count: no cap hit on the members
	 * around them (tens of thousands of tiny ones placed before data.pkl)
	 * may keep what the loader runs from being judged.
	 */
	for (i = 0; i < n && rc == PW_OK && !deep && !scan_aborted(ctx); i++) {
		const char *name = zip_get_name(za, i, ZIP_FL_ENC_RAW);

		if (name != NULL && pwz_layout_role(&sh, name) == ROLE_PICKLE)
			rc = scan_index(ctx, src, &zs, za, i, &sh, &deep);
	}
	if (rc == PW_OK && n > ctx->limits[PW_LIMIT_MAX_MEMBERS]) {
		scan_limit(ctx, 0, "max_members (too many zip members)");
		n = ctx->limits[PW_LIMIT_MAX_MEMBERS];
	}
	if (rc == PW_OK)
		rc = check_duplicates(ctx, za, n);
	for (i = 0; i < n && rc == PW_OK && !deep && !scan_aborted(ctx); i++) {
		const char *name = zip_get_name(za, i, ZIP_FL_ENC_RAW);

		if (name != NULL && pwz_layout_role(&sh, name) == ROLE_PICKLE)
			continue;	/* done above */
		rc = scan_index(ctx, src, &zs, za, i, &sh, &deep);
	}
	zip_discard(za);	/* also frees zsource */
out:
	zip_error_fini(&err);
	zip_error_fini(&zs.err);
	return rc;
}
