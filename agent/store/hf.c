/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hf.c - Hugging Face hub cache paths.  See hf.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/store/hf.h"

/* Components of a path we look at: deeper paths are parsed from their
 * last HF_MAX_COMPONENTS components only, which is where the repo is. */
#define HF_MAX_COMPONENTS 64

static const char *const hf_kinds[] = {"models", "datasets", "spaces"};

struct comp {
	const char *p;
	size_t len;
};

static size_t
split(const char *path, struct comp *c, size_t cap)
{
	size_t n = 0;
	const char *s = path, *e;

	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		if (n == cap) {	/* keep the last cap components */
			memmove(c, c + 1, (cap - 1) * sizeof(*c));
			n--;
		}
		c[n].p = s;
		c[n].len = (size_t)(e - s);
		n++;
		s = e;
	}
	return n;
}

static bool
comp_is(const struct comp *c, const char *s)
{
	return c->len == strlen(s) && memcmp(c->p, s, c->len) == 0;
}

/* "models--org--name" -> kind "models", repo "org/name". */
static bool
parse_repo_folder(const struct comp *c, struct hf_location *loc)
{
	size_t k, klen, i, o = 0;

	for (k = 0; k < sizeof(hf_kinds) / sizeof(hf_kinds[0]); k++) {
		klen = strlen(hf_kinds[k]);
		if (c->len > klen + 2 && memcmp(c->p, hf_kinds[k], klen) == 0 &&
		    c->p[klen] == '-' && c->p[klen + 1] == '-')
			break;
	}
	if (k == sizeof(hf_kinds) / sizeof(hf_kinds[0]) ||
	    c->len >= sizeof(loc->repo_folder))
		return false;
	snprintf(loc->kind, sizeof(loc->kind), "%s", hf_kinds[k]);
	memcpy(loc->repo_folder, c->p, c->len);
	loc->repo_folder[c->len] = '\0';
	for (i = klen + 2; i < c->len && o + 1 < sizeof(loc->repo); i++) {
		if (i + 1 < c->len && c->p[i] == '-' && c->p[i + 1] == '-') {
			loc->repo[o++] = '/';
			i++;
		} else {
			loc->repo[o++] = c->p[i];
		}
	}
	loc->repo[o] = '\0';
	return true;
}

static bool
copy_comp(char *dst, size_t cap, const struct comp *c)
{
	if (c->len >= cap)
		return false;
	memcpy(dst, c->p, c->len);
	dst[c->len] = '\0';
	return true;
}

bool
hf_parse_path(const char *path, struct hf_location *ret)
{
	struct comp c[HF_MAX_COMPONENTS];
	struct hf_location loc;
	size_t n, i;

	memset(ret, 0, sizeof(*ret));
	if (!path)
		return false;
	n = split(path, c, HF_MAX_COMPONENTS);
	/* The innermost repo folder wins (a cache inside a cache is odd but
	 * the nearest one is what the loader used). */
	for (i = n >= 3 ? n - 3 : 0; n >= 3 && i + 1 > 0; i--) {
		memset(&loc, 0, sizeof(loc));
		if (!parse_repo_folder(&c[i], &loc))
			continue;
		loc.repo_dir_len = (size_t)(c[i].p - path) + c[i].len;
		if (comp_is(&c[i + 1], "blobs") && i + 3 == n) {
			if (!copy_comp(loc.blob, sizeof(loc.blob), &c[i + 2]))
				return false;
			loc.is_blob = true;
			*ret = loc;
			return true;
		}
		if (comp_is(&c[i + 1], "snapshots") && i + 4 <= n) {
			const char *start = c[i + 3].p;
			size_t flen = strlen(start);

			if (!copy_comp(loc.revision, sizeof(loc.revision),
				       &c[i + 2]) ||
			    flen >= sizeof(loc.file))
				return false;
			memcpy(loc.file, start, flen + 1);
			*ret = loc;
			return true;
		}
	}
	return false;
}

bool
hf_link_stays_in_repo(const char *link_path, const char *target)
{
	struct hf_location loc;
	struct comp c[HF_MAX_COMPONENTS];
	size_t depth, i, n;
	const char *t = target;

	if (!target || !hf_parse_path(link_path, &loc) || loc.is_blob)
		return false;
	depth = split(loc.file, c, HF_MAX_COMPONENTS);
	if (depth == 0)
		return false;
	if (target[0] == '/') {
		/* An absolute target must name this very repo folder. */
		if (link_path[0] != '/' ||
		    strncmp(target, link_path, loc.repo_dir_len) != 0)
			return false;
		t = target + loc.repo_dir_len;
		while (*t == '/')
			t++;
	} else {
		/* Exactly depth + 1 ".." climb from the link's folder to the
		 * repo folder: fewer or more leaves it. */
		for (i = 0; i < depth + 1; i++) {
			if (strncmp(t, "../", 3) != 0)
				return false;
			t += 3;
		}
	}
	n = split(t, c, HF_MAX_COMPONENTS);
	if (n != 2 || !comp_is(&c[0], "blobs") || comp_is(&c[1], "..") ||
	    comp_is(&c[1], "."))
		return false;
	/* No doubled or trailing slashes hiding anything: the text must be
	 * exactly "blobs/<name>". */
	return strncmp(t, "blobs/", 6) == 0 && strchr(t + 6, '/') == NULL;
}

/* A bounded walk of one snapshot folder for a link to blob. */
struct resolve {
	const char *blob;
	size_t entries;
	char file[1024];
};

static int
walk_snapshot(int dfd, struct resolve *r, char *rel, size_t rlen,
	      unsigned depth)
{
	DIR *d;
	struct dirent *de;
	int found = -1, cfd;

	if (depth > HF_RESOLVE_MAX_DEPTH)
		return -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while (found != 0 && (de = readdir(d)) != NULL) {
		char target[1024];
		ssize_t tl;
		unsigned char type;
		int w;

		if (++r->entries > HF_RESOLVE_MAX_ENTRIES)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		w = snprintf(rel + rlen, sizeof(r->file) - rlen, "%s%s",
			     rlen ? "/" : "", de->d_name);
		if (w < 0 || (size_t)w >= sizeof(r->file) - rlen)
			continue;
		type = de->d_type;
		if (type == DT_UNKNOWN) {
			/* Some filesystems leave d_type out: ask, without
			 * following the entry. */
			struct stat st;

			if (fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR
			       : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
		}
		if (type == DT_DIR) {
			cfd = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
			if (cfd >= 0)
				found = walk_snapshot(cfd, r, rel,
						      rlen + (size_t)w,
						      depth + 1);
		} else if (type == DT_LNK) {
			const char *last;

			tl = readlinkat(dirfd(d), de->d_name, target,
					sizeof(target) - 1);
			if (tl <= 0)
				continue;
			target[tl] = '\0';
			last = strrchr(target, '/');
			last = last ? last + 1 : target;
			if (strcmp(last, r->blob) == 0 &&
			    strstr(target, "blobs/") != NULL) {
				memcpy(r->file, rel, sizeof(r->file));
				found = 0;
			}
		}
		rel[rlen] = '\0';
	}
	closedir(d);
	return found;
}

/* Reads refs/main (the revision huggingface_hub resolves by default). */
static void
read_main_ref(int repofd, char *buf, size_t cap)
{
	int fd = openat(repofd, "refs/main", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n/")] = '\0';
}

static int
try_revision(int snapfd, const char *rev, struct hf_location *loc,
	     struct resolve *r)
{
	char rel[1024] = "";
	int fd;

	if (rev[0] == '\0' || rev[0] == '.' || strchr(rev, '/'))
		return -1;
	fd = openat(snapfd, rev, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (walk_snapshot(fd, r, rel, 0, 0) != 0)
		return -1;
	snprintf(loc->revision, sizeof(loc->revision), "%s", rev);
	snprintf(loc->file, sizeof(loc->file), "%s", r->file);
	return 0;
}

int
hf_resolve_blob(const char *path, struct hf_location *loc)
{
	char repo[4096], mainrev[128];
	struct resolve r;
	int repofd = -1, snapfd = -1, rc = -1;
	DIR *d = NULL;
	struct dirent *de;

	if (!loc || !loc->is_blob || loc->repo_dir_len >= sizeof(repo))
		return -1;
	memcpy(repo, path, loc->repo_dir_len);
	repo[loc->repo_dir_len] = '\0';
	memset(&r, 0, sizeof(r));
	r.blob = loc->blob;
	repofd = open(repo, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (repofd < 0)
		goto out;
	snapfd = openat(repofd, "snapshots",
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (snapfd < 0)
		goto out;
	read_main_ref(repofd, mainrev, sizeof(mainrev));
	if (try_revision(snapfd, mainrev, loc, &r) == 0) {
		rc = 0;
		goto out;
	}
	d = fdopendir(snapfd);
	if (!d)
		goto out;
	snapfd = -1;
	while ((de = readdir(d)) != NULL && r.entries < HF_RESOLVE_MAX_ENTRIES) {
		r.entries++;
		if (strcmp(de->d_name, mainrev) == 0)
			continue;
		if (try_revision(dirfd(d), de->d_name, loc, &r) == 0) {
			rc = 0;
			break;
		}
	}
out:
	if (d)
		closedir(d);
	if (snapfd >= 0)
		close(snapfd);
	if (repofd >= 0)
		close(repofd);
	return rc;
}

bool
hf_blob_is_final(const struct hf_location *loc)
{
	size_t i, n;

	if (!loc || !loc->is_blob)
		return false;
	n = strlen(loc->blob);
	if (n != 40 && n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((loc->blob[i] >= '0' && loc->blob[i] <= '9') ||
		      (loc->blob[i] >= 'a' && loc->blob[i] <= 'f')))
			return false;
	return true;
}

void
hf_describe(const struct hf_location *loc, char *buf, size_t cap)
{
	const char *file = loc->file[0] ? loc->file : loc->blob;

	if (loc->revision[0])
		snprintf(buf, cap, "%s from %s@%.7s", file, loc->repo_folder,
			 loc->revision);
	else
		snprintf(buf, cap, "%s from %s", file, loc->repo_folder);
}
