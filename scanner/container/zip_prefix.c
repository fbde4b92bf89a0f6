/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_prefix.c - the first bytes of a zip that is still being written
 * (pw_scan_fd_prefix).
 *
 * A zip's central directory is written last, so a zip that is still
 * landing has none: libzip refuses it.  But its members are already there
 * in order, each behind a local header, and torch.save writes the pickle
 * (<top>/data.pkl) first.  So the prefix is walked by local headers from
 * offset 0, and the members a loader unpickles (names ending in ".pkl":
 * data.pkl, TorchScript's constants.pkl) are read as pickles as far as
 * their bytes have landed, stored or deflated.  Other members (tensor
 * storages, code, NumPy arrays) are skipped by their sizes; the full scan
 * at the end judges them.  What a cut pickle imports or calls before its
 * bytes end is what a loader would run; its truncation is an error, never
 * an attack (pw_result_prefix_final).
 *
 * Bounded: at most max_members headers, every step moves forward, reads
 * never leave the prefix, and a member whose size is not in its local
 * header (a data descriptor, zip64) ends the walk after it (where the
 * next header starts is unknown without the directory).
 */
#include "config.h"

#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/zip_internal.h"
#include "pickle/pickle.h"

#define ZIP_PREFIX_LOCAL_HEADER 30
#define ZIP_PREFIX_SIG 0x04034b50u
#define ZIP_PREFIX_FLAG_DESCRIPTOR 0x0008u
#define ZIP_PREFIX_STORED 0u
#define ZIP_PREFIX_DEFLATED 8u

/* Reads the member's landed bytes [data, data+len) as a pickle. */
static int
prefix_member(struct scan_ctx *ctx, const struct source *src, uint64_t data,
	      uint64_t len, uint16_t method, const struct pwz_shape *sh)
{
	struct pickle_opts po;
	struct source slice;
	struct stream in, out;
	struct zinflate z;
	int rc;

	if (!source_slice(src, data, len, &slice))
		return PW_OK;
	memset(&po, 0, sizeof(po));
	po.torchscript = sh->torchscript;
	rc = stream_init_source(&in, &slice);
	if (rc != PW_OK)
		return rc;
	if (method == ZIP_PREFIX_STORED) {
		rc = pickle_scan_stream(ctx, &in, &po);
	} else {
		/* The deflate stream is cut where the download is: zinf
		 * ends its output there (a truncation finding, an error). */
		rc = zinf_init(&z, ctx, &in, ZINF_RAW, "zip member");
		if (rc == PW_OK) {
			rc = stream_init_pull(&out, zinf_pull, &z);
			if (rc == PW_OK) {
				rc = pickle_scan_stream(ctx, &out, &po);
				if (rc == PW_OK && out.err != PW_OK &&
				    out.err != PW_ERR_NOMEM)
					rc = out.err;
				stream_fini(&out);
			}
			zinf_fini(&z);
		}
	}
	if (rc == PW_OK && in.err == PW_ERR_IO)
		rc = PW_ERR_IO;
	stream_fini(&in);
	return rc;
}

int
container_zip_prefix_scan(struct scan_ctx *ctx, const struct source *src)
{
	uint8_t lh[ZIP_PREFIX_LOCAL_HEADER];
	char name[PW_NAME_MAX + 1];
	struct pwz_shape sh;
	uint64_t off = 0, n = 0;
	bool all_npy = true;
	int rc = PW_OK;

	memset(&sh, 0, sizeof(sh));
	while (rc == PW_OK && !scan_aborted(ctx) &&
	       off <= src->size &&
	       src->size - off >= ZIP_PREFIX_LOCAL_HEADER) {
		uint16_t flags, method, nlen, elen;
		uint64_t csize, data, len;
		bool sized;
		size_t keep, saved;

		if (n++ >= ctx->limits[PW_LIMIT_MAX_MEMBERS]) {
			scan_limit(ctx, off, "max_members (too many zip "
				   "members in the prefix)");
			break;
		}
		if (source_read(src, off, lh, sizeof(lh)) != PW_OK ||
		    le32(lh) != ZIP_PREFIX_SIG)
			break;	/* the central directory, or not landed */
		flags = le16(lh + 6);
		method = le16(lh + 8);
		csize = le32(lh + 18);
		nlen = le16(lh + 26);
		elen = le16(lh + 28);
		data = off + ZIP_PREFIX_LOCAL_HEADER + nlen + elen;
		if (data > src->size)
			break;	/* the header itself has not landed */
		keep = nlen < PW_NAME_MAX ? nlen : PW_NAME_MAX;
		if (source_read(src, off + ZIP_PREFIX_LOCAL_HEADER, name,
				keep) != PW_OK)
			break;
		name[keep] = '\0';
		pwz_layout_note(&sh, name, &all_npy);
		if (sh.torchscript)
			scan_relabel(ctx, FMT_ZIP, FMT_TORCHSCRIPT);
		else if (sh.torch)
			scan_relabel(ctx, FMT_ZIP, FMT_PYTORCH_ZIP);
		/* Sizes after the data (bit 3) or in a zip64 extra: the
		 * member runs to the end of what has landed, as far as we
		 * know.  PyTorch ignores the other flag bits. */
		sized = !(flags & ZIP_PREFIX_FLAG_DESCRIPTOR) &&
			csize != 0xffffffffu;
		len = src->size - data;
		if (sized && csize < len)
			len = csize;
		if (len > 0 && pwz_ends_with(name, ".pkl") &&
		    (method == ZIP_PREFIX_STORED ||
		     method == ZIP_PREFIX_DEFLATED)) {
			/* A loader unpickles it: code that runs. */
			scan_mark_executable(ctx);
			if (scan_enter(ctx, name, &saved)) {
				rc = prefix_member(ctx, src, data, len,
						   method, &sh);
				scan_leave(ctx, saved);
			}
		}
		if (!sized || csize > src->size - data)
			break;
		off = data + csize;
	}
	return rc;
}
