/* SPDX-License-Identifier: Apache-2.0 */
/*
 * numparse.h - how each CPython unpickler reads the text numbers of
 * protocol 0 (INT, LONG, FLOAT, GET, PUT).  The C unpickler uses strtol
 * (base 0) and C strings that end at the first NUL; the Python one uses
 * int()/float() on the whole line.  Where one accepts a line the other
 * rejects, the two execute different programs - a parser differential.
 */
#ifndef PW_PICKLE_NUMPARSE_H
#define PW_PICKLE_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct num_verdict {
	bool c_ok, py_ok;	/* accepted by _pickle / pickle._Unpickler */
	bool c_fits, py_fits;	/* value fits in int64 (for memo indexes) */
	int64_t c_value, py_value;
};

/* line/len exclude the trailing '\n'; has_nl says whether there was one. */
void numparse_int(const uint8_t *line, size_t len, struct num_verdict *v);
void numparse_long(const uint8_t *line, size_t len, struct num_verdict *v);
void numparse_float(const uint8_t *line, size_t len, struct num_verdict *v);
/* GET and PUT: base 10 in both. */
void numparse_index(const uint8_t *line, size_t len, struct num_verdict *v);

#endif
