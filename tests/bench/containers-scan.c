/* SPDX-License-Identifier: Apache-2.0 */
/*
 * containers-scan.c - scans files with libpicklewarden and prints, per file,
 * the verdict, format, bytes read, wall time and (with -v) the findings.
 * Used by tests/bench/containers.sh and for debugging container fixtures;
 * not installed.  Strings from scanned files are printed escaped.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "picklewarden.h"

static void
put_escaped(const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

int
main(int argc, char **argv)
{
	struct pw_scanner *sc = NULL;
	struct pw_options *o = NULL;
	int i, verbose = 0, worst = 0;
	uint64_t prefix = 0;	/* -p N: pw_scan_fd_prefix of N bytes */

	/* As the agent does (agent/cli/main.c): libzip's mktime() per
	 * member would re-stat /etc/localtime each time. */
	(void)setenv("TZ", ":/etc/localtime", 0);
	if (pw_options_new(&o) != PW_OK)
		return 2;
	/* -v: findings; -r N: max_ratio; -d N: max_decompressed (bytes);
	 * -p N: scan only the first N bytes as a file still landing. */
	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "-v") == 0) {
			verbose = 1;
		} else if (argc > 2 && strcmp(argv[1], "-p") == 0) {
			prefix = strtoull(argv[2], NULL, 0);
			argv++;
			argc--;
		} else if (argc > 2 && (strcmp(argv[1], "-r") == 0 ||
					strcmp(argv[1], "-d") == 0)) {
			enum pw_limit l = argv[1][1] == 'r'
						  ? PW_LIMIT_MAX_RATIO
						  : PW_LIMIT_MAX_DECOMPRESSED;

			if (pw_options_set_limit(o, l, strtoull(argv[2], NULL,
								0)) != PW_OK)
				return 2;
			argv++;
			argc--;
		} else {
			break;
		}
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: containers-scan [-v] [-r RATIO] "
			"[-d BYTES] [-p BYTES] FILE...\n");
		return 2;
	}
	if (pw_scanner_new(o, &sc) != PW_OK)
		return 2;
	pw_options_free(o);
	for (i = 1; i < argc; i++) {
		struct pw_result *res = NULL;
		struct timespec t0, t1;
		struct rusage ru;
		size_t k;
		int fd, rc;

		fd = open(argv[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[i]);
			worst = 2;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = prefix ? pw_scan_fd_prefix(sc, fd, prefix, &res)
			    : pw_scan_fd(sc, fd, &res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		close(fd);
		if (rc != PW_OK) {
			fprintf(stderr, "%s: %s\n", argv[i], pw_strerror(rc));
			worst = 2;
			continue;
		}
		getrusage(RUSAGE_SELF, &ru);
		printf("{\"file\":\"");
		put_escaped(argv[i]);
		printf("\",\"verdict\":\"%s\",\"format\":\"%s\","
		       "\"bytes_read\":%llu,\"bytes_total\":%llu,"
		       "\"ms\":%.3f,\"maxrss_kb\":%ld,\"findings\":%zu%s}\n",
		       pw_verdict_name(pw_result_verdict(res)),
		       pw_result_format(res),
		       (unsigned long long)pw_result_bytes_read(res),
		       (unsigned long long)pw_result_bytes_total(res),
		       (t1.tv_sec - t0.tv_sec) * 1e3 +
			       (t1.tv_nsec - t0.tv_nsec) / 1e6,
		       ru.ru_maxrss, pw_result_finding_count(res),
		       prefix && pw_result_prefix_final(res)
			       ? ",\"final\":true" : "");
		for (k = 0; verbose && k < pw_result_finding_count(res); k++) {
			const struct pw_finding *f = pw_result_finding(res, k);

			printf("  %s %s @", pw_severity_name(f->severity),
			       pw_kind_name(f->kind));
			put_escaped(f->location);
			printf("@%llu ", (unsigned long long)f->offset);
			if (f->global) {
				put_escaped(f->global);
				putchar(' ');
			}
			put_escaped(f->reason);
			putchar('\n');
		}
		if ((int)pw_result_verdict(res) > worst)
			worst = (int)pw_result_verdict(res);
		pw_result_free(res);
	}
	pw_scanner_free(sc);
	return worst == PW_VERDICT_MALICIOUS ? 1 : 0;
}
