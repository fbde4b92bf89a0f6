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
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/cli/decide.h"
#include "agent/store/escape.h"
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

struct scan_run {
	struct scan_client *client;	/* sandboxed unless --no-sandbox */
	const struct policy *policy;
	struct quarantine_store *store;	/* with --quarantine */
	struct sarif_writer *sarif;	/* with --sarif */
	bool json, all, strict;
	struct report_totals totals;
	bool any_io_error;
};

static void
usage(FILE *out)
{
	fputs("Usage: picklewarden scan [OPTIONS] PATH...\n"
	      "Statically analyses files (recursing into directories, never\n"
	      "following symlinks) and prints one line per file.\n\n"
	      "  --json            print a JSON report instead\n"
	      "  --sarif           print a SARIF 2.1.0 log instead (also\n"
	      "                    --format sarif; --format text|json too)\n"
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
	      "--strict: or suspicious), 2 an error prevented a verdict.\n",
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
		report_json_failure(stdout, path, why);
	else
		report_text_failure(stdout, path, why);
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
		report_json_skipped(stdout, path, why);
	else
		report_text_skipped(stdout, path, why);
}

/* One file whose scan is in flight: what its report and decision need
 * once the answer arrives (scan_client_submit calls finish_regular). */
struct scan_pending {
	struct scan_run *r;
	char *path, *name;
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
		report_json_file(stdout, p->path, res, r->all);
	else
		report_text_file(stdout, p->path, res, r->all);
	if (r->store != NULL) {
		struct decide_subject subj = {
			.path = p->path, .dirfd = p->dirfd, .name = p->name,
			.fd = p->fd, .st = &p->st,
		};
		struct decision d;

		if (decide_apply(r->policy, r->store, &subj, res, &d) == 0 &&
		    d.outcome == DECIDE_QUARANTINED && !r->json) {
			char epath[4096];

			escape_text_buf(p->path, epath, sizeof(epath));
			printf("%s: quarantined as %s\n", epath,
			       d.quarantine_id);
		}
	}
out:
	scan_result_free(res);
	close(p->fd);
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->path);
	free(p->name);
	free(p);
}

static void
scan_regular(struct scan_run *r, int dirfd, const char *name,
	     const char *path)
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
	p->r = r;
	p->path = strdup(path);
	p->name = strdup(name);
	/* The directory may be closed before the answer arrives; only a
	 * decision (--quarantine) needs it. */
	p->dirfd = r->store ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (p->path == NULL || p->name == NULL ||
	    (r->store && p->dirfd < 0)) {
		close(p->fd);
		if (p->dirfd >= 0)
			close(p->dirfd);
		free(p->path);
		free(p->name);
		free(p);
		report_failure(r, path, "out of memory");
		return;
	}
	/* The workers scan while this walks on; reports stay in order. */
	scan_client_submit(r->client, p->fd, finish_regular, p);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_at(struct scan_run *r, int dirfd, const char *name,
		    const char *path, unsigned depth);

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
		report_skip(r, path, "symlink (not followed: scan its target)");
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
	scan_regular(r, dirfd, name, path);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct scan_run r;
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
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
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
		fprintf(stderr, "picklewarden: %s\n",
			policy_error_format(&perr, buf, sizeof(buf)));
		return EXIT_TROUBLE;
	}
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
	/* SARIF is machine output too: no text lines in between. */
	r.json = r.json || sarif;
	if (sarif && sarif_begin(stdout, &r.sarif) != 0) {
		perror("picklewarden: sarif");
		goto out;
	}
	if (!sarif && r.json)
		report_json_begin(stdout);
	for (i = optind; i < argc; i++)
		scan_argument(&r, argv[i]);
	scan_client_drain(r.client);
	if (sarif)
		sarif_end(r.sarif);
	else if (r.json)
		report_json_end(stdout, &r.totals);
	fflush(stdout);
	if (r.totals.malicious > 0 || (r.strict && r.totals.suspicious > 0))
		status = EXIT_MALICIOUS;
	else if (r.totals.error > 0)
		status = EXIT_TROUBLE;
	else
		status = EXIT_NOTHING_MALICIOUS;
out:
	quarantine_close(r.store);
	scan_client_free(r.client);
	if (quarantine)
		log_close();
	pw_scanner_free(scanner);
	policy_free(policy);
	return status;
}
