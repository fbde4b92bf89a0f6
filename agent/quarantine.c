/*
 * quarantine.c - the quarantine store: moving files in, reading records,
 * restoring and purging.
 *
 * Every operation works relative to directory descriptors (the store's,
 * an entry's, the original file's directory), never follows a symlink at
 * a final component, and replaces nothing (RENAME_NOREPLACE, O_EXCL).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/escape.h"
#include "agent/quarantine_json.h"
#include "agent/quarantine.h"
#include "agent/sha256.h"

#define DATA_NAME "data"
#define DATA_PART "data.part"
#define RECORD_NAME "record.json"
#define RECORD_PART "record.json.part"
#define NEW_PREFIX ".new-"
/* Copy buffer: a few hundred KiB keeps syscalls few without hurting a
 * worker thread. */
#define COPY_CHUNK (256 * 1024)
/* Attempts at a fresh random name before giving up: with 32 random bits
 * a second collision means something is wrong. */
#define NAME_ATTEMPTS 8
#define RECORD_VERSION 1

struct quarantine_store {
	char *dir;
	int dfd;
};

const char *
quarantine_strerror(int status)
{
	switch (status) {
	case QUARANTINE_OK: return "success";
	case QUARANTINE_ERR_NOMEM: return "out of memory";
	case QUARANTINE_ERR_IO: return "input/output error";
	case QUARANTINE_ERR_CHANGED:
		return "the file changed or was replaced since it was scanned";
	case QUARANTINE_ERR_EXISTS: return "the target already exists";
	case QUARANTINE_ERR_NOT_FOUND: return "no such quarantine entry";
	case QUARANTINE_ERR_CORRUPT:
		return "the entry is corrupt (record unreadable or digest "
		       "mismatch)";
	case QUARANTINE_ERR_INVALID: return "invalid argument";
	case QUARANTINE_ERR_NOT_EMPTY:
		return "the entry holds unexpected files";
	}
	return "unknown quarantine status";
}

bool
quarantine_id_valid(const char *id)
{
	size_t i;

	if (!id || !id[0] || id[0] == '.' || id[0] == '-')
		return false;
	for (i = 0; id[i]; i++) {
		char c = id[i];

		if (i + 1 >= QUARANTINE_ID_MAX)
			return false;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '-'))
			return false;
	}
	return true;
}

const char *
quarantine_dir(const struct quarantine_store *store)
{
	return store->dir;
}

/* ---- small helpers ------------------------------------------------- */

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void
close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

static int
random_hex(char *out, size_t bytes)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char r[16];
	size_t i;

	if (bytes > sizeof(r) || getrandom(r, bytes, 0) != (ssize_t)bytes)
		return -1;
	for (i = 0; i < bytes; i++) {
		out[2 * i] = digits[r[i] >> 4];
		out[2 * i + 1] = digits[r[i] & 15];
	}
	out[2 * bytes] = '\0';
	return 0;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Removes an entry directory we made: only the names we create, so a
 * stray file makes rmdir fail instead of being deleted blindly. */
static int
remove_entry_dir(int dfd, const char *name)
{
	static const char *const names[] = {DATA_NAME, DATA_PART, RECORD_NAME,
					    RECORD_PART};
	size_t i;
	int efd;

	efd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (unlinkat(efd, names[i], 0) != 0 && errno != ENOENT) {
			close_keep_errno(efd);
			return -1;
		}
	(void)fsync(efd);
	close(efd);
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0)
		return -1;
	(void)fsync(dfd);
	return 0;
}

static int
io_status(void)
{
	return errno == ENOMEM ? QUARANTINE_ERR_NOMEM : QUARANTINE_ERR_IO;
}

/* ---- opening ------------------------------------------------------- */

/* mkdir -p with mode 0700 for what we create. */
static int
mkdir_parents(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

int
quarantine_open(const char *dir, struct quarantine_store **ret)
{
	struct quarantine_store *s = NULL;
	struct stat st;
	int rc, fd = -1;

	if (!dir || dir[0] != '/' || !ret)
		return QUARANTINE_ERR_INVALID;
	if (mkdir_parents(dir) != 0)
		return io_status();
	/* O_NOFOLLOW: a store that is a symlink could point anywhere. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ELOOP || errno == ENOTDIR ?
		     QUARANTINE_ERR_INVALID : io_status();
		goto fail;
	}
	if (fstat(fd, &st) != 0) {
		rc = io_status();
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		/* Someone else's directory could be read or swapped by
		 * them. */
		rc = QUARANTINE_ERR_INVALID;
		goto fail;
	}
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) != 0) {
		rc = io_status();
		goto fail;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		rc = QUARANTINE_ERR_NOMEM;
		goto fail;
	}
	s->dfd = fd;
	*ret = s;
	return QUARANTINE_OK;
fail:
	close_keep_errno(fd);
	if (s)
		free(s->dir);
	free(s);
	return rc;
}

void
quarantine_close(struct quarantine_store *s)
{
	if (!s)
		return;
	close(s->dfd);
	free(s->dir);
	free(s);
}

/* ---- records ------------------------------------------------------- */

static void
json_key_str(FILE *f, const char *key, const char *val, bool comma)
{
	fprintf(f, "  \"%s\": ", key);
	if (val)
		escape_json_write(f, val);
	else
		fputs("null", f);
	fputs(comma ? ",\n" : "\n", f);
}

static void
write_finding(FILE *f, const struct pw_finding *fd)
{
	fputs("    {\"severity\": ", f);
	escape_json_write(f, pw_severity_name(fd->severity));
	fputs(", \"kind\": ", f);
	escape_json_write(f, scan_kind_name(fd->kind));
	fputs(", \"global\": ", f);
	if (fd->global)
		escape_json_write(f, fd->global);
	else
		fputs("null", f);
	fputs(", \"opcode\": ", f);
	if (fd->opcode)
		escape_json_write(f, fd->opcode);
	else
		fputs("null", f);
	fprintf(f, ", \"offset\": %" PRIu64 ", \"location\": ", fd->offset);
	escape_json_write(f, fd->location ? fd->location : "");
	fputs(", \"reason\": ", f);
	escape_json_write(f, fd->reason ? fd->reason : "");
	fputs("}", f);
}

/*
 * The record as JSON.  The original path is also kept as hex: JSON
 * escaping (escape_json_write) maps invalid UTF-8 bytes to \u00HH, which
 * cannot be told from real U+00HH, and restore needs the exact bytes.
 */
static int
record_build(const struct quarantine_subject *subj, const char *sha,
	     const struct scan_result *res, time_t now, char **ret_buf,
	     size_t *ret_len)
{
	const struct stat *st = subj->st;
	char *buf = NULL, when[32];
	size_t len = 0, i, count;
	struct tm tm;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\n  \"record_version\": %d,\n", RECORD_VERSION);
	json_key_str(f, "original_path", subj->path, true);
	fputs("  \"original_path_hex\": \"", f);
	for (i = 0; subj->path[i]; i++)
		fprintf(f, "%02x", (unsigned char)subj->path[i]);
	fputs("\",\n", f);
	fprintf(f, "  \"size\": %" PRIu64 ",\n", (uint64_t)st->st_size);
	fprintf(f, "  \"mode\": \"%04o\",\n", (unsigned)(st->st_mode & 07777));
	fprintf(f, "  \"uid\": %u,\n  \"gid\": %u,\n", (unsigned)st->st_uid,
		(unsigned)st->st_gid);
	fprintf(f, "  \"device\": %" PRIu64 ",\n  \"inode\": %" PRIu64 ",\n",
		(uint64_t)st->st_dev, (uint64_t)st->st_ino);
	fprintf(f, "  \"atime_sec\": %" PRId64 ",\n  \"atime_nsec\": %ld,\n",
		(int64_t)st->st_atim.tv_sec, (long)st->st_atim.tv_nsec);
	fprintf(f, "  \"mtime_sec\": %" PRId64 ",\n  \"mtime_nsec\": %ld,\n",
		(int64_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
	fprintf(f, "  \"ctime_sec\": %" PRId64 ",\n  \"ctime_nsec\": %ld,\n",
		(int64_t)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
	json_key_str(f, "sha256", sha, true);
	json_key_str(f, "verdict",
		     res ? pw_verdict_name(scan_result_verdict(res)) : "unknown",
		     true);
	json_key_str(f, "format", res ? scan_result_format(res) : "unknown",
		     true);
	json_key_str(f, "quarantined_at", when, true);
	fprintf(f, "  \"quarantined_at_unix\": %" PRId64 ",\n", (int64_t)now);
	json_key_str(f, "picklewarden_version", pw_version(), true);
	count = res ? scan_result_finding_count(res) : 0;
	fprintf(f, "  \"findings_total\": %zu,\n  \"findings\": [", count);
	for (i = 0; i < count && i < QUARANTINE_MAX_RECORD_FINDINGS; i++) {
		fputs(i ? ",\n" : "\n", f);
		write_finding(f, scan_result_finding(res, i));
	}
	fputs(count ? "\n  ]\n}\n" : "]\n}\n", f);
	if (fclose(f) != 0) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* Writes the record into an entry directory: part file, fsync, rename. */
static int
record_write(int efd, const char *buf, size_t len)
{
	int fd;

	fd = openat(efd, RECORD_PART, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		close_keep_errno(fd);
		return -1;
	}
	if (close(fd) != 0)
		return -1;
	return renameat(efd, RECORD_PART, efd, RECORD_NAME);
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static char *
unhex(const char *hex)
{
	size_t n = strlen(hex), i;
	char *out;

	if (n % 2)
		return NULL;
	out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v == 0) {
			free(out);
			return NULL;
		}
		out[i] = (char)v;
	}
	out[n / 2] = '\0';
	return out;
}

void
quarantine_entry_free(struct quarantine_entry *e)
{
	if (!e)
		return;
	quarantine_entries_free(e, 1);
}

static void
entry_clear(struct quarantine_entry *e)
{
	size_t i;

	free(e->original_path);
	free(e->verdict);
	free(e->format);
	free(e->method);
	free(e->version);
	for (i = 0; i < e->n_findings; i++) {
		struct quarantine_finding *f = &e->findings[i];

		free(f->severity);
		free(f->kind);
		free(f->global);
		free(f->opcode);
		free(f->location);
		free(f->reason);
	}
	free(e->findings);
}

void
quarantine_entries_free(struct quarantine_entry *entries, size_t n)
{
	size_t i;

	if (!entries)
		return;
	for (i = 0; i < n; i++)
		entry_clear(&entries[i]);
	free(entries);
}

/* Reads the whole record of an entry (bounded). */
static int
record_read_raw(int efd, char **ret_buf, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = QUARANTINE_ERR_CORRUPT;

	fd = openat(efd, RECORD_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? QUARANTINE_ERR_CORRUPT : io_status();
	buf = malloc(QUARANTINE_MAX_RECORD_SIZE + 1);
	if (!buf) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len,
				 QUARANTINE_MAX_RECORD_SIZE + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = io_status();
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > QUARANTINE_MAX_RECORD_SIZE)
			goto out;	/* corrupt: larger than we write */
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
	rc = QUARANTINE_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

static int
entry_parse(const char *id, const char *text, size_t len,
	    struct quarantine_entry *e)
{
	struct json_value *j = NULL;
	const struct json_value *fs;
	const char *s, *hex;
	int64_t i64;
	uint64_t u64;
	size_t i;
	int rc = QUARANTINE_ERR_CORRUPT;
	char *end;
	unsigned long mode;

	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	j = json_parse(text, len);
	if (!j || j->type != JSON_OBJECT)
		goto out;
	hex = json_get_str(j, "original_path_hex");
	s = json_get_str(j, "sha256");
	if (!hex || !s || strlen(s) != SHA256_HEX_LEN)
		goto out;
	memcpy(e->sha256, s, SHA256_HEX_LEN + 1);
	e->original_path = unhex(hex);
	if (!e->original_path)
		goto out;
	if (!json_get_u64(j, "size", &e->size))
		goto out;
	s = json_get_str(j, "mode");
	if (!s)
		goto out;
	errno = 0;
	mode = strtoul(s, &end, 8);
	if (errno || *end || mode > 07777)
		goto out;
	e->mode = (mode_t)mode;
	if (!json_get_u64(j, "uid", &u64) || u64 > UINT32_MAX)
		goto out;
	e->uid = (uid_t)u64;
	if (!json_get_u64(j, "gid", &u64) || u64 > UINT32_MAX)
		goto out;
	e->gid = (gid_t)u64;
#define GET_TS(field, name)						\
	do {								\
		if (!json_get_i64(j, name "_sec", &i64))		\
			goto out;					\
		e->field.tv_sec = (time_t)i64;				\
		if (!json_get_i64(j, name "_nsec", &i64) || i64 < 0 ||	\
		    i64 > 999999999)					\
			goto out;					\
		e->field.tv_nsec = (long)i64;				\
	} while (0)
	GET_TS(atime, "atime");
	GET_TS(mtime, "mtime");
	GET_TS(ctime, "ctime");
#undef GET_TS
	if (!json_get_i64(j, "quarantined_at_unix", &i64))
		goto out;
	e->quarantined_at = (time_t)i64;
	if (!json_get_u64(j, "findings_total", &e->findings_total))
		e->findings_total = 0;
	rc = QUARANTINE_ERR_NOMEM;
	e->verdict = dup_or_empty(json_get_str(j, "verdict"));
	e->format = dup_or_empty(json_get_str(j, "format"));
	e->method = dup_or_empty(json_get_str(j, "method"));
	e->version = dup_or_empty(json_get_str(j, "picklewarden_version"));
	if (!e->verdict || !e->format || !e->method || !e->version)
		goto out;
	fs = json_get(j, "findings");
	if (fs && fs->type == JSON_ARRAY && fs->n > 0) {
		e->findings = calloc(fs->n, sizeof(*e->findings));
		if (!e->findings)
			goto out;
		for (i = 0; i < fs->n; i++) {
			const struct json_value *f = &fs->items[i];
			struct quarantine_finding *q = &e->findings[i];

			e->n_findings++;
			q->severity = dup_or_empty(json_get_str(f, "severity"));
			q->kind = dup_or_empty(json_get_str(f, "kind"));
			q->global = dup_or_empty(json_get_str(f, "global"));
			q->opcode = dup_or_empty(json_get_str(f, "opcode"));
			q->location = dup_or_empty(json_get_str(f, "location"));
			q->reason = dup_or_empty(json_get_str(f, "reason"));
			if (!json_get_u64(f, "offset", &q->offset))
				q->offset = 0;
			if (!q->severity || !q->kind || !q->global ||
			    !q->opcode || !q->location || !q->reason)
				goto out;
		}
	}
	rc = QUARANTINE_OK;
out:
	json_free(j);
	if (rc != QUARANTINE_OK) {
		entry_clear(e);
		memset(e, 0, sizeof(*e));
	}
	return rc;
}

/* Reads entry id into *e (caller clears it with entry_clear). */
static int
entry_read(struct quarantine_store *s, const char *id,
	   struct quarantine_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int efd, rc;

	efd = openat(s->dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ?
		       QUARANTINE_ERR_NOT_FOUND : io_status();
	rc = record_read_raw(efd, &text, &len);
	if (rc == QUARANTINE_OK)
		rc = entry_parse(id, text, len, e);
	if (rc == QUARANTINE_OK)
		e->data_present = fstatat(efd, DATA_NAME, &st,
					  AT_SYMLINK_NOFOLLOW) == 0 &&
				  S_ISREG(st.st_mode);
	free(text);
	close(efd);
	return rc;
}

int
quarantine_show(struct quarantine_store *s, const char *id,
		struct quarantine_entry **ret)
{
	struct quarantine_entry *e;
	int rc;

	if (!quarantine_id_valid(id))
		return QUARANTINE_ERR_INVALID;
	e = calloc(1, sizeof(*e));
	if (!e)
		return QUARANTINE_ERR_NOMEM;
	rc = entry_read(s, id, e);
	if (rc != QUARANTINE_OK) {
		free(e);
		return rc;
	}
	*ret = e;
	return QUARANTINE_OK;
}

int
quarantine_write_record(struct quarantine_store *s, const char *id,
			FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	int efd, rc;

	if (!quarantine_id_valid(id))
		return QUARANTINE_ERR_INVALID;
	efd = openat(s->dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return errno == ENOENT ? QUARANTINE_ERR_NOT_FOUND : io_status();
	rc = record_read_raw(efd, &text, &len);
	close(efd);
	if (rc == QUARANTINE_OK && fwrite(text, 1, len, out) != len)
		rc = QUARANTINE_ERR_IO;
	free(text);
	return rc;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct quarantine_entry *x = a, *y = b;

	if (x->quarantined_at != y->quarantined_at)
		return x->quarantined_at < y->quarantined_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
quarantine_list(struct quarantine_store *s, struct quarantine_entry **ret,
		size_t *ret_n, size_t *ret_bad)
{
	struct quarantine_entry *v = NULL;
	size_t n = 0, bad = 0;
	struct dirent *de;
	DIR *d = NULL;
	int fd, rc = QUARANTINE_OK;

	fd = openat(s->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		close_keep_errno(fd);
		return io_status();
	}
	while ((errno = 0, de = readdir(d))) {
		struct quarantine_entry *nv;

		/* ".new-*" are moves in progress (or interrupted by a
		 * crash): not entries. */
		if (!quarantine_id_valid(de->d_name))
			continue;
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (!nv) {
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		v = nv;
		rc = entry_read(s, de->d_name, &v[n]);
		if (rc == QUARANTINE_ERR_NOMEM)
			goto out;
		if (rc != QUARANTINE_OK) {
			bad++;
			rc = QUARANTINE_OK;
			continue;
		}
		n++;
	}
	if (errno) {
		rc = io_status();
		goto out;
	}
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	else {
		free(v);
		v = NULL;
	}
	*ret = v;
	*ret_n = n;
	if (ret_bad)
		*ret_bad = bad;
	v = NULL;
	n = 0;
out:
	quarantine_entries_free(v, n);
	closedir(d);
	return rc;
}

/* ---- moving in ----------------------------------------------------- */

/* Makes ".new-<random>" in the store and opens it. */
static int
make_new_dir(struct quarantine_store *s, char name[32], int *ret_fd)
{
	int i, fd;

	for (i = 0; i < NAME_ATTEMPTS; i++) {
		char r[17];

		if (random_hex(r, 8) != 0)
			return -1;
		snprintf(name, 32, NEW_PREFIX "%s", r);
		if (mkdirat(s->dfd, name, 0700) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		return -1;
	}
	fd = openat(s->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		(void)unlinkat(s->dfd, name, AT_REMOVEDIR);
		errno = saved;
		return -1;
	}
	*ret_fd = fd;
	return 0;
}

/* "<UTC time>-<12 hex of the digest>-<8 random hex>": sorts by time,
 * names the content, and two moves in one second still differ. */
static int
make_id(const char *sha, time_t now, char *out, size_t cap)
{
	char r[9];
	struct tm tm;
	char when[20];

	if (random_hex(r, 4) != 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out, cap, "%s-%.12s-%s", when, sha, r);
	return 0;
}

/* Copies all of src (read with pread from offset 0, so the descriptor's
 * offset is untouched) to out, feeding h when it is not NULL.  Returns 0
 * with *ret_size set, or -1 with errno (ENOMEM included). */
static int
copy_fd(int src, int out, struct sha256 *h, uint64_t *ret_size)
{
	unsigned char *buf = malloc(COPY_CHUNK);
	uint64_t off = 0;
	int rc = -1;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t r = pread(src, buf, COPY_CHUNK, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if ((h && sha256_update(h, buf, (size_t)r) != 0) ||
		    write_all(out, buf, (size_t)r) != 0)
			goto out;
		off += (uint64_t)r;
	}
	*ret_size = off;
	rc = 0;
out:
	free(buf);
	return rc;
}

/*
 * Copies the scanned descriptor into DATA_PART of the entry, hashing what
 * it copies, syncs it, reads it back to verify, and renames it to DATA.
 * QUARANTINE_ERR_CHANGED when the bytes are not those of sha (the file was
 * written to since it was hashed).
 */
static int
copy_in(int src, int efd, const char *sha)
{
	struct sha256 *h = NULL;
	char got[SHA256_HEX_LEN + 1];
	uint64_t off = 0, size = 0;
	int out = -1, rc = QUARANTINE_ERR_IO;

	h = sha256_new();
	if (!h) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	out = openat(efd, DATA_PART, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (out < 0 || copy_fd(src, out, h, &off) != 0)
		goto io;
	if (sha256_final(h, got) != 0)
		goto io;
	if (strcmp(got, sha) != 0) {
		rc = QUARANTINE_ERR_CHANGED;
		goto out;
	}
	/* Durable before the original may go. */
	if (fsync(out) != 0)
		goto io;
	/* Read back what the filesystem holds: a copy we cannot read back
	 * intact must not replace the original. */
	if (sha256_fd(out, got, &size) != 0)
		goto io;
	if (size != off || strcmp(got, sha) != 0) {
		errno = EIO;
		goto io;
	}
	if (fchmod(out, 0) != 0)
		goto io;
	if (close(out) != 0) {
		out = -1;
		goto io;
	}
	out = -1;
	if (renameat(efd, DATA_PART, efd, DATA_NAME) != 0)
		goto io;
	rc = QUARANTINE_OK;
	goto out;
io:
	rc = io_status();
out:
	close_keep_errno(out);
	sha256_free(h);
	return rc;
}

int
quarantine_move(struct quarantine_store *s,
		const struct quarantine_subject *subj,
		const struct scan_result *res, char *ret_id, size_t cap)
{
	char newname[32] = "", id[QUARANTINE_ID_MAX], sha[SHA256_HEX_LEN + 1];
	char *rec = NULL, *abs_path = NULL;
	size_t rec_len = 0;
	struct quarantine_subject rec_subj;
	struct stat cur;
	bool moved = false, copied = false, placed = false;
	time_t now = time(NULL);
	int efd = -1, rc, saved, i;

	if (!s || !subj || !subj->st || !subj->name || !subj->name[0] ||
	    !subj->path || subj->fd < 0 || !ret_id || cap < QUARANTINE_ID_MAX)
		return QUARANTINE_ERR_INVALID;
	rec_subj = *subj;
	/* Without a digest from the caller, the file is moved first and
	 * hashed afterwards from the same descriptor: a 100 MB model leaves
	 * the cache in milliseconds, not after a whole-file SHA-256. */
	sha[0] = '\0';
	if (subj->sha256) {
		if (strlen(subj->sha256) != SHA256_HEX_LEN)
			return QUARANTINE_ERR_INVALID;
		memcpy(sha, subj->sha256, sizeof(sha));
	}
	/* Only the file we scanned: the name must still be it. */
	if (fstatat(subj->dirfd, subj->name, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED : io_status();
		goto out;
	}
	if (!S_ISREG(cur.st_mode) || !same_file(&cur, subj->st)) {
		rc = QUARANTINE_ERR_CHANGED;
		goto out;
	}
	if (subj->path[0] != '/') {
		/* A relative path means nothing once the cwd changes: the
		 * record keeps it absolute for restore. */
		char *cwd = getcwd(NULL, 0);

		if (!cwd || asprintf(&abs_path, "%s/%s", cwd, subj->path) < 0) {
			free(cwd);
			abs_path = NULL;
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		free(cwd);
		rec_subj.path = abs_path;
	}
	if (make_new_dir(s, newname, &efd) != 0) {
		newname[0] = '\0';
		rc = io_status();
		goto out;
	}

	if (renameat2(subj->dirfd, subj->name, efd, DATA_NAME,
		      RENAME_NOREPLACE) == 0) {
		moved = true;
		/* The name could have been swapped between our check and
		 * the rename: what we moved must be what we scanned. */
		if (fstatat(efd, DATA_NAME, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = io_status();
			goto out;
		}
		if (!S_ISREG(cur.st_mode) || !same_file(&cur, subj->st)) {
			rc = QUARANTINE_ERR_CHANGED;
			goto out;
		}
	} else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS) {
		/* Another filesystem (or one without RENAME_NOREPLACE):
		 * copy from the descriptor we scanned, checked against its
		 * digest. */
		if (!sha[0] && sha256_fd(subj->fd, sha, NULL) != 0) {
			rc = io_status();
			goto out;
		}
		rc = copy_in(subj->fd, efd, sha);
		if (rc != QUARANTINE_OK)
			goto out;
		copied = true;
	} else {
		rc = errno == ENOENT ? QUARANTINE_ERR_CHANGED : io_status();
		goto out;
	}
	if (!sha[0] && sha256_fd(subj->fd, sha, NULL) != 0) {
		rc = io_status();
		goto out;
	}
	if (record_build(&rec_subj, sha, res, now, &rec, &rec_len) != 0) {
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	/* Tell the record how it got here, then make it durable. */
	{
		static const char key[] = "  \"record_version\": 1,\n";
		char *p = strstr(rec, key), *nrec;
		const char *method = copied ? "copy" : "rename";

		if (!p || asprintf(&nrec, "%.*s%s  \"method\": \"%s\",\n%s",
				   (int)(p - rec), rec, key, method,
				   p + sizeof(key) - 1) < 0) {
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		free(rec);
		rec = nrec;
		rec_len = strlen(rec);
	}
	if (record_write(efd, rec, rec_len) != 0 || fsync(efd) != 0) {
		rc = io_status();
		goto out;
	}
	/* Publish: rename the finished entry to its ID.  A collision gets a
	 * fresh random part. */
	for (i = 0; i < NAME_ATTEMPTS; i++) {
		if (make_id(sha, now, id, sizeof(id)) != 0) {
			rc = io_status();
			goto out;
		}
		if (renameat2(s->dfd, newname, s->dfd, id,
			      RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST) {
			rc = io_status();
			goto out;
		}
	}
	if (i == NAME_ATTEMPTS) {
		errno = EEXIST;
		rc = QUARANTINE_ERR_IO;
		goto out;
	}
	placed = true;
	if (fsync(s->dfd) != 0) {
		rc = io_status();
		goto out;
	}
	if (copied) {
		/* The copy is safe in the store: remove the original, but
		 * only if the name still refers to the file we scanned.
		 * (An attacker who can swap names in that directory can
		 * delete them anyway; we never remove anything else.) */
		if (fstatat(subj->dirfd, subj->name, &cur,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(cur.st_mode) || !same_file(&cur, subj->st)) {
			rc = QUARANTINE_ERR_CHANGED;
			goto out;
		}
		if (unlinkat(subj->dirfd, subj->name, 0) != 0) {
			rc = io_status();
			goto out;
		}
	}
	if (moved)
		/* Not fatal: someone else's file in a directory we may write
		 * cannot be chmod'ed by us, and the 0700 store already keeps
		 * everyone else out.  Done last so an undo never has to put
		 * the mode back. */
		(void)fchmod(subj->fd, 0);
	if (subj->dirfd != AT_FDCWD)
		(void)fsync(subj->dirfd);
	snprintf(ret_id, cap, "%s", id);
	rc = QUARANTINE_OK;
out:
	saved = errno;
	if (rc != QUARANTINE_OK) {
		/* Undo: the original goes back where it was, and no entry
		 * or temporary file stays in the store.  efd follows the
		 * entry directory through its rename to the ID. */
		bool keep = false;

		if (moved && renameat2(efd, DATA_NAME, subj->dirfd,
				       subj->name, RENAME_NOREPLACE) != 0) {
			/* Something new took the name: putting the file
			 * back would replace it.  Keep the file in the
			 * store rather than lose it. */
			keep = true;
		}
		if (!keep && newname[0])
			(void)remove_entry_dir(s->dfd, placed ? id : newname);
	}
	close_keep_errno(efd);
	free(rec);
	free(abs_path);
	errno = saved;
	return rc;
}

/* ---- restoring and purging ---------------------------------------- */

/* Splits path into its directory (opened) and last component. */
static int
open_parent(const char *path, int *ret_fd, char **ret_base)
{
	char *copy = NULL, *slash, *base;
	const char *dir;
	int fd, rc = QUARANTINE_ERR_INVALID;

	copy = strdup(path);
	if (!copy)
		return QUARANTINE_ERR_NOMEM;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dir = copy[0] ? copy : "/";
	} else {
		base = copy;
		dir = ".";
	}
	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		goto out;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = io_status();
		goto out;
	}
	*ret_base = strdup(base);
	if (!*ret_base) {
		close(fd);
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	}
	*ret_fd = fd;
	rc = QUARANTINE_OK;
out:
	free(copy);
	return rc;
}

/* Puts back the permission bits and times (and, for a copy made as root,
 * the owner: a rename keeps the inode's own).  Returns 0 or -1 (errno). */
static int
set_meta(int fd, const struct quarantine_entry *e, bool chown_too)
{
	struct timespec ts[2] = {e->atime, e->mtime};

	if (chown_too && geteuid() == 0 && fchown(fd, e->uid, e->gid) != 0)
		return -1;
	if (fchmod(fd, e->mode) != 0 || futimens(fd, ts) != 0)
		return -1;
	return 0;
}

/* Copies fd into a new temporary file in pfd and links it as base
 * without replacing anything. */
static int
copy_out(int src, const struct quarantine_entry *e, int pfd,
	 const char *base)
{
	char tmp[64], got[SHA256_HEX_LEN + 1];
	uint64_t size;
	int out = -1, rc = QUARANTINE_ERR_IO, i;
	bool made = false;

	for (i = 0; i < NAME_ATTEMPTS; i++) {
		char r[17];

		if (random_hex(r, 8) != 0)
			goto io;
		snprintf(tmp, sizeof(tmp), ".picklewarden-restore-%s", r);
		out = openat(pfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			     O_CLOEXEC, 0600);
		if (out >= 0 || errno != EEXIST)
			break;
	}
	if (out < 0)
		goto io;
	made = true;
	if (copy_fd(src, out, NULL, &size) != 0)
		goto io;
	if (fsync(out) != 0 || sha256_fd(out, got, NULL) != 0)
		goto io;
	if (strcmp(got, e->sha256) != 0) {
		errno = EIO;
		goto io;
	}
	if (set_meta(out, e, true) != 0)
		goto io;
	if (renameat2(pfd, tmp, pfd, base, RENAME_NOREPLACE) != 0) {
		rc = errno == EEXIST ? QUARANTINE_ERR_EXISTS : io_status();
		goto out;
	}
	made = false;
	(void)fsync(pfd);
	rc = QUARANTINE_OK;
	goto out;
io:
	rc = io_status();
out:
	close_keep_errno(out);
	if (made)
		(void)unlinkat(pfd, tmp, 0);
	return rc;
}

int
quarantine_restore(struct quarantine_store *s, const char *id,
		   const char *to_path)
{
	struct quarantine_entry e;
	char got[SHA256_HEX_LEN + 1], *base = NULL;
	struct stat st;
	int efd = -1, pfd = -1, fd = -1, rc;
	bool have_entry = false;

	if (!quarantine_id_valid(id))
		return QUARANTINE_ERR_INVALID;
	rc = entry_read(s, id, &e);
	if (rc != QUARANTINE_OK)
		return rc;
	have_entry = true;
	if (!e.data_present) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto out;
	}
	rc = open_parent(to_path ? to_path : e.original_path, &pfd, &base);
	if (rc != QUARANTINE_OK)
		goto out;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = QUARANTINE_ERR_EXISTS;
		goto out;
	}
	efd = openat(s->dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0) {
		rc = io_status();
		goto out;
	}
	/* The data is mode 0000; we own it, so allow ourselves to read it
	 * (inside the 0700 store nobody else can reach it). */
	if (fstatat(efd, DATA_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode)) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto out;
	}
	if (fchmodat(efd, DATA_NAME, 0400, 0) != 0) {
		rc = io_status();
		goto out;
	}
	fd = openat(efd, DATA_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = io_status();
		goto relock;
	}
	if (sha256_fd(fd, got, NULL) != 0) {
		rc = io_status();
		goto relock;
	}
	if (strcmp(got, e.sha256) != 0) {
		rc = QUARANTINE_ERR_CORRUPT;
		goto relock;
	}
	/* Same filesystem: the very inode goes back.  Mode and times are
	 * set first so the file never appears with the store's 0400. */
	if (set_meta(fd, &e, false) != 0) {
		rc = io_status();
		goto relock;
	}
	if (renameat2(efd, DATA_NAME, pfd, base, RENAME_NOREPLACE) == 0) {
		(void)fsync(pfd);
	} else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS) {
		(void)fchmod(fd, 0400);
		rc = copy_out(fd, &e, pfd, base);
		if (rc != QUARANTINE_OK)
			goto relock;
	} else {
		rc = errno == EEXIST ? QUARANTINE_ERR_EXISTS : io_status();
		goto relock;
	}
	/* Restored: the entry has served its purpose. */
	close(fd);
	fd = -1;
	rc = remove_entry_dir(s->dfd, id) == 0 ? QUARANTINE_OK :
	     QUARANTINE_ERR_IO;
	goto out;
relock:
	/* Back to 0000; if even that fails the 0700 store still keeps
	 * others out, and the caller already has the real error. */
	{
		int saved = errno;

		if (fchmodat(efd, DATA_NAME, 0, 0) != 0) {
			/* nothing better to do */
		}
		errno = saved;
	}
out:
	close_keep_errno(fd);
	close_keep_errno(efd);
	close_keep_errno(pfd);
	free(base);
	if (have_entry)
		entry_clear(&e);
	return rc;
}

int
quarantine_purge(struct quarantine_store *s, const char *id)
{
	struct stat st;

	if (!quarantine_id_valid(id))
		return QUARANTINE_ERR_INVALID;
	if (fstatat(s->dfd, id, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? QUARANTINE_ERR_NOT_FOUND :
		       io_status();
	if (!S_ISDIR(st.st_mode))
		return QUARANTINE_ERR_NOT_FOUND;
	if (remove_entry_dir(s->dfd, id) != 0)
		return errno == ENOTEMPTY || errno == EEXIST ?
		       QUARANTINE_ERR_NOT_EMPTY : io_status();
	return QUARANTINE_OK;
}

int
quarantine_purge_older(struct quarantine_store *s, time_t cutoff,
		       size_t *ret_count)
{
	struct quarantine_entry *v = NULL;
	size_t n = 0, i, count = 0;
	int rc;

	rc = quarantine_list(s, &v, &n, NULL);
	if (rc != QUARANTINE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (v[i].quarantined_at >= cutoff)
			continue;
		rc = quarantine_purge(s, v[i].id);
		if (rc != QUARANTINE_OK)
			break;
		count++;
	}
	quarantine_entries_free(v, n);
	if (ret_count)
		*ret_count = count;
	return rc;
}
