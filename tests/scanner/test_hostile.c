/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hostile.c - pickles built to make the analyser itself do too much:
 * recurse too deep, scan the same payload over and over, or re-read the
 * file exponentially often.  Each must finish with bounded work (counted
 * in opcodes) and without crashing (the suite runs under ASan/UBSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "picklewarden.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* SHORT_BINUNICODE s */
static void
put_short_unicode(struct buf *b, const char *s)
{
	uint8_t op[2] = {0x8c, (uint8_t)strlen(s)};

	put(b, op, 2);
	put_str(b, s);
}

static struct pw_result *
scan(const struct buf *b)
{
	struct pw_scanner *sc = NULL;
	struct pw_result *res = NULL;

	assert_int_equal(pw_scanner_new(NULL, &sc), PW_OK);
	assert_int_equal(pw_scan_buffer(sc, b->p, b->len, &res), PW_OK);
	pw_scanner_free(sc);
	return res;
}

/*
 * Once joblib's NumpyArrayWrapper is imported the machine keeps values, so
 * a list nested in a list ... 300,000 deep can be built through the memo;
 * overwriting the memo slot that holds the outermost one frees the whole
 * chain at once.  Freeing must not recurse once per level.
 */
static void
test_deep_retained_chain(void **state)
{
	struct buf b = {0};
	struct pw_result *res;
	int i;

	(void)state;
	put(&b, "\x80\x04", 2);
	put_short_unicode(&b, "joblib.numpy_pickle");
	put_short_unicode(&b, "NumpyArrayWrapper");
	put(&b, "\x93" "0", 2);			/* STACK_GLOBAL, POP */
	put(&b, "]q\x00q\x01" "0", 6);		/* root in slots 0 and 1 */
	for (i = 0; i < 300000; i++)
		/* GET 1 (deepest), new list, PUT 1, APPEND, POP */
		put(&b, "h\x01]q\x01" "a0", 7);
	put(&b, "Nq\x00" "0Nq\x01" "0N.", 10);	/* drop both slots: free all */
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_CLEAN);
	pw_result_free(res);
	free(b.p);
}

/*
 * torch.storage._load_from_bytes called 20,000 times, through the memo,
 * on the same embedded payload: the payload is one nested file and is
 * scanned once, not 20,000 times.
 */
static void
test_nested_loader_reused(void **state)
{
	struct buf inner = {0}, b = {0};
	struct pw_result *res;
	uint8_t len4[5] = {'B'};
	int i;

	(void)state;
	put(&inner, "\x80\x04(", 3);
	for (i = 0; i < 5000; i++)
		put(&inner, "K\x01", 2);
	put(&inner, "l.", 2);
	len4[1] = (uint8_t)inner.len;
	len4[2] = (uint8_t)(inner.len >> 8);
	len4[3] = (uint8_t)(inner.len >> 16);
	len4[4] = 0;

	put(&b, "\x80\x04", 2);
	put_short_unicode(&b, "torch.storage");
	put_short_unicode(&b, "_load_from_bytes");
	put(&b, "\x93q\x00" "0", 4);		/* the loader in slot 0 */
	put(&b, len4, 5);			/* BINBYTES payload */
	put(&b, inner.p, inner.len);
	put(&b, "q\x01" "0", 3);		/* the payload in slot 1 */
	for (i = 0; i < 20000; i++)
		put(&b, "h\x00h\x01\x85R0", 7);	/* loader(payload); POP */
	put(&b, "N.", 2);
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_CLEAN);
	/* 5 opcodes per call plus one scan of the 5,003-opcode payload. */
	assert_true(pw_result_opcodes(res) < 20000 * 5 + 3 * 5003);
	pw_result_free(res);
	free(inner.p);
	free(b.p);
}

/*
 * Forty pickles that each STOP inside a frame with bytes left in it: the
 * two unpicklers resume at different offsets, so the rest of the file is
 * scanned again from the Python reader's offset - and each re-scan meets
 * the same again.  Unbounded, that is 2^40 scans of the tail.
 */
static void
test_stop_in_frame_rescans(void **state)
{
	static const uint8_t unit[] = {
		0x80, 0x04, 0x95, 4, 0, 0, 0, 0, 0, 0, 0, 'N', '.', 'N', '.',
	};
	struct buf b = {0};
	struct pw_result *res;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		put(&b, unit, sizeof(unit));
	res = scan(&b);
	assert_int_not_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	/* Each scan of the file is ~160 opcodes; a handful of re-scans. */
	assert_true(pw_result_opcodes(res) < 160 * 20);
	pw_result_free(res);
	free(b.p);
}

/* Caps are no exits (issue 9): past the stack and MARK caps the oldest
 * half is shed and the reading goes on, so a payload after them is seen;
 * a call of a shed (unknown) value is never harmless. */
static void
test_caps_shed_and_read_on(void **state)
{
	struct buf b = {0};
	struct pw_result *res;
	size_t i;

	(void)state;
	put(&b, "\x80\x02", 2);
	for (i = 0; i < (4u << 20) + 1000; i++)
		put(&b, "N", 1);
	put_str(&b, "cposix\nsystem\n)R.");
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);

	b.len = 0;
	put(&b, "\x80\x02", 2);
	for (i = 0; i < (1u << 20) + 1000; i++)
		put(&b, "(", 1);
	put_str(&b, "cposix\nsystem\n)R.");
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);

	/* An allowlisted callable pushed first, shed, then reached again
	 * by popping everything above it: it reads back as unknown. */
	b.len = 0;
	put(&b, "\x80\x02", 2);
	put_str(&b, "ccollections\nOrderedDict\n");
	for (i = 0; i < (4u << 20) + 1000; i++)
		put(&b, "N", 1);
	for (i = 0; i < (4u << 20) + 1000; i++)
		put(&b, "0", 1);
	put_str(&b, ")R.");
	res = scan(&b);
	assert_true(pw_result_verdict(res) >= PW_VERDICT_ERROR);
	assert_true(pw_result_executable(res));
	pw_result_free(res);
	free(b.p);
}

/*
 * Found by the differential fuzzer (tests/differential/regressions/): a
 * FRAME nested in a frame kills the Python reader; _pickle reads on, and
 * without peek() (torch's io.BytesIO) a BINFLOAT crossing the outer frame's
 * end makes it drop the rest of the frame and run "cos\nsystem\n".
 */
static void
test_nested_frame_straddle(void **state)
{
	static const uint8_t file[] = {
		0x95, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5d,
		0x94, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x95, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x3f,
		0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x7f, 0xe1,
		0xcc, 0xf3, 0x85, 0xeb, 0xc8, 0xa0, 0x47, 0x7f, 0xf0, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0xff, 0xf0, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x47, 0x01, 0xa5, 0x6e, 0x1f, 0xc2,
		0xf8, 0xf3, 0x59, 0x65, 0x2e, 0x80, 0x04, 0x63, 0x6f, 0x73,
		0x0a, 0x73, 0x79, 0x73, 0x74, 0x65, 0x6d, 0x0a,
	};
	struct buf b = {0};
	struct pw_result *res;

	(void)state;
	put(&b, file, sizeof(file));
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);
	free(b.p);
}

/*
 * Stacked pickles: pickle.load in a loop gives each a fresh memo, one
 * reused unpickler keeps it.  The second pickle here imports os.system
 * only with a fresh memo (with the first's list at index 0, MEMOIZE puts
 * 'os' at 1).  That second reading is done once, not once per pickle.
 */
static void
test_fresh_memo_reading(void **state)
{
	struct buf b = {0};
	struct pw_result *res;
	uint64_t one;
	int i;

	(void)state;
	put_str(&b, "]\x94(e.");
	put_str(&b, "\x80\x04S'os'\n\x94S'system'\n\x94g0\ng1\n\x93)R.");
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);
	free(b.p);

	memset(&b, 0, sizeof(b));
	put_str(&b, "]\x94(e.");
	res = scan(&b);
	one = pw_result_opcodes(res);
	pw_result_free(res);
	for (i = 0; i < 2000; i++)
		put_str(&b, "\x80\x04\x8c\x01a\x94\x94h\x00h\x01\x86.");
	res = scan(&b);
	assert_int_not_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	/* two readings of 2000 pickles of 7 opcodes, not one per pickle */
	assert_true(pw_result_opcodes(res) < one + 2 * 2000 * 7 + 100);
	pw_result_free(res);
	free(b.p);
}

/*
 * STOP inside a frame: pickle.py resumes after the frame, and a
 * pickle._Unpickler reused for the next load() still has this pickle's
 * memo ('os', 'system'), which the bytes left in the frame overwrite for
 * _pickle only.  Only that reading imports os.system.
 */
static void
test_carried_memo_after_frame(void **state)
{
	static const uint8_t file[] = {
		0x80, 0x04, 0x95, 0x1c, 0, 0, 0, 0, 0, 0, 0,
		0x8c, 2, 'o', 's', 0x94, 0x8c, 6, 's', 'y', 's', 't', 'e', 'm',
		0x94, 'N', '.',
		0x8c, 1, 'a', 'q', 0, 0x8c, 1, 'b', 'q', 1, 'N', '.',
		'h', 0, 'h', 1, 0x93, ')', 'R', '.',
	};
	struct buf b = {0};
	struct pw_result *res;

	(void)state;
	put(&b, file, sizeof(file));
	res = scan(&b);
	assert_int_equal(pw_result_verdict(res), PW_VERDICT_MALICIOUS);
	pw_result_free(res);
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_retained_chain),
		cmocka_unit_test(test_nested_loader_reused),
		cmocka_unit_test(test_stop_in_frame_rescans),
		cmocka_unit_test(test_caps_shed_and_read_on),
		cmocka_unit_test(test_nested_frame_straddle),
		cmocka_unit_test(test_fresh_memo_reading),
		cmocka_unit_test(test_carried_memo_after_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
