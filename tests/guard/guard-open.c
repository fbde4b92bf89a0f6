/*
 * guard-open.c - the separate "loader" and "writer" processes of the guard
 * tests and benchmark.  Plain open(2) calls, timed where asked.
 *
 *   guard-open open PATH [N]      open+close N times; prints
 *                                 "ok=A eperm=B other=C"; exit 0 when all
 *                                 opened, 1 when all were EPERM, 2 else
 *   guard-open race DIR N         for i < N: spins on open(DIR/model-i.bin)
 *                                 until it stops failing with ENOENT (at
 *                                 most 20 s each); prints the tally
 *   guard-open write DIR N SRC    for i < N: writes SRC's bytes to
 *                                 DIR/.tmp-i, renames it to DIR/model-i.bin
 *   guard-open lat PATH N         open+close N times; prints p50/p99/max
 *                                 of each open in microseconds
 *   guard-open respond DIR        the floor of the benchmark: a trivial
 *                                 fanotify responder that allows every
 *                                 FAN_OPEN_PERM on DIR's filesystem at
 *                                 once (no fstat, no path); prints
 *                                 "ready", runs until SIGTERM
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <time.h>
#include <unistd.h>

static unsigned ok, eperm, other;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
tally(int fd, int err)
{
	if (fd >= 0) {
		ok++;
		close(fd);
	} else if (err == EPERM) {
		eperm++;
	} else {
		other++;
		fprintf(stderr, "guard-open: %s\n", strerror(err));
	}
}

static int
report(void)
{
	printf("ok=%u eperm=%u other=%u\n", ok, eperm, other);
	if (other == 0 && eperm == 0)
		return 0;
	if (other == 0 && ok == 0)
		return 1;
	return 2;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
do_write(const char *dir, long n, const char *src)
{
	char buf[1 << 16], tmp[4096], dst[4096];
	ssize_t len;
	long i;
	int fd;

	fd = open(src, O_RDONLY);
	if (fd < 0)
		return 3;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len <= 0)
		return 3;
	for (i = 0; i < n; i++) {
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld", dir, i);
		snprintf(dst, sizeof(dst), "%s/model-%ld.bin", dir, i);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write(fd, buf, (size_t)len) != len) {
			perror(tmp);
			return 3;
		}
		close(fd);
		if (rename(tmp, dst) != 0) {
			perror(dst);
			return 3;
		}
	}
	return 0;
}

/* What a permission round trip costs at all: read the event, answer
 * allow, close its descriptor.  Whatever the guard adds is above this. */
static int
do_respond(const char *dir)
{
	static char buf[65536]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC |
				FAN_UNLIMITED_QUEUE, O_RDONLY | O_LARGEFILE);

	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
				     FAN_OPEN_PERM, AT_FDCWD, dir) != 0) {
		perror("fanotify");
		return 3;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		const struct fanotify_event_metadata *md;
		ssize_t n = read(fan, buf, sizeof(buf));

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return 3;
		}
		for (md = (const void *)buf; FAN_EVENT_OK(md, n);
		     md = FAN_EVENT_NEXT(md, n)) {
			struct fanotify_response r = {
				.fd = md->fd, .response = FAN_ALLOW,
			};

			if (md->fd < 0)
				continue;
			if (write(fan, &r, sizeof(r)) != sizeof(r))
				return 3;
			close(md->fd);
		}
	}
}

int
main(int argc, char **argv)
{
	long n, i;

	if (argc < 3)
		return 3;
	n = argc > 3 ? atol(argv[3]) : 1;
	if (strcmp(argv[1], "open") == 0) {
		for (i = 0; i < n; i++) {
			int fd = open(argv[2], O_RDONLY);

			tally(fd, errno);
		}
		return report();
	}
	if (strcmp(argv[1], "race") == 0) {
		char path[4096];
		unsigned missing = 0;

		for (i = 0; i < n; i++) {
			double until = now_us() + 20e6;
			int fd;

			snprintf(path, sizeof(path), "%s/model-%ld.bin",
				 argv[2], i);
			/* 0 ms delay: the open follows the rename as closely
			 * as a spinning loader can. */
			while ((fd = open(path, O_RDONLY)) < 0 &&
			       errno == ENOENT && now_us() < until)
				;
			if (fd < 0 && errno == ENOENT)
				missing++;
			else
				tally(fd, errno);
		}
		printf("missing=%u ", missing);
		return report() == 1 && missing == 0 ? 1 : 2;
	}
	if (strcmp(argv[1], "respond") == 0)
		return do_respond(argv[2]);
	if (strcmp(argv[1], "write") == 0 && argc > 4)
		return do_write(argv[2], n, argv[4]);
	if (strcmp(argv[1], "lat") == 0) {
		double *t = calloc((size_t)n, sizeof(*t));

		if (!t || n < 1)
			return 3;
		for (i = 0; i < n; i++) {
			double t0 = now_us();
			int fd = open(argv[2], O_RDONLY);

			t[i] = now_us() - t0;
			tally(fd, errno);
		}
		qsort(t, (size_t)n, sizeof(*t), cmp_double);
		printf("n=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f ", n,
		       t[n / 2], t[(n * 99) / 100], t[n - 1]);
		free(t);
		return report();
	}
	return 3;
}
