/*
 * test_escape.c - escaping of file-derived strings for logs, `quarantine
 * list/show` and JSON: control characters, invalid UTF-8, and the
 * invisible code points (bidi controls, zero-width and format
 * characters, C1 controls) that would let a file name look like another.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/store/escape.h"

static void
expect_text(const char *in, const char *want)
{
	char *got = escape_text(in);
	char buf[256];

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	escape_text_buf(in, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
expect_json(const char *in, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	escape_json_write(f, in);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, want);
	free(text);
}

static void
test_bidi_and_invisible(void **state)
{
	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE: "model\u202etp.exe" reads as
	 * "modelexe.pt" on a terminal. */
	expect_text("model\xe2\x80\xaetp.exe", "model\\u{202e}tp.exe");
	expect_json("model\xe2\x80\xaetp.exe", "\"model\\u202etp.exe\"");
	/* every bidi control */
	expect_text("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		    "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
	expect_text("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		    "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
	expect_text("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
		    "\\u{200e}\\u{200f}\\u{61c}");
	/* zero-width and format characters, BOM */
	expect_text("a\xe2\x80\x8b" "b\xe2\x80\x8c" "c\xe2\x80\x8d" "d",
		    "a\\u{200b}b\\u{200c}c\\u{200d}d");
	expect_text("\xef\xbb\xbfx", "\\u{feff}x");
	expect_text("\xe2\x81\xa0\xe2\x81\xa4", "\\u{2060}\\u{2064}");
	/* C1 controls (valid UTF-8 for U+0080..U+009F) */
	expect_text("x\xc2\x85y\xc2\x9b", "x\\u{85}y\\u{9b}");
	expect_json("x\xc2\x9by", "\"x\\u009by\"");
	/* a tag character, above the BMP: a surrogate pair in JSON */
	expect_text("\xf3\xa0\x80\x81", "\\u{e0001}");
	expect_json("\xf3\xa0\x80\x81", "\"\\udb40\\udc01\"");
}

static void
test_visible_text_unchanged(void **state)
{
	(void)state;
	/* Letters of other scripts pass through. */
	expect_text("mod\xc3\xa8le-\xe6\xa8\xa1\xe5\x9e\x8b.pt",
		    "mod\xc3\xa8le-\xe6\xa8\xa1\xe5\x9e\x8b.pt");
	expect_text("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", /* Hebrew, RTL */
		    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
	/* control characters and invalid bytes as before */
	expect_text("a\nb\tc\x01\xff\"\\", "a\\nb\\tc\\x01\\xff\\\"\\\\");
	expect_json("a\n\xff", "\"a\\n\\u00ff\"");
	assert_false(escape_is_invisible('a'));
	assert_false(escape_is_invisible(0x5d0));
	assert_true(escape_is_invisible(0x202e));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidi_and_invisible),
		cmocka_unit_test(test_visible_text_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
