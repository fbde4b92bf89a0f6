/*
 * test_wire.c - the worker result parser, fed by a worker that lies:
 * every forged message is rejected, a real one round-trips exactly, and
 * every truncation of a real one fails.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/sandbox/wire.h"

/* GLOBAL os system + REDUCE: one malicious finding, with strings. */
static const char evil[] = "cos\nsystem\n(S'echo pwned'\ntR.";

static struct pw_result *
scan(const char *buf, size_t len)
{
	struct pw_scanner *s = NULL;
	struct pw_result *r = NULL;

	assert_int_equal(pw_scanner_new(NULL, &s), PW_OK);
	assert_int_equal(pw_scan_buffer(s, buf, len, &r), PW_OK);
	pw_scanner_free(s);
	return r;
}

static void
encode(const struct pw_result *r, uint8_t **msg, size_t *len)
{
	assert_int_equal(sandbox_wire_encode(PW_OK, r, msg, len), 0);
}

static int
parse(const uint8_t *msg, size_t len, const char **why)
{
	struct scan_result *res = NULL;
	int status = -1, rc;

	*why = NULL;
	rc = sandbox_wire_parse(msg, len, &status, &res, why);
	if (rc == 0) {
		assert_non_null(res);
		scan_result_free(res);
	} else {
		assert_null(res);
		assert_non_null(*why);
	}
	return rc;
}

static void
roundtrip(void **state)
{
	struct pw_result *r = scan(evil, sizeof(evil) - 1);
	struct scan_result *res = NULL;
	const char *why = NULL;
	uint8_t *msg;
	size_t len, i;
	int status = -1;

	(void)state;
	encode(r, &msg, &len);
	assert_int_equal(sandbox_wire_parse(msg, len, &status, &res, &why), 0);
	assert_int_equal(status, PW_OK);
	assert_int_equal(scan_result_verdict(res), pw_result_verdict(r));
	assert_int_equal(scan_result_verdict(res), PW_VERDICT_MALICIOUS);
	assert_string_equal(scan_result_format(res), pw_result_format(r));
	assert_int_equal(scan_result_bytes_read(res), pw_result_bytes_read(r));
	assert_int_equal(scan_result_opcodes(res), pw_result_opcodes(r));
	assert_int_equal(scan_result_finding_count(res),
			 pw_result_finding_count(r));
	for (i = 0; i < pw_result_finding_count(r); i++) {
		const struct pw_finding *a = pw_result_finding(r, i);
		const struct pw_finding *b = scan_result_finding(res, i);

		assert_int_equal(a->severity, b->severity);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->offset, b->offset);
		assert_string_equal(a->reason, b->reason);
		assert_string_equal(a->location, b->location);
		if (a->global)
			assert_string_equal(a->global, b->global);
		else
			assert_null(b->global);
		if (a->opcode)
			assert_string_equal(a->opcode, b->opcode);
		else
			assert_null(b->opcode);
	}
	scan_result_free(res);
	/* Every proper prefix is rejected (and never read past). */
	for (i = 0; i < len; i++) {
		uint8_t *cut = malloc(i ? i : 1);

		memcpy(cut, msg, i);
		assert_int_equal(parse(cut, i, &why), -1);
		free(cut);
	}
	free(msg);
	pw_result_free(r);
}

static void
status_only(void **state)
{
	struct scan_result *res = NULL;
	const char *why;
	uint8_t *msg;
	size_t len;
	int status = -1;

	(void)state;
	assert_int_equal(sandbox_wire_encode(PW_ERR_NOT_REGULAR, NULL, &msg,
					     &len), 0);
	assert_int_equal(sandbox_wire_parse(msg, len, &status, &res, &why), 0);
	assert_int_equal(status, PW_ERR_NOT_REGULAR);
	assert_null(res);
	free(msg);
}

/* Offsets into the encoded evil message (header 12, status 4). */
#define OFF_VERDICT 16
#define OFF_EXECUTABLE 17
#define OFF_FMT_LEN 18
#define OFF_FMT (OFF_FMT_LEN + 4)

struct layout {
	size_t count;		/* offset of the finding count */
	size_t sev, kind, present, str0; /* of the first finding */
};

static struct layout
lay(const uint8_t *msg)
{
	struct layout l;
	uint32_t flen = (uint32_t)msg[OFF_FMT_LEN] |
			(uint32_t)msg[OFF_FMT_LEN + 1] << 8;

	l.count = OFF_FMT + flen + 24;
	l.sev = l.count + 4;
	l.kind = l.sev + 1;
	l.present = l.kind + 4;
	l.str0 = l.present + 1 + 8;
	return l;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Applies one forgery to a fresh copy of the real message and checks the
 * parser refuses it with the expected reason. */
static void
forged(void **state)
{
	struct pw_result *r = scan(evil, sizeof(evil) - 1);
	uint8_t *msg, *m;
	size_t len;
	struct layout l;
	const char *why;
	int k;

	(void)state;
	encode(r, &msg, &len);
	l = lay(msg);
	for (k = 0; k < 17; k++) {
		const char *expect = NULL;
		size_t mlen = len;

		m = malloc(len + 8);
		memcpy(m, msg, len);
		switch (k) {
		case 0: m[0] = 'X'; expect = "bad magic"; break;
		case 1: m[4] = SANDBOX_WIRE_VERSION + 1;
			expect = "unsupported version";
			break;
		case 2: m[6] = 1; expect = "reserved bits set"; break;
		case 3: /* too long: over the cap */
			put32(m + 8, SANDBOX_WIRE_MAX_BODY + 1);
			expect = "message too long";
			break;
		case 4: /* body shorter than the header says */
			put32(m + 8, (uint32_t)(len - 12 + 1));
			expect = "length does not match the header";
			break;
		case 5: m[OFF_VERDICT] = 4; expect = "verdict out of range";
			break;
		case 6: m[OFF_VERDICT] = 0;
			expect = "verdict better than its findings";
			break;
		case 7: m[l.sev] = 4; expect = "severity out of range"; break;
		case 8: m[l.kind] = 7; expect = "finding kind out of range";
			break;
		case 9: m[l.present] |= 0x10;
			expect = "unknown finding fields";
			break;
		case 10: /* a string longer than the bytes left */
			put32(m + l.str0, 0x7fffffffu);
			expect = "bad finding string";
			break;
		case 11: /* a string longer than its cap */
			put32(m + l.str0, SANDBOX_WIRE_MAX_STRING + 1);
			expect = "bad finding string";
			break;
		case 12: /* a NUL inside a string */
			m[l.str0 + 4] = 0;
			expect = "bad finding string";
			break;
		case 13: m[OFF_FMT] = '\n'; expect = "bad format name"; break;
		case 16: m[OFF_EXECUTABLE] = 2;
			expect = "executable flag out of range";
			break;
		case 14: /* more findings than the bytes can hold */
			put32(m + l.count, 100000);
			expect = "finding count out of range";
			break;
		case 15: /* trailing bytes */
			m[len] = 0;
			mlen = len + 1;
			put32(m + 8, (uint32_t)(mlen - 12));
			expect = "trailing bytes";
			break;
		}
		assert_int_equal(parse(m, mlen, &why), -1);
		assert_string_equal(why, expect);
		free(m);
	}
	free(msg);
	pw_result_free(r);
}

static void
bad_status(void **state)
{
	uint8_t m[20] = {'P', 'W', 'S', 'R', SANDBOX_WIRE_VERSION, 0, 0, 0, 4, 0, 0, 0,
			 64, 0, 0, 0};
	const char *why;

	(void)state;
	assert_int_equal(parse(m, 16, &why), -1);
	assert_string_equal(why, "bad status");
	/* A failure status followed by bytes. */
	m[12] = 3;
	m[8] = 5;
	assert_int_equal(parse(m, 17, &why), -1);
	assert_string_equal(why, "trailing bytes");
}

static void
requests(void **state)
{
	uint8_t req[SANDBOX_WIRE_REQUEST_MAX + 8];
	uint64_t pre[SANDBOX_WIRE_MAX_BATCH], got[SANDBOX_WIRE_MAX_BATCH];
	uint16_t flags;
	uint64_t deadline;
	uint32_t count, i;
	size_t len;

	(void)state;
	pre[0] = 0;
	len = sandbox_wire_request(req, 7, 123456789012ull, 1, pre);
	assert_int_equal(len, SANDBOX_WIRE_REQUEST_SIZE(1));
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 0);
	assert_int_equal(flags, 7);
	assert_int_equal(deadline, 123456789012ull);
	assert_int_equal(count, 1);
	assert_int_equal(got[0], 0);
	/* A full batch: every file keeps its own prefix length (version 3
	 * added it; a scan-while-it-lands). */
	for (i = 0; i < SANDBOX_WIRE_MAX_BATCH; i++)
		pre[i] = 0x0123456789abull * i;
	len = sandbox_wire_request(req, 0, 5, SANDBOX_WIRE_MAX_BATCH, pre);
	assert_int_equal(len, SANDBOX_WIRE_REQUEST_MAX);
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 0);
	assert_int_equal(count, SANDBOX_WIRE_MAX_BATCH);
	for (i = 0; i < SANDBOX_WIRE_MAX_BATCH; i++)
		assert_int_equal(got[i], pre[i]);
	assert_int_equal(req[4], SANDBOX_WIRE_REQUEST_VERSION);
	/* Its size must be what the count says. */
	assert_int_equal(sandbox_wire_parse_request(req, len - 8, &flags,
						    &deadline, &count, got),
			 -1);
	assert_int_equal(sandbox_wire_parse_request(req, len + 8, &flags,
						    &deadline, &count, got),
			 -1);
	/* No empty batch, none over the cap. */
	len = sandbox_wire_request(req, 0, 5, 1, pre);
	req[16] = 0;
	assert_int_equal(sandbox_wire_parse_request(req, 24, &flags,
						    &deadline, &count, got),
			 -1);
	req[16] = SANDBOX_WIRE_MAX_BATCH + 1;
	assert_int_equal(sandbox_wire_parse_request(
				 req, SANDBOX_WIRE_REQUEST_SIZE(
					      SANDBOX_WIRE_MAX_BATCH + 1),
				 &flags, &deadline, &count, got),
			 -1);
	req[16] = 1;
	req[20] = 1;		/* the reserved word */
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 -1);
	req[20] = 0;
	/* A version-3 request (one file, no count) is not ours. */
	req[4] = 3;
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 -1);
	req[4] = 9;
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 -1);
	req[4] = SANDBOX_WIRE_REQUEST_VERSION;
	assert_int_equal(sandbox_wire_parse_request(req, len, &flags,
						    &deadline, &count, got),
			 0);
}

/* The encoder cuts strings at the cap, and the parser accepts the cut. */
static void
long_strings(void **state)
{
	size_t n = 3 * SANDBOX_WIRE_MAX_STRING, len;
	char *buf = malloc(n + 64);
	struct pw_result *r;
	struct scan_result *res = NULL;
	const char *why;
	uint8_t *msg;
	int status, i;
	size_t at = 0;

	(void)state;
	/* GLOBAL with a huge module name. */
	buf[at++] = 'c';
	for (i = 0; i < (int)n; i++)
		buf[at++] = 'a';
	memcpy(buf + at, "\nb\n.", 4);
	at += 4;
	r = scan(buf, at);
	encode(r, &msg, &len);
	assert_int_equal(sandbox_wire_parse(msg, len, &status, &res, &why), 0);
	for (i = 0; i < (int)scan_result_finding_count(res); i++) {
		const struct pw_finding *f = scan_result_finding(res, (size_t)i);

		if (f->module)
			assert_true(strlen(f->module) <=
				    SANDBOX_WIRE_MAX_STRING);
	}
	scan_result_free(res);
	free(msg);
	pw_result_free(r);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(status_only),
		cmocka_unit_test(forged),
		cmocka_unit_test(bad_status),
		cmocka_unit_test(requests),
		cmocka_unit_test(long_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
