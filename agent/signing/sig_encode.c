#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/signing/sig_encode.h"
#include "agent/store/hex.h"

static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
sig_b64_decode(const char *s, size_t len, unsigned char **ret,
	       size_t *ret_len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *out;
	size_t n = len, i, o = 0, cap;
	uint32_t acc = 0;
	unsigned bits = 0;

	/* Up to two '=' at the end, and only to complete a quantum. */
	if (n > 0 && u[n - 1] == '=') {
		n--;
		if (n > 0 && u[n - 1] == '=')
			n--;
		if (len % 4 != 0)
			goto bad;
	}
	if (n % 4 == 1)
		goto bad;
	cap = n / 4 * 3 + 3;
	out = malloc(cap + 1);
	if (!out)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64_val(u[i]);

		if (v < 0) {
			free(out);
			goto bad;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	out[o] = 0;
	*ret = out;
	*ret_len = o;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

bool
sig_hex_decode(const char *s, unsigned char *out, size_t cap)
{
	return strlen(s) == 2 * cap && store_hex_decode(s, 2 * cap, out);
}

void
sig_hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The header "<magic> <len(type)> <type> <len(payload)> " of both forms. */
static unsigned char *
pae_head(const char *magic, const char *type, size_t len, size_t extra,
	 size_t *ret_used, size_t *ret_cap)
{
	char head[128];
	int h;
	size_t tl = strlen(type), cap;
	unsigned char *out;

	h = snprintf(head, sizeof(head), "%s %zu ", magic, tl);
	if (h < 0 || (size_t)h >= sizeof(head))
		return NULL;
	/* head + type + " " + 20 digits + " " + extra */
	if (__builtin_add_overflow((size_t)h, tl, &cap) ||
	    __builtin_add_overflow(cap, 24, &cap) ||
	    __builtin_add_overflow(cap, extra, &cap)) {
		errno = EOVERFLOW;
		return NULL;
	}
	out = malloc(cap);
	if (!out)
		return NULL;
	memcpy(out, head, (size_t)h);
	memcpy(out + h, type, tl);
	h = snprintf((char *)out + (size_t)h + tl, 24, " %zu ", len) +
	    h + (int)tl;
	*ret_used = (size_t)h;
	*ret_cap = cap;
	return out;
}

unsigned char *
sig_pae(const char *type, const unsigned char *payload, size_t len,
	size_t *ret_len)
{
	size_t used, cap;
	unsigned char *out = pae_head("DSSEv1", type, len, len, &used, &cap);

	if (!out)
		return NULL;
	memcpy(out + used, payload, len);
	*ret_len = used + len;
	return out;
}

unsigned char *
sig_pae_compat(const char *type, const unsigned char *payload, size_t len,
	       size_t *ret_len)
{
	size_t used, cap, i, extra;
	unsigned char *out;
	char q = '\'';

	/* Python's bytes repr: single quotes unless the bytes hold a ' and
	 * no ", every byte at most 4 characters (\xNN), plus b''. */
	if (memchr(payload, '\'', len) && !memchr(payload, '"', len))
		q = '"';
	if (__builtin_mul_overflow(len, 4, &extra) ||
	    __builtin_add_overflow(extra, 3, &extra)) {
		errno = EOVERFLOW;
		return NULL;
	}
	out = pae_head("DSSEV1", type, len, extra, &used, &cap);
	if (!out)
		return NULL;
	out[used++] = 'b';
	out[used++] = (unsigned char)q;
	for (i = 0; i < len; i++) {
		unsigned char c = payload[i];

		if (c == (unsigned char)q || c == '\\') {
			out[used++] = '\\';
			out[used++] = c;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			out[used++] = '\\';
			out[used++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c >= 0x7f) {
			static const char hx[] = "0123456789abcdef";

			out[used++] = '\\';
			out[used++] = 'x';
			out[used++] = (unsigned char)hx[c >> 4];
			out[used++] = (unsigned char)hx[c & 15];
		} else {
			out[used++] = c;
		}
	}
	out[used++] = (unsigned char)q;
	*ret_len = used;
	return out;
}
