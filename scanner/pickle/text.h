/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.h - validation and decoding of the string forms an unpickler
 * reads: UTF-8 (strict or surrogatepass), raw-unicode-escape (UNICODE),
 * and Python 2 escaped string literals (STRING).
 */
#ifndef PW_PICKLE_TEXT_H
#define PW_PICKLE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Incremental UTF-8 validation across chunks. */
struct utf8_state {
	uint8_t need;		/* continuation bytes still expected */
	uint8_t first;		/* lead byte of the pending sequence */
	uint8_t seen;		/* continuation bytes seen so far */
	bool bad;
};

void utf8_begin(struct utf8_state *u);
void utf8_feed(struct utf8_state *u, const uint8_t *s, size_t n,
	       bool surrogates_ok);
bool utf8_end(struct utf8_state *u);
bool utf8_valid(const uint8_t *s, size_t n, bool surrogates_ok);

/*
 * Decodes raw-unicode-escape (latin-1 bytes, \uXXXX and \UXXXXXXXX after
 * an odd run of backslashes) into UTF-8 in out (cap >= 4 * n + 1, NUL
 * terminated).  Returns false when Python's codec would raise.
 */
bool raw_unicode_escape_decode(const uint8_t *s, size_t n, char *out,
			       size_t cap, size_t *ret_len);
/*
 * Decodes a Python 2 string literal body (codecs.escape_decode) and then
 * latin-1 into UTF-8 in out (cap >= 2 * n + 1).  Returns false when
 * escape_decode would raise (bad \x escape, trailing backslash).
 */
bool escape_decode_latin1(const uint8_t *s, size_t n, char *out, size_t cap,
			  size_t *ret_len);
/* latin-1 bytes to UTF-8 (cap >= 2 * n + 1). */
size_t latin1_to_utf8(const uint8_t *s, size_t n, char *out);

#endif
