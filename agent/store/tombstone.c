/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tombstone.c - see tombstone.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/store/tombstone.h"

size_t
tombstone_format(const struct tombstone_info *t, char *buf, size_t cap)
{
	char what[1024], why[1024], id[128];
	int n;

	/* Every string came from a file name or a scanned file: escaped, so
	 * a name cannot add lines (a forged "# id:" line) to the text. */
	escape_text_buf(t->what ? t->what : "?", what, sizeof(what));
	escape_text_buf(t->why ? t->why : "", why, sizeof(why));
	escape_text_buf(t->id ? t->id : "", id, sizeof(id));
	n = snprintf(buf, cap,
		     TOMBSTONE_MAGIC
		     "# This is not a model.  picklewarden quarantined the file that was\n"
		     "# here because loading it would run code.\n"
		     "# file: %s\n"
		     "# verdict: %s%s%s\n"
		     "# id: %s\n"
		     "# details: picklewarden quarantine show %s\n"
		     "# restore (only if you trust it): picklewarden quarantine restore %s\n",
		     what, t->verdict ? t->verdict : "malicious",
		     why[0] ? " - " : "", why, id, id, id);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

int
tombstone_write(int dirfd, const char *name, const struct tombstone_info *t)
{
	char buf[TOMBSTONE_MAX];
	size_t len = tombstone_format(t, buf, sizeof(buf)), off = 0;
	ssize_t w;
	int fd, saved;

	if (len == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(dirfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = w < 0 ? errno : EIO;
			close(fd);
			(void)unlinkat(dirfd, name, 0);
			errno = saved;
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		return -1;
	return 0;
}

int
tombstone_read(const char *path, char *buf, size_t cap)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	if (!path || cap <= TOMBSTONE_MAX)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TOMBSTONE_MAX) {
		close(fd);
		return 0;
	}
	while (got < TOMBSTONE_MAX &&
	       (n = read(fd, buf + got, TOMBSTONE_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return strlen(buf) == got &&
	       strncmp(buf, TOMBSTONE_MAGIC, strlen(TOMBSTONE_MAGIC)) == 0;
}

bool
tombstone_is_ours(const char *path, const char *id)
{
	char buf[TOMBSTONE_MAX + 1], line[160];

	if (!path || !id || strlen(id) > 100 ||
	    tombstone_read(path, buf, sizeof(buf)) != 1)
		return false;
	snprintf(line, sizeof(line), "\n# id: %s\n", id);
	return strstr(buf, line) != NULL;
}

int
tombstone_remove(const char *path, const char *id)
{
	if (!tombstone_is_ours(path, id))
		return 0;
	if (unlink(path) != 0)
		return -1;
	return 1;
}
