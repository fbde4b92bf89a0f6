/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.h - make strings that came from files (names, globals, reasons)
 * safe to print, log or put in JSON: one line, printable, valid UTF-8.
 */
#ifndef PW_AGENT_ESCAPE_H
#define PW_AGENT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include <stdbool.h>

/* True for the code points shown escaped even though they are valid
 * UTF-8: C1 controls, bidi controls (U+202A-E, U+2066-9, U+200E/F,
 * U+061C) and invisible format characters (U+200B-D, U+2060-4, U+FEFF,
 * tags, ...). */
bool escape_is_invisible(unsigned cp);

/*
 * For text and logs: control characters, backslash, '"', DEL and invalid
 * UTF-8 bytes become \n, \t, \\, \", \xHH; invisible code points
 * (escape_is_invisible) become \u{XXXX}; other valid UTF-8 passes
 * through.
 * Returns a new string (caller frees) or NULL when out of memory.
 */
char *escape_text(const char *s);
/* The same into a caller's buffer, truncated with "..." if it does not
 * fit; always NUL-terminates when cap > 0. */
void escape_text_buf(const char *s, char *out, size_t cap);
/* Writes s as a JSON string literal (with quotes); invalid UTF-8 bytes
 * become \u00HH escapes of the byte value, so output is always valid;
 * invisible code points become their \uXXXX escape. */
void escape_json_write(FILE *out, const char *s);

#endif
