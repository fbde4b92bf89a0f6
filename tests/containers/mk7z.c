/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mk7z.c - writes the committed 7z fixtures (Python's stdlib cannot write
 * 7z).  Not built by make; regenerate with:
 *   cc -o /tmp/mk7z tests/containers/mk7z.c -larchive && \
 *   /tmp/mk7z tests/containers/fixtures
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

static const char MAL[] = "\x80\x02" "cos\nsystem\n" "X\x02\x00\x00\x00id" "\x85" "R.";
static const char BENIGN[] = "\x80\x02}q\x00X\x01\x00\x00\x00" "aK\x01s.";

static int
add(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return -1;
	archive_write_data(a, data, len);
	archive_entry_free(e);
	return 0;
}

static int
write7z(const char *path, const char *name, const char *data, size_t len)
{
	struct archive *a = archive_write_new();

	archive_write_set_format_7zip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		return -1;
	add(a, "readme.txt", "plain text\n", 11);
	add(a, name, data, len);
	archive_write_close(a);
	archive_write_free(a);
	return 0;
}

int
main(int argc, char **argv)
{
	char p[4096];

	if (argc < 2)
		return 2;
	snprintf(p, sizeof(p), "%s/7z_mal.7z", argv[1]);
	write7z(p, "model.bin", MAL, sizeof(MAL) - 1);
	snprintf(p, sizeof(p), "%s/7z_benign.7z", argv[1]);
	write7z(p, "data.pkl", BENIGN, sizeof(BENIGN) - 1);
	return 0;
}
