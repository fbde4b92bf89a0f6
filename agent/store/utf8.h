/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.h - the agent's one UTF-8 decoder and encoder.
 *
 * Used by escape.c (which passes valid UTF-8 through and escapes the
 * rest) and by the JSON reader (json_reader.c: which refuses invalid
 * UTF-8 and turns \uXXXX back into UTF-8).
 * The scanner library has its own (scanner/pickle/text.c) and that is
 * deliberate: the library's is private (not part of its public pw_ API,
 * which is all the agent may use), and it has another job: it is fed a
 * pickle's strings chunk by chunk through its bounded reader and may
 * accept surrogates (Python's surrogatepass), where ours checks
 * NUL-terminated strings for printing and refuses them.
 */
#ifndef PW_AGENT_UTF8_H
#define PW_AGENT_UTF8_H

#include <stddef.h>

/* Longest UTF-8 sequence store_utf8_encode writes. */
#define STORE_UTF8_MAX_LEN 4

/*
 * Length of the valid UTF-8 sequence at the start of the NUL-terminated s
 * (strict: no overlong forms, no surrogates, at most U+10FFFF), or 0 when
 * it is not valid.  Never reads past a NUL.
 */
size_t store_utf8_valid_len(const unsigned char *s);

/*
 * The same for the n bytes at s (n >= 1), which need no NUL: a sequence
 * cut by the end of the buffer is invalid.  Never reads past n.
 */
size_t store_utf8_valid_len_n(const unsigned char *s, size_t n);

/*
 * Writes code point cp (at most U+10FFFF; the caller has rejected
 * surrogates) as UTF-8 into out, which has room for STORE_UTF8_MAX_LEN bytes.
 * Returns the number of bytes written.
 */
size_t store_utf8_encode(char *out, unsigned cp);

#endif
