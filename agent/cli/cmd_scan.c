/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_scan.c - `picklewarden scan`: the one-shot scanner for CI pipelines
 * and for checking a download by hand.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/cli/decide.h"
#include "agent/store/escape.h"
#include "agent/store/hf.h"
#include "agent/store/log.h"
#include "agent/cli/policy_bridge.h"
#include "agent/store/quarantine.h"
#include "agent/cli/report.h"
#include "agent/cli/sarif.h"
#include "agent/sandbox/client.h"
#include "agent/cli/scanfile.h"
#include "picklewarden.h"
#include "policy/policy.h"

/* Directory trees deeper than this are not walked (and say so). */
#define SCAN_MAX_DEPTH 64
/* `scan -`: standard input is copied into memory (a memfd) up to this
 * many bytes; a larger stream is an error, never a partial verdict. */
#define SCAN_STDIN_MAX ((uint64_t)1 << 30)

/* Files already scanned in this run, by device and inode, so a snapshot
 * symlink and the blob it names are judged once (open addressing). */
struct seen_set {
	uint64_t (*slot)[2];
	size_t cap, n;
};

struct scan_run {
	struct scan_client *client;	/* sandboxed unless --no-sandbox */
	const struct policy *policy;
	struct quarantine_store *store;	/* with --quarantine */
	struct sarif_writer *sarif;	/* with --sarif */
	bool json, all, strict;
	struct report_totals totals;
	bool any_io_error;
	FILE *out;			/* stdout, or -o FILE */
	struct seen_set seen;
	unsigned long quarantine_failed;
};

static uint64_t
seen_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ULL) ^ ino;

	h ^= h >> 29;
	return h * 0xbf58476d1ce4e5b9ULL;
}

/* Adds (dev, ino); true when it was already there.  Out of memory: false
 * (the file is scanned again: slower, never wrong). */
static bool
seen_check_add(struct seen_set *s, const struct stat *st)
{
	uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino + 1;
	size_t i;

	if (s->n * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024, j;
		uint64_t (*ns)[2] = calloc(ncap, sizeof(*ns));

		if (!ns)
			return false;
		for (j = 0; j < s->cap; j++) {
			if (!s->slot[j][1])
				continue;
			i = seen_hash(s->slot[j][0], s->slot[j][1]) & (ncap - 1);
			while (ns[i][1])
				i = (i + 1) & (ncap - 1);
			ns[i][0] = s->slot[j][0];
			ns[i][1] = s->slot[j][1];
		}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	for (i = seen_hash(dev, ino) & (s->cap - 1); s->slot[i][1];
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i][0] == dev && s->slot[i][1] == ino)
			return true;
	s->slot[i][0] = dev;
	s->slot[i][1] = ino;
	s->n++;
	return false;
}

static void
usage(FILE *out)
{
	fputs("Usage: picklewarden scan [OPTIONS] PATH...|-\n"
	      "Statically analyses files (recursing into directories) and\n"
	      "prints one line per file, then a summary line.  Symlinks named\n"
	      "on the command line are followed; inside directories only\n"
	      "Hugging Face snapshot links into their own cache are.  '-'\n"
	      "reads standard input (up to 1 GiB).\n\n"
	      "  --json            print a JSON report instead\n"
	      "  --sarif           print a SARIF 2.1.0 log instead (also\n"
	      "                    --format sarif; --format text|json too)\n"
	      "  -o, --output FILE write the report to FILE instead of stdout\n"
	      "  --all             include informational findings (every import)\n"
	      "  --strict          exit 1 on suspicious files too\n"
	      "  --quarantine      apply the policy's actions (move malicious files\n"
	      "                    to the quarantine store, log decisions)\n"
	      "  --config FILE     use this configuration file\n"
	      "  --no-config       use the built-in defaults, ignore config files\n"
	      "  --no-sandbox      scan in this process, not in locked-down\n"
	      "                    worker processes (for debugging)\n"
	      "  -h, --help        show this help\n\n"
	      "Exit status: 0 nothing malicious, 1 something malicious (with\n"
	      "--strict: or suspicious), 2 an error prevented a verdict, or\n"
	      "every path was skipped (nothing was scanned).\n",
	      out);
}

static void
count_verdict(struct scan_run *r, enum pw_verdict v)
{
	r->totals.files++;
	switch (v) {
	case PW_VERDICT_CLEAN:
		r->totals.clean++;
		break;
	case PW_VERDICT_SUSPICIOUS:
		r->totals.suspicious++;
		break;
	case PW_VERDICT_ERROR:
		r->totals.error++;
		break;
	case PW_VERDICT_MALICIOUS:
		r->totals.malicious++;
		break;
	}
}

/* A file that got no verdict, reported at once (from a scan's answer,
 * which arrives in order). */
static void
report_failure_now(struct scan_run *r, const char *path, const char *why)
{
	r->totals.files++;
	r->totals.error++;
	if (r->sarif)
		sarif_failure(r->sarif, path, why);
	else if (r->json)
		report_json_failure(r->out, path, why);
	else
		report_text_failure(r->out, path, why);
}

/* The same for a file that never reached a worker: the files submitted
 * before it are reported first. */
static void
report_failure(struct scan_run *r, const char *path, const char *why)
{
	scan_client_drain(r->client);
	report_failure_now(r, path, why);
}

static void
report_skip(struct scan_run *r, const char *path, const char *why)
{
	scan_client_drain(r->client);
	r->totals.skipped++;
	if (r->sarif)
		sarif_skipped(r->sarif, path, why);
	else if (r->json)
		report_json_skipped(r->out, path, why);
	else
		report_text_skipped(r->out, path, why);
}

/* Prints why scan --quarantine could not act, with the real cause. */
static void
report_decision_failure(struct scan_run *r, const char *path,
			const struct decision *d, int rc, int err)
{
	char epath[4096];

	escape_text_buf(path, epath, sizeof(epath));
	r->quarantine_failed++;
	if (rc != 0)
		fprintf(stderr, "picklewarden: %s: no decision: %s\n", epath,
			strerror(err));
	else if (d->quarantine_status == QUARANTINE_ERR_IO)
		fprintf(stderr, "picklewarden: %s: not quarantined: %s: %s\n",
			epath, quarantine_strerror(d->quarantine_status),
			strerror(d->saved_errno));
	else
		fprintf(stderr, "picklewarden: %s: not quarantined: %s\n",
			epath, quarantine_strerror(d->quarantine_status));
}

/* One file whose scan is in flight: what its report and decision need
 * once the answer arrives (scan_client_submit calls finish_regular). */
struct scan_pending {
	struct scan_run *r;
	char *path, *name;	/* name NULL: standard input, no decision */
	char *decide_path;	/* the real path when reached through a
				 * symlink, or NULL for path */
	int dirfd, fd;		/* our own copies, closed in finish */
	struct stat st;
};

static void
finish_regular(void *ctx, int rc, struct scan_result *res)
{
	struct scan_pending *p = ctx;
	struct scan_run *r = p->r;
	char why[256];

	if (rc != PW_OK) {
		snprintf(why, sizeof(why), "cannot scan: %s", pw_strerror(rc));
		report_failure_now(r, p->path, why);
		goto out;
	}
	count_verdict(r, scan_result_verdict(res));
	if (r->sarif)
		sarif_file(r->sarif, p->path, res, r->all);
	else if (r->json)
		report_json_file(r->out, p->path, res, r->all);
	else
		report_text_file(r->out, p->path, res, r->all);
	if (r->store != NULL && p->name != NULL) {
		struct decide_subject subj = {
			.path = p->decide_path ? p->decide_path : p->path,
			.dirfd = p->dirfd, .name = p->name,
			.fd = p->fd, .st = &p->st,
		};
		struct decision d;
		int drc = decide_apply(r->policy, r->store, &subj, res, &d);
		int derr = errno;

		if (drc == 0 && d.outcome == DECIDE_QUARANTINED && !r->json) {
			char epath[4096];

			escape_text_buf(p->path, epath, sizeof(epath));
			fprintf(r->out, "%s: quarantined as %s\n", epath,
				d.quarantine_id);
		} else if (drc != 0 ||
			   d.outcome == DECIDE_QUARANTINE_FAILED) {
			report_decision_failure(r, p->path, &d, drc, derr);
		}
	}
out:
	scan_result_free(res);
	close(p->fd);
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->path);
	free(p->name);
	free(p->decide_path);
	free(p);
}

/* decide_path: the path decisions and the store record (the file's real
 * path when it was reached through a symlink), or NULL for path.
 * dedupe: a file reached through a snapshot link during a walk, skipped
 * when the walk already scanned it (what the user named is always
 * scanned). */
static void
scan_regular(struct scan_run *r, int dirfd, const char *name,
	     const char *path, const char *decide_path, bool dedupe)
{
	struct scan_pending *p = calloc(1, sizeof(*p));
	char why[256];

	if (p == NULL) {
		report_failure(r, path, "out of memory");
		return;
	}
	if (scanfile_open(dirfd, name, &p->fd, &p->st) != 0) {
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		free(p);
		report_failure(r, path, why);
		return;
	}
	if (seen_check_add(&r->seen, &p->st) && dedupe) {
		close(p->fd);
		free(p);
		report_skip(r, path, "same file as one scanned above");
		return;
	}
	p->r = r;
	p->path = strdup(path);
	p->name = strdup(name);
	p->decide_path = decide_path ? strdup(decide_path) : NULL;
	/* The directory may be closed before the answer arrives; only a
	 * decision (--quarantine) needs it. */
	p->dirfd = r->store ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (p->path == NULL || p->name == NULL ||
	    (decide_path && p->decide_path == NULL) ||
	    (r->store && p->dirfd < 0)) {
		close(p->fd);
		if (p->dirfd >= 0)
			close(p->dirfd);
		free(p->path);
		free(p->name);
		free(p->decide_path);
		free(p);
		report_failure(r, path, "out of memory");
		return;
	}
	/* The workers scan while this walks on; reports stay in order. */
	scan_client_submit(r->client, p->fd, &p->st, finish_regular, p);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_at(struct scan_run *r, int dirfd, const char *name,
		    const char *path, unsigned depth);
static void scan_directory(struct scan_run *r, int parent, const char *name,
			   const char *path, unsigned depth);

/* Scans what the symlink at path resolves to (realpath: a loop is ELOOP,
 * reported), shown under path.  A directory is only followed when
 * allow_dir (a link named on the command line). */
static void
scan_resolved(struct scan_run *r, const char *path, const char *real,
	      bool allow_dir, unsigned depth)
{
	char *copy = strdup(real), *slash;
	struct stat st;
	int dfd;

	if (!copy) {
		report_failure(r, path, "out of memory");
		return;
	}
	slash = strrchr(copy, '/');
	if (!slash || slash[1] == '\0') {
		/* "/" itself */
		free(copy);
		if (allow_dir)
			scan_directory(r, AT_FDCWD, "/", path, depth);
		else
			report_skip(r, path, "symlink to a directory");
		return;
	}
	*slash = '\0';
	dfd = open(copy[0] ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		report_failure(r, path, strerror(errno));
	} else if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		report_failure(r, path, strerror(errno));
	} else if (S_ISDIR(st.st_mode) && allow_dir) {
		scan_directory(r, dfd, slash + 1, path, depth);
	} else if (S_ISREG(st.st_mode)) {
		scan_regular(r, dfd, slash + 1, path, real, !allow_dir);
	} else {
		report_skip(r, path, "symlink to something that is not a "
			    "regular file");
	}
	if (dfd >= 0)
		close(dfd);
	free(copy);
}

/*
 * A symlink met inside a directory: followed only when it is a Hugging
 * Face snapshot entry whose target text is "../../blobs/<sha>" of its own
 * repository folder, and the resolved file really is in that folder's
 * blobs/ (so a cache whose blobs/ is itself a link elsewhere is not
 * followed either).  Such targets are regular files: no loops.
 */
static void
scan_link_in_dir(struct scan_run *r, int dirfd, const char *name,
		 const char *path, unsigned depth)
{
	char target[4096], *real = NULL, *blobs = NULL, *repo = NULL;
	struct hf_location loc;
	ssize_t n;

	n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	if (n <= 0) {
		report_skip(r, path, "symlink (unreadable)");
		return;
	}
	target[n] = '\0';
	if (!hf_link_stays_in_repo(path, target) ||
	    !hf_parse_path(path, &loc)) {
		report_skip(r, path, "symlink (not followed: scan its target)");
		return;
	}
	repo = strndup(path, loc.repo_dir_len);
	real = realpath(path, NULL);
	blobs = repo ? realpath(repo, NULL) : NULL;
	if (!real || !blobs) {
		report_failure(r, path, real ? "cannot resolve the repository "
			       "folder" : "dangling snapshot link (blob gone)");
	} else {
		size_t bl = strlen(blobs);

		if (strncmp(real, blobs, bl) == 0 &&
		    strncmp(real + bl, "/blobs/", 7) == 0 &&
		    strchr(real + bl + 7, '/') == NULL)
			scan_resolved(r, path, real, false, depth);
		else
			report_skip(r, path, "symlink leaves its repository "
				    "(not followed)");
	}
	free(repo);
	free(real);
	free(blobs);
}

static void
scan_directory(struct scan_run *r, int parent, const char *name,
	       const char *path, unsigned depth)
{
	int fd;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (depth >= SCAN_MAX_DEPTH) {
		report_failure(r, path, "directory tree too deep; not walked");
		return;
	}
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		char why[256];

		snprintf(why, sizeof(why), "cannot open directory: %s",
			 strerror(errno));
		report_failure(r, path, why);
		return;
	}
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		report_failure(r, path, "cannot read directory");
		return;
	}
	/* Sorted, so reports are stable from run to run. */
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = reallocarray(names, ncap, sizeof(*nn));

			if (nn == NULL)
				break;
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			break;
		n++;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(names[i]) + 2;
		char *child = malloc(len);

		if (child != NULL) {
			snprintf(child, len, "%s%s%s", path,
				 path[strlen(path) - 1] == '/' ? "" : "/",
				 names[i]);
			scan_at(r, dirfd(dir), names[i], child, depth + 1);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	closedir(dir);
}

static void
scan_at(struct scan_run *r, int dirfd, const char *name, const char *path,
	unsigned depth)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", strerror(errno));
		report_failure(r, path, why);
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		if (depth == 0) {
			/* Named by the user: follow it (hf_hub_download returns
			 * such a link), whatever it points at. */
			char *real = realpath(path, NULL);

			if (!real) {
				char why[256];

				snprintf(why, sizeof(why), "symlink: %s",
					 strerror(errno));
				report_failure(r, path, why);
				return;
			}
			scan_resolved(r, path, real, true, depth);
			free(real);
			return;
		}
		scan_link_in_dir(r, dirfd, name, path, depth);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		scan_directory(r, dirfd, name, path, depth);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		report_skip(r, path, "not a regular file");
		return;
	}
	scan_regular(r, dirfd, name, path, NULL, false);
}

/* `scan -`: standard input, copied into a memfd (bounded, then sealed)
 * and submitted to the workers like any file: nothing from the stream is
 * parsed in this process, and there is nothing to quarantine. */
static void
scan_stdin(struct scan_run *r)
{
	struct scan_pending *p;
	char buf[65536], why[256];
	uint64_t total = 0;
	ssize_t n;
	int fd;

	fd = memfd_create("picklewarden-stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		snprintf(why, sizeof(why), "memfd: %s", strerror(errno));
		report_failure(r, "-", why);
		return;
	}
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, sizeof(why), "reading standard input: %s",
				 strerror(errno));
			report_failure(r, "-", why);
			goto fail;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > SCAN_STDIN_MAX) {
			report_failure(r, "-", "standard input larger than "
				       "1 GiB: not scanned");
			goto fail;
		}
		if (write(fd, buf, (size_t)n) != n) {
			snprintf(why, sizeof(why), "memfd: %s", strerror(errno));
			report_failure(r, "-", why);
			goto fail;
		}
	}
	/* The copy is final: the worker reads what was checked here. */
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		    F_SEAL_WRITE | F_SEAL_SEAL);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(why, sizeof(why), "memfd: %s", strerror(errno));
		report_failure(r, "-", why);
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->path = strdup("-")) == NULL) {
		free(p);
		report_failure(r, "-", "out of memory");
		goto fail;
	}
	p->r = r;
	p->fd = fd;
	p->dirfd = -1;
	if (fstat(fd, &p->st) != 0)
		memset(&p->st, 0, sizeof(p->st));
	scan_client_submit(r->client, fd, &p->st, finish_regular, p);
	return;
fail:
	close(fd);
}

/* Splits a command-line path into its directory (opened without following
 * a final symlink) and last component, so every file is handled through a
 * directory descriptor, as quarantine needs. */
static void
scan_argument(struct scan_run *r, const char *arg)
{
	char *copy = strdup(arg), *slash, *dirpart, *base;
	int dirfd;
	size_t len;

	if (copy == NULL) {
		report_failure(r, arg, "out of memory");
		return;
	}
	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		dirpart = ".";
		base = copy;
	} else if (slash == copy) {
		dirpart = "/";
		base = slash + 1;
	} else {
		*slash = '\0';
		dirpart = copy;
		base = slash + 1;
	}
	if (*base == '\0') {	/* "/" itself */
		base = ".";
		dirpart = "/";
	}
	dirfd = open(dirpart, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", strerror(errno));
		report_failure(r, arg, why);
	} else {
		scan_at(r, dirfd, base, arg, 0);
		close(dirfd);
	}
	free(copy);
}

int
cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"sarif", no_argument, NULL, 'R'},
		{"format", required_argument, NULL, 'F'},
		{"all", no_argument, NULL, 'a'},
		{"strict", no_argument, NULL, 's'},
		{"quarantine", no_argument, NULL, 'q'},
		{"config", required_argument, NULL, 'c'},
		{"no-config", no_argument, NULL, 'n'},
		{"no-sandbox", no_argument, NULL, 'S'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct scan_run r;
	const char *output = NULL;
	struct policy *policy = NULL;
	struct policy_error perr;
	struct pw_scanner *scanner = NULL;
	const char *config = NULL;
	bool no_config = false, quarantine = false, no_sandbox = false;
	bool sarif = false;
	unsigned nworkers;
	long cpus;
	int c, i, rc, status = EXIT_TROUBLE;
	char buf[1024];

	memset(&r, 0, sizeof(r));
	optind = 1;
	r.out = stdout;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': r.json = true; break;
		case 'R': sarif = true; break;
		case 'F':
			r.json = strcmp(optarg, "json") == 0;
			sarif = strcmp(optarg, "sarif") == 0;
			if (r.json || sarif || strcmp(optarg, "text") == 0)
				break;
			fprintf(stderr, "picklewarden scan: --format: "
				"text, json or sarif\n");
			return EXIT_TROUBLE;
		case 'a': r.all = true; break;
		case 's': r.strict = true; break;
		case 'q': quarantine = true; break;
		case 'c': config = optarg; break;
		case 'n': no_config = true; break;
		case 'S': no_sandbox = true; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_TROUBLE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "picklewarden scan: no PATH given\n");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	memset(&perr, 0, sizeof(perr));
	rc = no_config ? policy_defaults(&policy, &perr)
		       : policy_find_and_load(config, &policy, &perr);
	if (rc != 0) {
		fprintf(stderr, "picklewarden: configuration file %s\n",
			policy_error_format(&perr, buf, sizeof(buf)));
		return EXIT_TROUBLE;
	}
	if (policy->search_warning)
		fprintf(stderr, "picklewarden: warning: %s\n",
			policy->search_warning);
	rc = policy_bridge_scanner(policy, &scanner);
	if (rc != PW_OK) {
		fprintf(stderr, "picklewarden: configuration: %s\n",
			pw_strerror(rc));
		goto out;
	}
	/* Workers start now, before any file is read.  They scan while
	 * this process walks and prints, so one core is left for it: on two
	 * cores one worker is faster than two (tests/bench/
	 * sandbox-overhead.sh). */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nworkers = policy->workers;
	if (cpus > 1 && (long)nworkers > cpus - 1)
		nworkers = (unsigned)(cpus - 1);
	if (scan_client_new(policy, scanner, nworkers, no_sandbox, &r.client,
			    buf, sizeof(buf)) != 0) {
		fprintf(stderr, "picklewarden: sandbox: %s\n", buf);
		goto out;
	}
	r.policy = policy;
	if (quarantine) {
		log_open("picklewarden", policy->syslog_facility, false);
		rc = quarantine_open(policy->quarantine_dir, &r.store);
		if (rc != 0) {
			fprintf(stderr,
				"picklewarden: cannot open the quarantine "
				"store: %s\n", quarantine_strerror(rc));
			goto out;
		}
	}
	if (output && !(r.out = fopen(output, "w"))) {
		char e[1024];

		escape_text_buf(output, e, sizeof(e));
		fprintf(stderr, "picklewarden: cannot write the report to %s: "
			"%s\n", e, strerror(errno));
		r.out = stdout;
		goto out;
	}
	/* SARIF is machine output too: no text lines in between. */
	r.json = r.json || sarif;
	if (sarif && sarif_begin(r.out, &r.sarif) != 0) {
		perror("picklewarden: sarif");
		goto out;
	}
	if (!sarif && r.json)
		report_json_begin(r.out);
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			scan_stdin(&r);
		else
			scan_argument(&r, argv[i]);
	}
	scan_client_drain(r.client);
	if (sarif)
		sarif_end(r.sarif);
	else if (r.json)
		report_json_end(r.out, &r.totals);
	else
		fprintf(r.out, "%lu file%s scanned: %lu clean, %lu suspicious, "
			"%lu malicious, %lu error%s; %lu skipped\n",
			r.totals.files, r.totals.files == 1 ? "" : "s",
			r.totals.clean, r.totals.suspicious,
			r.totals.malicious, r.totals.error,
			r.totals.error == 1 ? "" : "s", r.totals.skipped);
	if (fflush(r.out) != 0 || ferror(r.out)) {
		fprintf(stderr, "picklewarden: writing the report: %s\n",
			strerror(errno));
		goto out;
	}
	if (r.totals.malicious > 0 || (r.strict && r.totals.suspicious > 0))
		status = EXIT_MALICIOUS;
	else if (r.totals.error > 0 || r.quarantine_failed > 0 ||
		 (r.totals.files == 0 && r.totals.skipped > 0))
		/* Nothing scanned at all is no "nothing malicious". */
		status = EXIT_TROUBLE;
	else
		status = EXIT_NOTHING_MALICIOUS;
out:
	/* Workers first: a pending answer still writes to r.out and may
	 * still decide into the store. */
	scan_client_free(r.client);
	r.client = NULL;
	if (r.out && r.out != stdout)
		fclose(r.out);
	free(r.seen.slot);
	quarantine_close(r.store);
	if (quarantine)
		log_close();
	pw_scanner_free(scanner);
	policy_free(policy);
	return status;
}
