/* SPDX-License-Identifier: Apache-2.0 */
/*
 * archive.c - tar and 7z archives, read with libarchive over our source.
 *
 * Every regular member is sniffed and scanned like a file, one level
 * deeper.  torch's oldest format is a tar whose "sys_info" and "pickle"
 * members are pickles and whose "storages" and "tensors" members interleave
 * pickles with raw records; those two are read record by record so that
 * raw tensor bytes are skipped, not parsed as opcodes.
 *
 * libarchive reads through callbacks over struct source: member data we do
 * not need is skipped with the skip callback (tar) or seek (7z), never
 * read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "container/container.h"
#include "container/internal.h"
#include "pickle/opcodes.h"
#include "sniff.h"

#define AR_CHUNK 65536

struct ar_src {
	const struct source *src;
	uint64_t pos;
	uint64_t read_total;	/* bytes handed to libarchive, ever */
	uint64_t accounted;	/* of which accounted as compressed input */
	uint8_t buf[AR_CHUNK];
	int err;
};

static la_ssize_t
ar_read(struct archive *a, void *ud, const void **buf)
{
	struct ar_src *s = ud;
	size_t got;
	int rc;

	(void)a;
	rc = source_read_some(s->src, s->pos, s->buf, sizeof(s->buf), &got);
	if (rc != PW_OK) {
		s->err = rc;
		archive_set_error(a, EIO, "read error");
		return -1;
	}
	s->pos += got;
	s->read_total += got;
	*buf = s->buf;
	return (la_ssize_t)got;
}

static la_int64_t
ar_skip(struct archive *a, void *ud, la_int64_t request)
{
	struct ar_src *s = ud;
	uint64_t left = s->src->size - s->pos;
	uint64_t n = request > 0 ? (uint64_t)request : 0;

	(void)a;
	if (n > left)
		n = left;
	s->pos += n;
	return (la_int64_t)n;
}

static la_int64_t
ar_seek(struct archive *a, void *ud, la_int64_t offset, int whence)
{
	struct ar_src *s = ud;
	int64_t base;

	(void)a;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)s->pos; break;
	case SEEK_END: base = (int64_t)s->src->size; break;
	default: return ARCHIVE_FATAL;
	}
	if (offset < -base || (uint64_t)(base + offset) > s->src->size)
		return ARCHIVE_FATAL;
	s->pos = (uint64_t)(base + offset);
	return (la_int64_t)s->pos;
}

struct ar_member {
	struct scan_ctx *ctx;
	struct archive *a;
	struct ar_src *s;
	bool account;		/* compressed archive: cap the output */
	uint64_t out_total;
	bool done;
};

static int
ar_member_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got)
{
	struct ar_member *m = arg;
	la_ssize_t n;

	*ret_got = 0;
	if (m->done || want == 0)
		return PW_OK;
	n = archive_read_data(m->a, dst, want);
	if (n <= 0) {
		/* A member we cannot read to its end may be a pickle a
		 * loader still gets the start of (torch's legacy tar,
		 * pandas' tar reader): the error fails closed. */
		if (n < 0)
			scan_mark_executable(m->ctx);
		if (n < 0)
			scan_report(m->ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL,
				    m->out_total,
				    "archive member data is corrupt or "
				    "truncated: %s",
				    archive_error_string(m->a)
					    ? archive_error_string(m->a)
					    : "error");
		m->done = true;
		return PW_OK;
	}
	m->out_total += (uint64_t)n;
	/* 7z members are decompressed: the input is everything libarchive
	 * has read from the archive and not yet accounted. */
	if (m->account &&
	    !scan_account_decompressed(m->ctx, (uint64_t)n,
				       m->s->read_total - m->s->accounted,
				       m->out_total)) {
		m->done = true;
		return PW_OK;
	}
	m->s->accounted = m->s->read_total;
	*ret_got = (size_t)n;
	return PW_OK;
}

/* Scans one member's content. */
static int
scan_entry(struct scan_ctx *ctx, struct archive *a, struct ar_src *s,
	   const char *name, bool account)
{
	struct ar_member m;
	struct stream st;
	const uint8_t *head;
	int rc;

	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	m.a = a;
	m.s = s;
	m.account = account;
	rc = stream_init_pull(&st, ar_member_pull, &m);
	if (rc != PW_OK)
		return rc;
	/* torch's legacy tar: raw records between pickles. */
	if ((strcmp(name, "storages") == 0 || strcmp(name, "tensors") == 0) &&
	    stream_peek(&st, 1, &head)) {
		if (pickle_opcode_valid(head[0])) {
			rc = legacy_tar_records(ctx, &st,
						strcmp(name, "tensors") == 0);
			goto out;
		}
	}
	rc = scan_stream(ctx, &st);
out:
	if (rc == PW_OK && st.err != PW_OK)
		rc = st.err;
	stream_fini(&st);
	return rc;
}

/*
 * Regular members Python's tarfile iterates: headers checked by its rules
 * (sniff_tar_header), from offset 0 until the first block it stops at.
 * Only headers are read.  libarchive parses some fields more strictly
 * (a checksum written "0o..." or with underscores), so where it delivers
 * fewer members than this, members a loader reads were not analysed.
 */
static uint64_t
python_tar_members(const struct source *src, uint64_t cap)
{
	uint8_t h[512];
	uint64_t off = 0, n = 0, size, blocks;

	while (n < cap && source_read(src, off, h, sizeof(h)) == PW_OK &&
	       sniff_tar_header(h, sizeof(h))) {
		if (h[156] == '0' || h[156] == 0 || h[156] == '7' ||
		    h[156] == 'S')
			n++;
		size = sniff_tar_size(h);
		blocks = size / 512 + (size % 512 != 0);
		if (blocks > (src->size - off) / 512)
			break;
		off += 512 + blocks * 512;
	}
	return n;
}

/* The members torch's legacy tar format is read through (by name). */
static bool
legacy_tar_member(const char *name)
{
	return strcmp(name, "sys_info") == 0 || strcmp(name, "pickle") == 0 ||
	       strcmp(name, "storages") == 0 || strcmp(name, "tensors") == 0;
}

int
container_archive_scan(struct scan_ctx *ctx, const struct source *src,
	     enum pw_format fmt)
{
	struct ar_src *s;
	struct archive *a;
	struct archive_entry *entry;
	uint64_t members = 0;
	bool legacy_torch = false, capped = false;
	int rc = PW_OK, r;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return PW_ERR_NOMEM;
	s->src = src;
	a = archive_read_new();
	if (a == NULL) {
		free(s);
		return PW_ERR_NOMEM;
	}
	if (fmt == FMT_7Z)
		archive_read_support_format_7zip(a);
	else
		archive_read_support_format_tar(a);
	archive_read_set_read_callback(a, ar_read);
	archive_read_set_skip_callback(a, ar_skip);
	archive_read_set_seek_callback(a, ar_seek);
	archive_read_set_callback_data(a, s);
	r = archive_read_open1(a);
	while (r == ARCHIVE_OK && rc == PW_OK && !scan_aborted(ctx)) {
		const char *name;
		char buf[PW_ARCHIVE_NAME_MAX + 1];
		size_t saved;

		r = archive_read_next_header(a, &entry);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break;
		r = ARCHIVE_OK;
		/* 7z writers such as py7zr store no Unix mode: libarchive
		 * gives those files type 0.  They are files to the readers
		 * (py7zr, libarchive) all the same; only what is marked as
		 * something else (a directory, a link) holds no data. */
		if (archive_entry_filetype(entry) != AE_IFREG &&
		    archive_entry_filetype(entry) != 0)
			continue;
		name = archive_entry_pathname(entry);
		if (name == NULL)
			name = "?";
		if (++members > ctx->limits[PW_LIMIT_MAX_MEMBERS]) {
			if (!capped)
				scan_limit(ctx, 0, "max_members (too many "
						   "archive members)");
			capped = true;
			/* Past the cap, the members torch.load's legacy tar
			 * reader opens by name are still judged: no pile of
			 * members in front may hide them.  Only headers are
			 * read for the rest (their data is skipped). */
			if (fmt != FMT_TAR || !legacy_tar_member(name))
				continue;
		}
		/* Bounded copy: the location path has its own cap too. */
		strncpy(buf, name, PW_ARCHIVE_NAME_MAX);
		buf[PW_ARCHIVE_NAME_MAX] = '\0';
		if (strcmp(buf, "sys_info") == 0 && !legacy_torch) {
			legacy_torch = true;
			scan_relabel(ctx, FMT_TAR, FMT_LEGACY_TORCH_TAR);
		}
		if (!scan_enter(ctx, buf, &saved))
			break;
		rc = scan_entry(ctx, a, s, buf, fmt == FMT_7Z);
		scan_leave(ctx, saved);
	}
	if (rc == PW_OK && s->err != PW_OK)
		rc = s->err;
	if (rc == PW_OK && fmt == FMT_TAR && !scan_aborted(ctx) && !capped &&
	    python_tar_members(src, members + 1) > members) {
		scan_mark_executable(ctx);
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
			    "tar members Python's tarfile reads were not "
			    "analysed (headers libarchive refuses)");
	}
	if (rc == PW_OK && r != ARCHIVE_OK && r != ARCHIVE_EOF &&
	    !scan_aborted(ctx)) {
		const char *e = archive_error_string(a);

		if (archive_errno(a) == ENOMEM)
			rc = PW_ERR_NOMEM;
		else if (fmt == FMT_TAR)
			/* Where Python's tarfile fails past the first header,
			 * torch.load catches the TarError and reads the file
			 * as stacked pickles - the raw pickle reading the
			 * dispatcher runs on every file that starts with an
			 * opcode - and pandas stops reading members: nothing
			 * is left unjudged (a note, not an error). */
			scan_report(ctx, PW_SEV_INFO, PW_KIND_CONTAINER,
				    NULL, s->pos, "tar archive is corrupt or "
				    "truncated after its first header (%s): "
				    "torch.load falls back to reading the file "
				    "as pickles", e ? e : "error");
		else
			scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL,
				    s->pos, "%s archive is corrupt or "
				    "truncated: %s", format_name(fmt),
				    e ? e : "error");
	}
	archive_read_free(a);
	free(s);
	return rc;
}
