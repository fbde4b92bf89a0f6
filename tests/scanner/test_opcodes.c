/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_opcodes - scanner/pickle/opcodes.c against CPython's own opcode
 * list: every opcode's byte, name, argument encoding and protocol, and no
 * opcode that CPython does not have.  The list is tests/scanner/opcodes.list,
 * generated at build time from the running python3 (pickletools.opcodes,
 * cross-checked against the pickle module's constants) or copied from the
 * committed opcodes.expected when there is no python3; the committed copy
 * is checked too, so it cannot go stale unnoticed.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common.h"
#include "pickle/opcodes.h"

#define GENERATED TEST_BUILDDIR "/scanner/opcodes.list"
#define COMMITTED TEST_SRCDIR "/scanner/opcodes.expected"

/* pickletools' argument descriptors, as encoded in opcodes.h. */
static const struct {
	const char *name;
	enum op_arg arg;
} arg_map[] = {
	{"none", ARG_NONE},
	{"uint1", ARG_U8},
	{"uint2", ARG_U16},
	{"int4", ARG_I32},
	{"uint4", ARG_U32},
	{"uint8", ARG_U64},
	{"float8", ARG_U64},		/* BINFLOAT: 8 raw bytes */
	{"decimalnl_short", ARG_LINE},
	{"decimalnl_long", ARG_LINE},
	{"floatnl", ARG_LINE},
	{"stringnl_noescape", ARG_LINE},
	{"unicodestringnl", ARG_LINE},
	{"stringnl_noescape_pair", ARG_TWO_LINES},
	{"stringnl", ARG_STRQUOTED},
	{"string1", ARG_LEN_U8},
	{"bytes1", ARG_LEN_U8},
	{"unicodestring1", ARG_LEN_U8},
	{"string4", ARG_LEN_U32},
	{"bytes4", ARG_LEN_U32},
	{"unicodestring4", ARG_LEN_U32},
	{"bytes8", ARG_LEN_U64},
	{"unicodestring8", ARG_LEN_U64},
	{"bytearray8", ARG_LEN_U64},
	{"long1", ARG_LONG1},
	{"long4", ARG_LONG4},
};

static bool
map_arg(const char *name, enum op_arg *ret)
{
	size_t i;

	for (i = 0; i < sizeof(arg_map) / sizeof(arg_map[0]); i++)
		if (strcmp(arg_map[i].name, name) == 0) {
			*ret = arg_map[i].arg;
			return true;
		}
	return false;
}

/* Checks the table against one list file; returns the number of errors. */
static size_t
check_list(const char *path)
{
	FILE *f = fopen(path, "r");
	bool listed[256] = {false};
	char line[256], name[64], arg[64];
	unsigned code, proto;
	size_t bad = 0, n = 0;
	int b;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		const struct op_info *op;
		enum op_arg want;

		if (sscanf(line, "0x%x %63s %63s %u", &code, name, arg,
			   &proto) != 4 || code > 255) {
			fprintf(stderr, "%s: bad line: %s", path, line);
			bad++;
			continue;
		}
		n++;
		listed[code] = true;
		op = pickle_opcode((uint8_t)code);
		if (op == NULL || !pickle_opcode_valid((uint8_t)code)) {
			fprintf(stderr, "0x%02x %s: missing from the table\n",
				code, name);
			bad++;
			continue;
		}
		if (strcmp(op->name, name) != 0) {
			fprintf(stderr, "0x%02x: table says %s, CPython %s\n",
				code, op->name, name);
			bad++;
		}
		if (!map_arg(arg, &want)) {
			fprintf(stderr, "0x%02x %s: unknown argument type %s "
				"(a new CPython encoding?)\n", code, name, arg);
			bad++;
		} else if (op->arg != want) {
			fprintf(stderr, "0x%02x %s: argument encoding %d, "
				"CPython's %s is %d\n", code, name, op->arg,
				arg, want);
			bad++;
		}
		if (op->proto != proto) {
			fprintf(stderr, "0x%02x %s: protocol %u, CPython %u\n",
				code, name, op->proto, proto);
			bad++;
		}
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "%s: no opcodes\n", path);
		bad++;
	}
	for (b = 0; b < 256; b++) {
		if (listed[b])
			continue;
		if (pickle_opcode((uint8_t)b) != NULL ||
		    pickle_opcode_valid((uint8_t)b)) {
			fprintf(stderr, "0x%02x: in the table, not in CPython\n",
				b);
			bad++;
		}
	}
	fprintf(stderr, "%s: %zu opcodes, %zu errors\n", path, n, bad);
	return bad;
}

static void
test_generated_list(void **unused)
{
	assert_int_equal(check_list(GENERATED), 0);
}

static void
test_committed_list(void **unused)
{
	assert_int_equal(check_list(COMMITTED), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_list),
		cmocka_unit_test(test_committed_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
