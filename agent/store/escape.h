/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.h - make strings that came from files (names, globals, reasons)
 * safe to print, log or put in JSON: one line, printable, valid UTF-8.
 */
#ifndef PW_AGENT_ESCAPE_H
#define PW_AGENT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * For text and logs: control characters, backslash, '"', DEL and invalid
 * UTF-8 bytes become \n, \t, \\, \", \xHH; valid UTF-8 passes through.
 * Returns a new string (caller frees) or NULL when out of memory.
 */
char *escape_text(const char *s);
/* The same into a caller's buffer, truncated with "..." if it does not
 * fit; always NUL-terminates when cap > 0. */
void escape_text_buf(const char *s, char *out, size_t cap);
/* Writes s as a JSON string literal (with quotes); invalid UTF-8 bytes
 * become \u00HH escapes of the byte value, so output is always valid. */
void escape_json_write(FILE *out, const char *s);

#endif
