/*
 * quarantine_recover.c - the owner of interrupted moves.
 *
 * A move killed at any step leaves a ".new-<txn>" directory whose files
 * say how far it got (see quarantine_move.c for the steps).  Recovery
 * takes each one no live move holds (flock) and either undoes it (nothing
 * was taken yet) or runs the remaining steps:
 *
 *   no intent.json                  nothing was taken: removed (EMPTY)
 *   intent, no original, no data    nothing was taken: removed (EMPTY)
 *   original staged, not the judged inode
 *                                   put back where it was, removed
 *   original staged (orig, or in the stage directory)
 *                                   a copy in progress (data.part) is
 *                                   discarded - the original is there -
 *                                   and the move resumes at step 4
 *   data, original still staged     data is complete: the original goes,
 *                                   resume at step 5
 *   data, no original               resume at step 5 (record)
 *   record.json                     resume at step 7 (publish)
 *
 * Whatever cannot be done now (store full, stage directory unreachable)
 * stays as it is, STUCK, and is tried again at the next recovery: the
 * only copy of a file is never deleted.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/json_reader.h"
#include "agent/store/quarantine_int.h"

/* What recovery needs from an intent. */
struct intent_info {
	char *path;		/* original path */
	char *stage;		/* stage directory or NULL */
	struct stat scan;	/* dev, ino, size, mtime as scanned */
	time_t when;
};

static int
intent_parse(const char *text, size_t len, struct intent_info *ii)
{
	/* The members quarantine_record_finish appends to an intent: one
	 * that has them already is not ours, and finishing it would write
	 * a record with duplicate keys, which the reader refuses. */
	static const char *const tail[] = {
		"method", "sha256", "captured_size", "captured_while_writing",
	};
	struct store_json_value *j = NULL;
	uint64_t u;
	int64_t i;
	size_t k;
	int rc = -1;

	memset(ii, 0, sizeof(*ii));
	if (store_json_parse(text, len, &j, NULL) != STORE_JSON_OK ||
	    j->type != STORE_JSON_OBJECT)
		goto out;
	for (k = 0; k < sizeof(tail) / sizeof(tail[0]); k++)
		if (store_json_get(j, tail[k]))
			goto out;
	ii->path = quarantine_unhex(store_json_get_str(j,
						       "original_path_hex"));
	if (!ii->path || ii->path[0] != '/')
		goto out;
	if (store_json_get_str(j, "stage_dir_hex")) {
		ii->stage = quarantine_unhex(store_json_get_str(j,
							"stage_dir_hex"));
		if (!ii->stage || ii->stage[0] != '/')
			goto out;
	}
	if (!store_json_get_u64(j, "device", &u))
		goto out;
	ii->scan.st_dev = (dev_t)u;
	if (!store_json_get_u64(j, "inode", &u))
		goto out;
	ii->scan.st_ino = (ino_t)u;
	if (!store_json_get_u64(j, "size", &u))
		goto out;
	ii->scan.st_size = (off_t)u;
	if (!store_json_get_i64(j, "mtime_sec", &i))
		goto out;
	ii->scan.st_mtim.tv_sec = (time_t)i;
	if (!store_json_get_i64(j, "mtime_nsec", &i))
		goto out;
	ii->scan.st_mtim.tv_nsec = (long)i;
	if (!store_json_get_i64(j, "quarantined_at_unix", &i))
		goto out;
	ii->when = (time_t)i;
	rc = 0;
out:
	store_json_free(j);
	return rc;
}

static void
intent_clear(struct intent_info *ii)
{
	free(ii->path);
	free(ii->stage);
}

/* Puts a staged file that is not the judged one back at its path,
 * replacing nothing and following no symlink.  0 or -1. */
static int
put_back(int odir, const char *oname, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int pfd, rc;

	parent = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!parent)
		return -1;
	pfd = quarantine_open_dir_nofollow(parent, false);
	free(parent);
	if (pfd < 0)
		return -1;
	rc = renameat2(odir, oname, pfd, slash + 1, RENAME_NOREPLACE);
	if (rc == 0)
		(void)fsync(pfd);
	quarantine_close_keep_errno(pfd);
	return rc;
}

/* The digest in a record, for publishing it. */
static int
record_sha(int efd, char *sha)
{
	struct store_json_value *j = NULL;
	const char *s;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (quarantine_read_small(efd, RECORD_NAME, &text, &len) !=
	    QUARANTINE_OK)
		return -1;
	if (store_json_parse(text, len, &j, NULL) != STORE_JSON_OK)
		j = NULL;
	s = store_json_get_str(j, "sha256");
	if (s && strlen(s) == SHA256_HEX_LEN) {
		memcpy(sha, s, SHA256_HEX_LEN + 1);
		rc = 0;
	}
	store_json_free(j);
	free(text);
	return rc;
}

static bool
exists(int dirfd, const char *name, struct stat *st)
{
	struct stat tmp;

	return fstatat(dirfd, name, st ? st : &tmp, AT_SYMLINK_NOFOLLOW) == 0;
}

enum quarantine_state
quarantine_recover_one(struct quarantine_store *s, int dfd, const char *name,
		       char *ret_id, size_t cap)
{
	struct quarantine_txn t;
	struct intent_info ii;
	struct stat st;
	enum quarantine_state state = QUARANTINE_STATE_STUCK;
	bool have_orig = false, have_data, unreachable = false;
	int ofd = -1;

	(void)s;
	memset(&t, 0, sizeof(t));
	memset(&ii, 0, sizeof(ii));
	t.dfd = dfd;
	t.sfd = t.odir = -1;
	if (snprintf(t.newname, sizeof(t.newname), "%s", name) >=
	    (int)sizeof(t.newname))
		return QUARANTINE_STATE_STUCK;
	t.txn = t.newname + strlen(NEW_PREFIX);
	t.efd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		       O_CLOEXEC);
	if (t.efd < 0)
		return QUARANTINE_STATE_STUCK;
	if (!quarantine_txn_lock(t.efd, false)) {
		close(t.efd);
		return QUARANTINE_STATE_BUSY;
	}
	have_data = exists(t.efd, DATA_NAME, NULL);
	if (quarantine_read_small(t.efd, INTENT_NAME, &t.intent,
				  &t.intent_len) != QUARANTINE_OK ||
	    intent_parse(t.intent, t.intent_len, &ii) != 0) {
		/* The intent is written before anything moves: without a
		 * readable one nothing was taken, unless files say
		 * otherwise (then leave it for a human). */
		if (!have_data && !exists(t.efd, ORIG_NAME, NULL) &&
		    quarantine_remove_entry_dir(dfd, name) == 0)
			state = QUARANTINE_STATE_EMPTY;
		goto out;
	}
	t.scan = &ii.scan;
	t.when = ii.when;
	t.stage_path = ii.stage;
	ii.stage = NULL;
	if (exists(t.efd, RECORD_NAME, NULL)) {
		if (record_sha(t.efd, t.want_sha) != 0)
			goto out;
		t.resume = QUARANTINE_STEP_RECORDED;
		t.released = true;
		goto finish;
	}
	/* Where is the original? */
	if (exists(t.efd, ORIG_NAME, NULL)) {
		have_orig = true;
		t.odir = t.efd;
		t.oname = ORIG_NAME;
	} else if (t.stage_path) {
		t.sfd = quarantine_stage_open(t.stage_path, false);
		if (t.sfd < 0 && errno != ENOENT)
			unreachable = true;
		if (t.sfd >= 0 && exists(t.sfd, t.txn, NULL)) {
			have_orig = true;
			t.odir = t.sfd;
			t.oname = t.txn;
		}
	}
	t.frozen = exists(t.efd, FROZEN_MARK, NULL);
	if (!have_orig && have_data) {
		/* Data complete, original gone (released, or it *is* the
		 * data: a rename on one mount). */
		ofd = openat(t.efd, DATA_NAME, O_RDONLY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (ofd >= 0 && fstat(ofd, &st) == 0 &&
		    quarantine_same_file(&st, &ii.scan) && !t.frozen &&
		    quarantine_may_be_written(ofd, &ii.scan)) {
			/* The renamed original, and someone still writes
			 * it: make a frozen copy after all. */
			if (renameat(t.efd, DATA_NAME, t.efd, ORIG_NAME) != 0)
				goto out;
			have_orig = true;
			have_data = false;
			t.odir = t.efd;
			t.oname = ORIG_NAME;
			t.frozen = true;
		} else {
			t.resume = QUARANTINE_STEP_DATA;
			t.released = true;
			t.method = t.frozen ? QUARANTINE_METHOD_FROZEN :
				   ofd >= 0 && fstat(ofd, &st) == 0 &&
				   quarantine_same_file(&st, &ii.scan) ?
				   QUARANTINE_METHOD_RENAME :
				   QUARANTINE_METHOD_COPY;
			goto finish;
		}
	}
	if (!have_orig) {
		/* Nothing was taken (the kill came before the rename), or
		 * the stage cannot be reached now. */
		if (unreachable || exists(t.efd, DATA_PART, NULL))
			goto out;
		if (quarantine_remove_entry_dir(dfd, name) == 0) {
			if (t.stage_path)
				quarantine_stage_tidy(t.stage_path);
			state = QUARANTINE_STATE_EMPTY;
		}
		goto out;
	}
	/* The original is staged: a copy in progress is incomplete, and
	 * the original is right here, so the copy can go. */
	(void)unlinkat(t.efd, DATA_PART, 0);
	if (ofd >= 0)
		close(ofd);
	ofd = openat(t.odir, t.oname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (ofd < 0 || fstat(ofd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode) || !quarantine_same_file(&st, &ii.scan)) {
		/* Swapped in before the rename and the kill came before
		 * the check: not what was judged, so it goes back. */
		if (have_data)
			goto out;	/* cannot happen: data follows the
					   check */
		if (put_back(t.odir, t.oname, ii.path) == 0 &&
		    quarantine_remove_entry_dir(dfd, name) == 0) {
			if (t.stage_path)
				quarantine_stage_tidy(t.stage_path);
			state = QUARANTINE_STATE_EMPTY;
		}
		goto out;
	}
	t.ofd = ofd;
	if (have_data) {
		/* data is only ever renamed into place complete. */
		t.resume = QUARANTINE_STEP_DATA;
		t.method = t.frozen ? QUARANTINE_METHOD_FROZEN :
			   QUARANTINE_METHOD_COPY;
	}
finish:
	if (quarantine_txn_finish(&t, ret_id, cap) == QUARANTINE_OK)
		state = QUARANTINE_STATE_COMPLETE;
out:
	if (ofd >= 0)
		close(ofd);
	quarantine_close_keep_errno(t.sfd);
	close(t.efd);
	free(t.intent);
	free(t.stage_path);
	intent_clear(&ii);
	return state;
}

int
quarantine_recover(struct quarantine_store *s, struct quarantine_recovery *ret)
{
	struct quarantine_recovery r;
	struct dirent *de;
	char **names = NULL, id[QUARANTINE_ID_MAX];
	size_t n = 0, i;
	DIR *d = NULL;
	int dfd = -1, fd, rc;

	memset(&r, 0, sizeof(r));
	rc = quarantine_store_fd(s, &dfd);
	if (rc != QUARANTINE_OK)
		goto out;
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		quarantine_close_keep_errno(fd);
		rc = quarantine_io_status();
		goto out;
	}
	/* Names first: recovery renames entries while we would read. */
	while ((de = readdir(d))) {
		char **nv;

		if (strncmp(de->d_name, NEW_PREFIX, strlen(NEW_PREFIX)) != 0)
			continue;
		nv = reallocarray(names, n + 1, sizeof(*names));
		if (!nv || !(nv[n] = strdup(de->d_name))) {
			names = nv ? nv : names;
			rc = QUARANTINE_ERR_NOMEM;
			goto out;
		}
		names = nv;
		n++;
	}
	for (i = 0; i < n; i++) {
		switch (quarantine_recover_one(s, dfd, names[i], id,
					       sizeof(id))) {
		case QUARANTINE_STATE_COMPLETE: r.completed++; break;
		case QUARANTINE_STATE_EMPTY: r.undone++; break;
		case QUARANTINE_STATE_BUSY: r.busy++; break;
		default: r.stuck++; break;
		}
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	quarantine_close_keep_errno(dfd);
	if (ret)
		*ret = r;
	return rc;
}
