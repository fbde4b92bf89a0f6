#include "config.h"

#include <stddef.h>

#include "pickle/opcodes.h"

static const struct op_info table[256] = {
	['('] = {"MARK", ARG_NONE, 0},
	['.'] = {"STOP", ARG_NONE, 0},
	['0'] = {"POP", ARG_NONE, 0},
	['1'] = {"POP_MARK", ARG_NONE, 1},
	['2'] = {"DUP", ARG_NONE, 0},
	['F'] = {"FLOAT", ARG_LINE, 0},
	['I'] = {"INT", ARG_LINE, 0},
	['J'] = {"BININT", ARG_I32, 1},
	['K'] = {"BININT1", ARG_U8, 1},
	['L'] = {"LONG", ARG_LINE, 0},
	['M'] = {"BININT2", ARG_U16, 1},
	['N'] = {"NONE", ARG_NONE, 0},
	['P'] = {"PERSID", ARG_LINE, 0},
	['Q'] = {"BINPERSID", ARG_NONE, 1},
	['R'] = {"REDUCE", ARG_NONE, 0},
	['S'] = {"STRING", ARG_STRQUOTED, 0},
	['T'] = {"BINSTRING", ARG_LEN_U32, 1},
	['U'] = {"SHORT_BINSTRING", ARG_LEN_U8, 1},
	['V'] = {"UNICODE", ARG_LINE, 0},
	['X'] = {"BINUNICODE", ARG_LEN_U32, 1},
	['a'] = {"APPEND", ARG_NONE, 0},
	['b'] = {"BUILD", ARG_NONE, 0},
	['c'] = {"GLOBAL", ARG_TWO_LINES, 0},
	['d'] = {"DICT", ARG_NONE, 0},
	['}'] = {"EMPTY_DICT", ARG_NONE, 1},
	['e'] = {"APPENDS", ARG_NONE, 1},
	['g'] = {"GET", ARG_LINE, 0},
	['h'] = {"BINGET", ARG_U8, 1},
	['i'] = {"INST", ARG_TWO_LINES, 0},
	['j'] = {"LONG_BINGET", ARG_U32, 1},
	['l'] = {"LIST", ARG_NONE, 0},
	[']'] = {"EMPTY_LIST", ARG_NONE, 1},
	['o'] = {"OBJ", ARG_NONE, 1},
	['p'] = {"PUT", ARG_LINE, 0},
	['q'] = {"BINPUT", ARG_U8, 1},
	['r'] = {"LONG_BINPUT", ARG_U32, 1},
	['s'] = {"SETITEM", ARG_NONE, 0},
	['t'] = {"TUPLE", ARG_NONE, 0},
	[')'] = {"EMPTY_TUPLE", ARG_NONE, 1},
	['u'] = {"SETITEMS", ARG_NONE, 1},
	['G'] = {"BINFLOAT", ARG_U64, 1},
	[0x80] = {"PROTO", ARG_U8, 2},
	[0x81] = {"NEWOBJ", ARG_NONE, 2},
	[0x82] = {"EXT1", ARG_U8, 2},
	[0x83] = {"EXT2", ARG_U16, 2},
	[0x84] = {"EXT4", ARG_I32, 2},
	[0x85] = {"TUPLE1", ARG_NONE, 2},
	[0x86] = {"TUPLE2", ARG_NONE, 2},
	[0x87] = {"TUPLE3", ARG_NONE, 2},
	[0x88] = {"NEWTRUE", ARG_NONE, 2},
	[0x89] = {"NEWFALSE", ARG_NONE, 2},
	[0x8a] = {"LONG1", ARG_LONG1, 2},
	[0x8b] = {"LONG4", ARG_LONG4, 2},
	['B'] = {"BINBYTES", ARG_LEN_U32, 3},
	['C'] = {"SHORT_BINBYTES", ARG_LEN_U8, 3},
	[0x8c] = {"SHORT_BINUNICODE", ARG_LEN_U8, 4},
	[0x8d] = {"BINUNICODE8", ARG_LEN_U64, 4},
	[0x8e] = {"BINBYTES8", ARG_LEN_U64, 4},
	[0x8f] = {"EMPTY_SET", ARG_NONE, 4},
	[0x90] = {"ADDITEMS", ARG_NONE, 4},
	[0x91] = {"FROZENSET", ARG_NONE, 4},
	[0x92] = {"NEWOBJ_EX", ARG_NONE, 4},
	[0x93] = {"STACK_GLOBAL", ARG_NONE, 4},
	[0x94] = {"MEMOIZE", ARG_NONE, 4},
	[0x95] = {"FRAME", ARG_U64, 4},
	[0x96] = {"BYTEARRAY8", ARG_LEN_U64, 5},
	[0x97] = {"NEXT_BUFFER", ARG_NONE, 5},
	[0x98] = {"READONLY_BUFFER", ARG_NONE, 5},
};

const struct op_info *
pickle_opcode(uint8_t op)
{
	return table[op].name != NULL ? &table[op] : NULL;
}

bool
pickle_opcode_valid(uint8_t op)
{
	return table[op].name != NULL;
}
