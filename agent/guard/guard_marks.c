/*
 * guard_marks.c - which filesystems to mark so that every open under the
 * guarded patterns reaches us.
 *
 * A pattern such as /home/ * /.cache/huggingface can match files on the
 * filesystem of /home and on any filesystem mounted below /home.  We mark
 * those whole filesystems (FAN_MARK_FILESYSTEM also sees opens through bind
 * mounts and other mount namespaces) and filter by path in user space.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "agent/store/escape.h"
#include "agent/guard/guard_int.h"

/* Filesystems nobody loads a model from, and some refuse marks. */
static const char *const pseudo_fs[] = {
	"proc", "sysfs", "cgroup", "cgroup2", "devpts", "debugfs", "tracefs",
	"securityfs", "bpf", "pstore", "mqueue", "fusectl", "configfs",
	"autofs", "binfmt_misc", "nsfs", "efivarfs", "hugetlbfs", "rpc_pipefs",
	"devtmpfs", NULL,
};

/* Devices already marked (a filesystem mark covers the device). */
#define MAX_MARKED 256

char *
guard_marks_static_prefix(const char *pattern)
{
	size_t glob = strcspn(pattern, "*?[\\");
	char *s;

	s = strndup(pattern, glob);
	if (!s)
		return NULL;
	if (pattern[glob] != '\0') {
		/* Cut back to the last '/' before the glob character. */
		char *slash = strrchr(s, '/');

		if (slash == s)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
	}
	return s;
}

/* The nearest existing directory at or above path (modified in place). */
static void
existing_parent(char *path)
{
	struct stat st;

	while (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(path, '/');

		if (!slash || slash == path) {
			strcpy(path, "/");
			return;
		}
		*slash = '\0';
	}
}

/* Marks the filesystem of path; a device marked already is skipped. */
static int
mark_one(int fan_fd, const char *path, uint64_t mask, dev_t *marked,
	 size_t *n_marked, char *why, size_t cap)
{
	struct stat st;
	size_t i;
	char esc[512];

	if (stat(path, &st) != 0) {
		escape_text_buf(path, esc, sizeof(esc));
		snprintf(why, cap, "%s: %s", esc, strerror(errno));
		return -1;
	}
	for (i = 0; i < *n_marked; i++)
		if (marked[i] == st.st_dev)
			return 0;
	if (fanotify_mark(fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask,
			  AT_FDCWD, path) != 0 &&
	    fanotify_mark(fan_fd, FAN_MARK_ADD | FAN_MARK_MOUNT, mask,
			  AT_FDCWD, path) != 0) {
		escape_text_buf(path, esc, sizeof(esc));
		snprintf(why, cap, "fanotify_mark %s: %s", esc,
			 strerror(errno));
		return -1;
	}
	if (*n_marked < MAX_MARKED)
		marked[(*n_marked)++] = st.st_dev;
	return 1;
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo: undo in place. */
void
guard_mountinfo_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static bool
is_pseudo(const char *type)
{
	size_t i;

	for (i = 0; pseudo_fs[i]; i++)
		if (strcmp(pseudo_fs[i], type) == 0)
			return true;
	return false;
}

/* True when mnt lies strictly below prefix. */
static bool
below(const char *mnt, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return strcmp(mnt, "/") != 0;
	return strncmp(mnt, prefix, n) == 0 && mnt[n] == '/';
}

int
guard_marks_place(int fan_fd, const struct policy_strv *patterns,
		  uint64_t mask, char *why, size_t cap)
{
	dev_t marked[MAX_MARKED];
	size_t n_marked = 0, i;
	char *line = NULL;
	size_t line_cap = 0;
	FILE *mi = NULL;
	int placed = 0, rc;

	for (i = 0; i < patterns->n; i++) {
		char *prefix = guard_marks_static_prefix(patterns->v[i]);

		if (!prefix) {
			snprintf(why, cap, "out of memory");
			return -1;
		}
		existing_parent(prefix);
		rc = mark_one(fan_fd, prefix, mask, marked, &n_marked, why,
			      cap);
		free(prefix);
		if (rc < 0)
			return -1;
		placed += rc;
	}
	/* Mounts below a prefix: a home directory on its own filesystem. */
	mi = fopen("/proc/self/mountinfo", "re");
	if (!mi)
		return placed;
	while (getline(&line, &line_cap, mi) > 0) {
		char *field[5], *sep, *save = NULL, *p = line, type[64];
		int f;

		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", type) != 1)
			continue;
		*sep = '\0';
		for (f = 0; f < 5; f++) {
			field[f] = strtok_r(p, " ", &save);
			p = NULL;
			if (!field[f])
				break;
		}
		if (f < 5 || is_pseudo(type))
			continue;
		guard_mountinfo_unescape(field[4]);
		for (i = 0; i < patterns->n; i++) {
			char *prefix = guard_marks_static_prefix(
				patterns->v[i]);
			char ignored[256];

			if (prefix && below(field[4], prefix)) {
				/* A sub-mount we cannot mark is reported
				 * but not fatal: the prefix itself is. */
				rc = mark_one(fan_fd, field[4], mask, marked,
					      &n_marked, ignored,
					      sizeof(ignored));
				if (rc > 0)
					placed += rc;
				else if (rc < 0)
					log_warning("guard: not guarding mount "
						    "%s", ignored);
			}
			free(prefix);
		}
	}
	free(line);
	fclose(mi);
	return placed;
}

void
guard_marks_flush(int fan_fd)
{
	(void)fanotify_mark(fan_fd, FAN_MARK_FLUSH | FAN_MARK_FILESYSTEM, 0,
			    AT_FDCWD, "/");
	(void)fanotify_mark(fan_fd, FAN_MARK_FLUSH | FAN_MARK_MOUNT, 0,
			    AT_FDCWD, "/");
	(void)fanotify_mark(fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
}
