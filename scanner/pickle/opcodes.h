/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opcodes.h - the pickle opcode table (protocols 0-5), as in CPython's
 * Lib/pickle.py and Modules/_pickle.c.
 */
#ifndef PW_PICKLE_OPCODES_H
#define PW_PICKLE_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

/* How an opcode's argument is encoded. */
enum op_arg {
	ARG_NONE,
	ARG_U8, ARG_U16, ARG_I32, ARG_U32, ARG_U64,	/* fixed binary ints */
	ARG_LINE,		/* one text line */
	ARG_TWO_LINES,		/* GLOBAL, INST: module\nname\n */
	ARG_STRQUOTED,		/* STRING: a quoted, escaped line */
	ARG_LEN_U8, ARG_LEN_U32, ARG_LEN_U64,	/* length, then bytes */
	ARG_LONG1, ARG_LONG4,	/* length, then a little-endian int */
};

struct op_info {
	const char *name;
	enum op_arg arg;
	uint8_t proto;		/* protocol that introduced it */
};

extern const struct op_info pickle_op_table[256];

/* The opcode's description, or NULL for a byte that is no opcode. */
static inline const struct op_info *
pickle_opcode(uint8_t op)
{
	return pickle_op_table[op].name != NULL ? &pickle_op_table[op] : NULL;
}

static inline bool
pickle_opcode_valid(uint8_t op)
{
	return pickle_op_table[op].name != NULL;
}

#endif
