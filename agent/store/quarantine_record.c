/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quarantine_record.c - the record of an entry (record.json): written
 * with the JSON writer, read back with the strict JSON reader as untrusted
 * input (a store can be edited, damaged or restored from a backup, and a
 * record carries text from a hostile file), and the listing built on it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/store/hex.h"
#include "agent/store/json_reader.h"
#include "agent/store/json_writer.h"
#include "agent/store/quarantine_int.h"

static const char *
method_name(enum quarantine_method method)
{
	switch (method) {
	case QUARANTINE_METHOD_RENAME: return "rename";
	case QUARANTINE_METHOD_COPY: return "copy";
	case QUARANTINE_METHOD_FROZEN: return "frozen-copy";
	}
	return "unknown";
}

static void
write_finding(struct store_json_writer *w, const struct pw_finding *fd)
{
	store_json_object_begin(w);
	store_json_member_str(w, "severity", pw_severity_name(fd->severity));
	store_json_member_str(w, "kind", scan_kind_name(fd->kind));
	store_json_member_str(w, "global", fd->global);
	store_json_member_str(w, "opcode", fd->opcode);
	store_json_member_u64(w, "offset", fd->offset);
	store_json_member_str(w, "location",
			       fd->location ? fd->location : "");
	store_json_member_str(w, "reason", fd->reason ? fd->reason : "");
	store_json_object_end(w);
}

/* A timestamp as two members, NAME_sec and NAME_nsec. */
static void
write_time(struct store_json_writer *w, const char *sec_key,
	   const char *nsec_key, const struct timespec *ts)
{
	store_json_member_i64(w, sec_key, (int64_t)ts->tv_sec);
	store_json_member_i64(w, nsec_key, (int64_t)ts->tv_nsec);
}

/*
 * The intent as JSON: everything the record says except what is only
 * known once the file is taken.  The original path is also kept as hex:
 * JSON escaping (escape_json_write) maps invalid UTF-8 bytes to \u00HH,
 * which cannot be told from real U+00HH, and restore needs the exact
 * bytes.  The stage directory is kept the same way, for recovery.
 */
int
quarantine_intent_build(const struct quarantine_subject *subj,
			const struct stat *parent, const struct scan_result *res,
			time_t now, const char *stage_dir, const char *txn,
			char **ret_buf, size_t *ret_len)
{
	const struct stat *st = subj->st;
	struct store_json_writer *w;
	char when[32], mode[8];
	size_t i, count;
	struct tm tm;

	w = store_json_writer_new();
	if (!w) {
		errno = ENOMEM;
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	store_json_object_begin(w);
	store_json_member_u64(w, "record_version", RECORD_VERSION);
	store_json_member_str(w, "original_path", subj->path);
	store_json_key(w, "original_path_hex");
	store_json_hex(w, subj->path, strlen(subj->path));
	store_json_member_u64(w, "size", (uint64_t)st->st_size);
	store_json_member_str(w, "mode", mode);
	store_json_member_u64(w, "uid", (uint64_t)st->st_uid);
	store_json_member_u64(w, "gid", (uint64_t)st->st_gid);
	store_json_member_u64(w, "device", (uint64_t)st->st_dev);
	store_json_member_u64(w, "inode", (uint64_t)st->st_ino);
	if (parent) {
		store_json_member_u64(w, "parent_device",
				       (uint64_t)parent->st_dev);
		store_json_member_u64(w, "parent_inode",
				       (uint64_t)parent->st_ino);
	}
	write_time(w, "atime_sec", "atime_nsec", &st->st_atim);
	write_time(w, "mtime_sec", "mtime_nsec", &st->st_mtim);
	write_time(w, "ctime_sec", "ctime_nsec", &st->st_ctim);
	if (stage_dir) {
		store_json_key(w, "stage_dir_hex");
		store_json_hex(w, stage_dir, strlen(stage_dir));
	}
	store_json_member_str(w, "txn", txn);
	store_json_member_str(w, "verdict",
			       res ? pw_verdict_name(scan_result_verdict(res)) :
			       "unknown");
	store_json_member_str(w, "format",
			       res ? scan_result_format(res) : "unknown");
	if (subj->signature)
		store_json_member_str(w, "signature", subj->signature);
	store_json_member_str(w, "quarantined_at", when);
	store_json_member_i64(w, "quarantined_at_unix", (int64_t)now);
	store_json_member_str(w, "picklewarden_version", pw_version());
	count = res ? scan_result_finding_count(res) : 0;
	store_json_member_u64(w, "findings_total", (uint64_t)count);
	store_json_key(w, "findings");
	store_json_array_begin(w);
	for (i = 0; i < count && i < QUARANTINE_MAX_RECORD_FINDINGS; i++)
		write_finding(w, scan_result_finding(res, i));
	store_json_array_end(w);
	store_json_object_end(w);
	/* Every call above is ours and balanced: a failure here is
	 * memory. */
	if (store_json_writer_finish(w, ret_buf, ret_len) != 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The record is the intent with the capture appended: the intent was
 * written by us (or read back and parsed as an object by recovery), so
 * its text ends with the object's closing brace. */
int
quarantine_record_finish(const char *intent, size_t len,
			 enum quarantine_method method, const char *sha,
			 uint64_t size, bool frozen, char **ret_buf,
			 size_t *ret_len)
{
	char tail[256];
	char *out;
	int n;

	while (len > 0 && (intent[len - 1] == '\n' || intent[len - 1] == ' '))
		len--;
	if (len < 2 || intent[len - 1] != '}' || strlen(sha) != SHA256_HEX_LEN) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(tail, sizeof(tail),
		     ", \"method\": \"%s\", \"sha256\": \"%s\", "
		     "\"captured_size\": %llu, \"captured_while_writing\": "
		     "%s}\n", method_name(method), sha,
		     (unsigned long long)size, frozen ? "true" : "false");
	if (n < 0 || (size_t)n >= sizeof(tail)) {
		errno = EINVAL;
		return -1;
	}
	out = malloc(len - 1 + (size_t)n + 1);
	if (!out)
		return -1;
	memcpy(out, intent, len - 1);
	memcpy(out + len - 1, tail, (size_t)n + 1);
	*ret_buf = out;
	*ret_len = len - 1 + (size_t)n;
	return 0;
}

int
quarantine_file_write(int efd, const char *name, const char *part,
		      const char *buf, size_t len)
{
	int fd;

	(void)unlinkat(efd, part, 0);	/* left by a crash: ours */
	fd = openat(efd, part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (quarantine_write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		quarantine_close_keep_errno(fd);
		(void)unlinkat(efd, part, 0);
		return -1;
	}
	if (close(fd) != 0 || renameat(efd, part, efd, name) != 0) {
		int saved = errno;

		(void)unlinkat(efd, part, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Writes the record into an entry directory: part file, fsync, rename. */
int
quarantine_record_write(int efd, const char *buf, size_t len)
{
	return quarantine_file_write(efd, RECORD_NAME, RECORD_PART, buf, len);
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* A copy of a string member, "" when missing or not a string; NULL only
 * when out of memory. */
static char *
str_member(const struct store_json_value *v, const char *key)
{
	return dup_or_empty(store_json_get_str(v, key));
}

/* Digits only (store/hex.c): sscanf("%2x") would also take a sign, "0x"
 * or spaces, and read "-1" as a byte, which is not what we wrote. */
char *
quarantine_unhex(const char *hex)
{
	size_t n;
	char *out;

	if (!hex)
		return NULL;
	n = strlen(hex);
	if (n == 0 || n % 2)
		return NULL;
	out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	/* A NUL byte would cut the path short of what the record says. */
	if (!store_hex_decode(hex, n, (unsigned char *)out) ||
	    memchr(out, 0, n / 2)) {
		free(out);
		return NULL;
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

void
quarantine_entry_clear(struct quarantine_entry *e)
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
		quarantine_entry_clear(&entries[i]);
	free(entries);
}

/* Reads a whole small file of an entry (bounded). */
int
quarantine_read_small(int efd, const char *name, char **ret_buf,
		      size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = QUARANTINE_ERR_CORRUPT;

	fd = openat(efd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? QUARANTINE_ERR_CORRUPT :
		       quarantine_io_status();
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
			rc = quarantine_io_status();
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
entry_parse(const char *id, const char *text, size_t len, bool complete,
	    struct quarantine_entry *e)
{
	struct store_json_value *j = NULL;
	const struct store_json_value *fs;
	const char *s, *hex;
	int64_t i64;
	uint64_t u64;
	size_t i;
	int rc = QUARANTINE_ERR_CORRUPT;
	char *end;
	unsigned long mode;

	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	/* The strict reader: a record with a key twice, invalid UTF-8 or
	 * trailing bytes is not one we wrote, and is refused whole rather
	 * than read one way here and another by someone else. */
	switch (store_json_parse(text, len, &j, NULL)) {
	case STORE_JSON_OK:
		break;
	case STORE_JSON_ERR_NOMEM:
		rc = QUARANTINE_ERR_NOMEM;
		goto out;
	default:
		goto out;
	}
	if (j->type != STORE_JSON_OBJECT)
		goto out;
	hex = store_json_get_str(j, "original_path_hex");
	s = store_json_get_str(j, "sha256");
	/* An intent (a move not finished) has no digest yet. */
	if (!hex || (complete && !s) || (s && strlen(s) != SHA256_HEX_LEN))
		goto out;
	if (s)
		memcpy(e->sha256, s, SHA256_HEX_LEN + 1);
	e->original_path = quarantine_unhex(hex);
	if (!e->original_path)
		goto out;
	if (!store_json_get_u64(j, "size", &e->size))
		goto out;
	if (!store_json_get_u64(j, "captured_size", &e->captured_size))
		e->captured_size = e->size;
	if (!store_json_get_bool(j, "captured_while_writing",
				 &e->captured_while_writing))
		e->captured_while_writing = false;
	e->have_parent = store_json_get_u64(j, "parent_device",
					    &e->parent_dev) &&
			 store_json_get_u64(j, "parent_inode", &e->parent_ino);
	s = store_json_get_str(j, "mode");
	if (!s)
		goto out;
	errno = 0;
	mode = strtoul(s, &end, 8);
	if (errno || *end || mode > 07777)
		goto out;
	e->mode = (mode_t)mode;
	if (!store_json_get_u64(j, "uid", &u64) || u64 > UINT32_MAX)
		goto out;
	e->uid = (uid_t)u64;
	if (!store_json_get_u64(j, "gid", &u64) || u64 > UINT32_MAX)
		goto out;
	e->gid = (gid_t)u64;
#define GET_TS(field, name)						\
	do {								\
		if (!store_json_get_i64(j, name "_sec", &i64))		\
			goto out;					\
		e->field.tv_sec = (time_t)i64;				\
		if (!store_json_get_i64(j, name "_nsec", &i64) ||	\
		    i64 < 0 || i64 > 999999999)				\
			goto out;					\
		e->field.tv_nsec = (long)i64;				\
	} while (0)
	GET_TS(atime, "atime");
	GET_TS(mtime, "mtime");
	GET_TS(ctime, "ctime");
#undef GET_TS
	if (!store_json_get_i64(j, "quarantined_at_unix", &i64))
		goto out;
	e->quarantined_at = (time_t)i64;
	if (!store_json_get_u64(j, "findings_total", &e->findings_total))
		e->findings_total = 0;
	rc = QUARANTINE_ERR_NOMEM;
	e->verdict = str_member(j, "verdict");
	e->format = str_member(j, "format");
	e->method = str_member(j, "method");
	e->version = str_member(j, "picklewarden_version");
	if (!e->verdict || !e->format || !e->method || !e->version)
		goto out;
	fs = store_json_get(j, "findings");
	if (fs && fs->type == STORE_JSON_ARRAY && fs->n > 0) {
		e->findings = calloc(fs->n, sizeof(*e->findings));
		if (!e->findings)
			goto out;
		for (i = 0; i < fs->n; i++) {
			const struct store_json_value *f = &fs->items[i];
			struct quarantine_finding *q = &e->findings[i];

			e->n_findings++;
			q->severity = str_member(f, "severity");
			q->kind = str_member(f, "kind");
			q->global = str_member(f, "global");
			q->opcode = str_member(f, "opcode");
			q->location = str_member(f, "location");
			q->reason = str_member(f, "reason");
			if (!store_json_get_u64(f, "offset", &q->offset))
				q->offset = 0;
			if (!q->severity || !q->kind || !q->global ||
			    !q->opcode || !q->location || !q->reason)
				goto out;
		}
	}
	rc = QUARANTINE_OK;
out:
	store_json_free(j);
	if (rc != QUARANTINE_OK) {
		quarantine_entry_clear(e);
		memset(e, 0, sizeof(*e));
	}
	return rc;
}

bool
quarantine_dir_name(const char *id, char *out, size_t cap)
{
	if (!quarantine_id_valid(id))
		return false;
	/* "new-<hex>" names the ".new-<hex>" directory of an unfinished
	 * move (real IDs start with a digit). */
	if (strncmp(id, "new-", 4) == 0)
		return (size_t)snprintf(out, cap, ".%s", id) < cap;
	return (size_t)snprintf(out, cap, "%s", id) < cap;
}

/* Where an unfinished move stands, judged from its files without acting
 * (recovery acts; see quarantine_recover.c). */
static enum quarantine_state
txn_state(int efd)
{
	struct stat st;

	if (!quarantine_txn_lock(efd, false))
		return QUARANTINE_STATE_BUSY;
	/* flock is released by close: the caller closes efd at once. */
	if (fstatat(efd, RECORD_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return QUARANTINE_STATE_RECORDED;
	if (fstatat(efd, DATA_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return QUARANTINE_STATE_STORED;
	if (fstatat(efd, INTENT_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return QUARANTINE_STATE_EMPTY;
	return QUARANTINE_STATE_STAGED;
}

/* Reads entry id (an ID or "new-<hex>") from the store open at dfd. */
static int
entry_read_at(int dfd, const char *id, struct quarantine_entry *e)
{
	char *text = NULL, name[QUARANTINE_ID_MAX + 1];
	size_t len = 0;
	struct stat st;
	bool complete;
	int efd, rc;

	if (!quarantine_dir_name(id, name, sizeof(name)))
		return QUARANTINE_ERR_INVALID;
	complete = name[0] != '.';
	efd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (efd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ?
		       QUARANTINE_ERR_NOT_FOUND : quarantine_io_status();
	rc = quarantine_read_small(efd, RECORD_NAME, &text, &len);
	if (!complete && rc == QUARANTINE_ERR_CORRUPT)
		rc = quarantine_read_small(efd, INTENT_NAME, &text, &len);
	if (rc == QUARANTINE_OK)
		rc = entry_parse(id, text, len, complete, e);
	if (rc == QUARANTINE_OK) {
		e->data_present = fstatat(efd, DATA_NAME, &st,
					  AT_SYMLINK_NOFOLLOW) == 0 &&
				  S_ISREG(st.st_mode);
		e->state = complete ? QUARANTINE_STATE_COMPLETE :
			   txn_state(efd);
	}
	free(text);
	close(efd);
	return rc;
}

int
quarantine_entry_read(struct quarantine_store *s, const char *id,
		      struct quarantine_entry *e)
{
	int dfd = -1, rc;

	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		return rc;
	rc = entry_read_at(dfd, id, e);
	close(dfd);
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
	rc = quarantine_entry_read(s, id, e);
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
	char *text = NULL, name[QUARANTINE_ID_MAX + 1];
	size_t len = 0;
	int dfd = -1, efd, rc;

	if (!quarantine_dir_name(id, name, sizeof(name)))
		return QUARANTINE_ERR_INVALID;
	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		return rc;
	efd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	close(dfd);
	if (efd < 0)
		return errno == ENOENT ? QUARANTINE_ERR_NOT_FOUND :
		       quarantine_io_status();
	rc = quarantine_read_small(efd, RECORD_NAME, &text, &len);
	/* An unfinished move shows its intent. */
	if (rc == QUARANTINE_ERR_CORRUPT && name[0] == '.')
		rc = quarantine_read_small(efd, INTENT_NAME, &text, &len);
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
	int dfd = -1, fd, rc;

	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		return rc;
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		quarantine_close_keep_errno(fd);
		quarantine_close_keep_errno(dfd);
		return quarantine_io_status();
	}
	while ((errno = 0, de = readdir(d))) {
		struct quarantine_entry *nv;
		const char *id = de->d_name;

		/* ".new-*" are moves in progress, or interrupted ones that
		 * recovery could not finish: listed as "new-<hex>". */
		if (strncmp(id, NEW_PREFIX, strlen(NEW_PREFIX)) == 0)
			id++;
		else if (!quarantine_id_valid(id) ||
			 strncmp(id, "new-", 4) == 0)
			continue;
		if (!quarantine_id_valid(id))
			continue;
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (!nv) {
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		v = nv;
		rc = entry_read_at(dfd, id, &v[n]);
		if (rc == QUARANTINE_ERR_NOMEM)
			goto out;
		if (rc != QUARANTINE_OK && id != de->d_name) {
			/* A move that had not written its intent has taken
			 * nothing: not an entry, nor a damaged one. */
			rc = QUARANTINE_OK;
			continue;
		}
		if (rc != QUARANTINE_OK) {
			bad++;
			rc = QUARANTINE_OK;
			continue;
		}
		n++;
	}
	if (errno) {
		rc = quarantine_io_status();
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
	close(dfd);
	return rc;
}
