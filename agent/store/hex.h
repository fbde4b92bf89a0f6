/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hex.h - the agent's one hex decoder: lower- or upper-case digits and
 * nothing else (no sign, space or "0x", which sscanf("%x") and strtoul
 * would take).  Used by the JSON reader (\uXXXX), the quarantine records'
 * *_hex members and the signature code's digests; in store/ so every
 * agent folder may use it.  The scanner library has its own digit helper
 * (scanner/pickle/text.c) for pickle string escapes: it is private to the
 * library, whose public pw_ API is all the agent may include.
 */
#ifndef PW_AGENT_HEX_H
#define PW_AGENT_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* The value of hex digit c (0-15), or -1 when c is not one. */
int store_hex_digit(unsigned char c);

/*
 * Decodes the n_digits hex digits at s (n_digits even; s needs no NUL)
 * into n_digits / 2 bytes at out.  Returns false on an odd count or a byte
 * that is not a hex digit; out may then be partly written.
 */
bool store_hex_decode(const char *s, size_t n_digits, unsigned char *out);

#endif
