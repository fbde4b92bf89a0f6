/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hf.c - Hugging Face cache paths (hf.c) and tombstones
 * (tombstone.c): what a path means, which snapshot links stay in their
 * repository, which blob a snapshot names, and that a tombstone is
 * recognised only when it is ours.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/store/hf.h"
#include "agent/store/tombstone.h"

static void
test_parse(void **state)
{
	struct hf_location l;
	char buf[256];

	(void)state;
	assert_true(hf_parse_path("/h/.cache/huggingface/hub/models--org--"
				  "name/blobs/abc123", &l));
	assert_true(l.is_blob);
	assert_string_equal(l.kind, "models");
	assert_string_equal(l.repo, "org/name");
	assert_string_equal(l.blob, "abc123");
	assert_int_equal(l.repo_dir_len,
			 strlen("/h/.cache/huggingface/hub/models--org--name"));
	assert_true(hf_parse_path("hub/datasets--a--b-c/snapshots/r1/sub/f.bin",
				  &l));
	assert_false(l.is_blob);
	assert_string_equal(l.kind, "datasets");
	assert_string_equal(l.repo, "a/b-c");
	assert_string_equal(l.revision, "r1");
	assert_string_equal(l.file, "sub/f.bin");
	hf_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "sub/f.bin from datasets--a--b-c@r1");
	assert_true(hf_parse_path("/x/spaces--u--s/snapshots/0123456789/app.pkl",
				  &l));
	hf_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "app.pkl from spaces--u--s@0123456");
	/* Not HF: no repo folder, a folder without a file, a bad kind. */
	assert_false(hf_parse_path("/tmp/model.bin", &l));
	assert_false(hf_parse_path("/x/models--o--n/snapshots/rev", &l));
	assert_false(hf_parse_path("/x/widgets--o--n/blobs/abc", &l));
	assert_false(hf_parse_path("/x/models--/blobs/abc", &l));
	assert_false(hf_parse_path("/x/models--o--n/blobs/abc/extra", &l));
}

static void
test_links(void **state)
{
	const char *link = "/c/models--o--n/snapshots/rev/model.bin";
	const char *deep = "/c/models--o--n/snapshots/rev/a/b/model.bin";

	(void)state;
	assert_true(hf_link_stays_in_repo(link, "../../blobs/abc"));
	assert_true(hf_link_stays_in_repo(deep, "../../../../blobs/abc"));
	assert_true(hf_link_stays_in_repo(link, "/c/models--o--n/blobs/abc"));
	/* Too few or too many "..", elsewhere, tricks. */
	assert_false(hf_link_stays_in_repo(link, "../blobs/abc"));
	assert_false(hf_link_stays_in_repo(link, "../../../blobs/abc"));
	assert_false(hf_link_stays_in_repo(deep, "../../blobs/abc"));
	assert_false(hf_link_stays_in_repo(link, "/etc/passwd"));
	assert_false(hf_link_stays_in_repo(link, "../../blobs/../../x"));
	assert_false(hf_link_stays_in_repo(link, "../../blobs/.."));
	assert_false(hf_link_stays_in_repo(link, "../../blobs/a/b"));
	assert_false(hf_link_stays_in_repo(link, "../../blobs//abc"));
	assert_false(hf_link_stays_in_repo(link, "/c/models--o--m/blobs/abc"));
	assert_false(hf_link_stays_in_repo("/c/x/model.bin", "../../blobs/a"));
	assert_false(hf_link_stays_in_repo(link, ""));
}

static void
test_resolve_and_tombstone(void **state)
{
	char dir[] = "/tmp/pw-hf-XXXXXX", p[512], q[512], buf[TOMBSTONE_MAX];
	struct hf_location l;
	struct tombstone_info t = {
		.id = "20261203T000000Z-0123456789ab-00000000",
		.what = "model.bin\n# id: forged", .verdict = "malicious",
		.why = "os.system via GLOBAL",
	};
	int dfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/models--o--n", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/models--o--n/blobs", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/models--o--n/snapshots", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/models--o--n/snapshots/rev1", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/models--o--n/snapshots/rev1/w.bin", dir);
	assert_int_equal(symlink("../../blobs/beef", p), 0);
	snprintf(p, sizeof(p), "%s/models--o--n/blobs/beef", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_true(hf_parse_path(p, &l));
	assert_int_equal(hf_resolve_blob(p, &l), 0);
	assert_string_equal(l.revision, "rev1");
	assert_string_equal(l.file, "w.bin");

	/* A tombstone: text, escaped, recognised only for its own ID. */
	assert_true(tombstone_format(&t, buf, sizeof(buf)) > 0);
	assert_int_equal(strncmp(buf, TOMBSTONE_MAGIC, strlen(TOMBSTONE_MAGIC)),
			 0);
	assert_null(strstr(buf, "\n# id: forged"));
	assert_int_equal(unlink(p), 0);
	snprintf(q, sizeof(q), "%s/models--o--n/blobs", dir);
	dfd = open(q, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(tombstone_write(dfd, "beef", &t), 0);
	assert_int_equal(tombstone_write(dfd, "beef", &t), -1); /* O_EXCL */
	assert_true(tombstone_is_ours(p, t.id));
	assert_false(tombstone_is_ours(p, "20261203T000000Z-0123456789ab-1"));
	assert_false(tombstone_is_ours(p, "forged"));
	assert_int_equal(tombstone_remove(p, "other"), 0);
	assert_int_equal(tombstone_remove(p, t.id), 1);
	assert_int_equal(access(p, F_OK), -1);
	/* A file that only starts like one is not ours without the ID. */
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, TOMBSTONE_MAGIC, strlen(TOMBSTONE_MAGIC)),
			 (ssize_t)strlen(TOMBSTONE_MAGIC));
	close(fd);
	assert_false(tombstone_is_ours(p, t.id));
	unlink(p);
	close(dfd);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_resolve_and_tombstone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
