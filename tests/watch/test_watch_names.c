/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_watch_names.c - temporary download names and skipped directories.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "agent/watch/watch_names.h"

static void
test_temporary(void **state)
{
	(void)state;
	/* Hugging Face, current and older: only in blobs/. */
	assert_true(watch_name_is_temporary(
	    "8a7ef2b6c1d9e0f3a5b4c6d7e8f9a0b1c2d3e4f5.3f9a1c2b.incomplete",
	    "blobs", "models--a--b"));
	assert_true(watch_name_is_temporary("8a7ef2b6c1d9.incomplete", "blobs",
					    NULL));
	/* Anywhere else the name is what a loader opens. */
	assert_false(watch_name_is_temporary("8a7ef2b6c1d9.incomplete",
					     "snapshots", NULL));
	assert_false(watch_name_is_temporary("model.incomplete", "checkpoints",
					     "hub"));
	/* The final blob has no extension at all: scanned. */
	assert_false(watch_name_is_temporary(
	    "8a7ef2b6c1d9e0f3a5b4c6d7e8f9a0b1c2d3e4f5", "blobs", NULL));
	/* torch.hub 2.x and 1.x: only in checkpoints/. */
	assert_true(watch_name_is_temporary(
	    "resnet18-f37072fd.pth.0123456789abcdef0123456789abcdef.partial",
	    "checkpoints", "hub"));
	assert_false(watch_name_is_temporary("w.partial", "models", NULL));
	assert_true(watch_name_is_temporary("tmpab_cd123", "checkpoints", ""));
	assert_false(watch_name_is_temporary("tmpab_cd123", "models", ""));
	assert_false(watch_name_is_temporary("tmpab_cd12", "checkpoints", ""));
	assert_false(watch_name_is_temporary("tmpab-cd123", "checkpoints", ""));
	assert_false(watch_name_is_temporary("tmpABCDEFGH", "checkpoints", ""));
	assert_false(watch_name_is_temporary("resnet18-f37072fd.pth",
					     "checkpoints", "hub"));
	/* Lock files only below .locks/. */
	assert_true(watch_name_is_temporary("x.lock", "models--a--b", ".locks"));
	assert_false(watch_name_is_temporary("x.lock", "", NULL));
	assert_false(watch_name_is_temporary("x.lock", NULL, NULL));
	/* A bare suffix is an ordinary hidden file. */
	assert_false(watch_name_is_temporary(".partial", "checkpoints", ""));
	assert_false(watch_name_is_temporary(".incomplete", "blobs", ""));
	assert_false(watch_name_is_temporary("model.incomplete.bin", "x", ""));
	assert_false(watch_name_is_temporary("pytorch_model.bin", "x", ""));
}

static void
test_skipped_dirs(void **state)
{
	(void)state;
	assert_true(watch_name_is_skipped_dir(".locks", "hub", false));
	assert_true(watch_name_is_skipped_dir(".locks", "anything", true));
	assert_false(watch_name_is_skipped_dir(".locks", "snapshots", false));
	assert_true(watch_name_is_skipped_dir("xet", "huggingface", false));
	assert_false(watch_name_is_skipped_dir("xet", "0123abcd", false));
	assert_false(watch_name_is_skipped_dir("blobs", "hub", true));
	assert_false(watch_name_is_skipped_dir("snapshots", "m", false));
	assert_false(watch_name_is_skipped_dir(".lock", "hub", true));
	assert_false(watch_name_is_skipped_dir("xet2", "huggingface", true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_temporary),
		cmocka_unit_test(test_skipped_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
