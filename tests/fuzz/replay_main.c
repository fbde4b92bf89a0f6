/*
 * replay_main - a main() for the libFuzzer harnesses in ordinary builds
 * (gcc, no libFuzzer): runs LLVMFuzzerTestOneInput once on each file
 * named on the command line, and on every file of each directory named.
 * make check runs every harness this way over its seed corpus and its
 * kept crashes (tests/fuzz/replay-all.sh), so a crash found once fails
 * every later build, ASan or not.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not fuzz inputs (libFuzzer's -max_len in
 * campaign.sh is 64 KiB; seeds are small real files). */
#define REPLAY_MAX_INPUT (16u * 1024 * 1024)

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	struct stat st;

	if (f == NULL || fstat(fileno(f), &st) != 0 ||
	    (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f)
			fclose(f);
		return 1;
	}
	/* Exactly the file's size, so a read past the end is caught. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf == NULL) {
		fclose(f);
		return 1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
run_path(const char *path, unsigned long *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int bad = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL) {
		char child[4096];

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		bad |= run_path(child, count);
	}
	closedir(d);
	return bad;
}

int
main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		bad |= run_path(argv[i], &count);
	printf("%s: %lu inputs replayed\n", argv[0], count);
	return bad;
}
