/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <string.h>

#include "pickle/text.h"

void
utf8_begin(struct utf8_state *u)
{
	memset(u, 0, sizeof(*u));
}

void
utf8_feed(struct utf8_state *u, const uint8_t *s, size_t n, bool surrogates_ok)
{
	size_t i;

	for (i = 0; i < n && !u->bad; i++) {
		uint8_t c = s[i];

		if (u->need > 0) {
			if ((c & 0xc0) != 0x80) {
				u->bad = true;
				break;
			}
			if (u->seen == 0) {
				/* Range checks on the second byte. */
				if ((u->first == 0xe0 && c < 0xa0) ||
				    (u->first == 0xf0 && c < 0x90) ||
				    (u->first == 0xf4 && c >= 0x90) ||
				    (u->first == 0xed && c >= 0xa0 &&
				     !surrogates_ok)) {
					u->bad = true;
					break;
				}
			}
			u->seen++;
			u->need--;
			continue;
		}
		if (c < 0x80)
			continue;
		u->first = c;
		u->seen = 0;
		if (c >= 0xc2 && c <= 0xdf)
			u->need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			u->need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			u->need = 3;
		else
			u->bad = true;
	}
}

bool
utf8_end(struct utf8_state *u)
{
	return !u->bad && u->need == 0;
}

bool
utf8_valid(const uint8_t *s, size_t n, bool surrogates_ok)
{
	struct utf8_state u;
	size_t i;

	for (i = 0; i < n && s[i] < 0x80; i++)
		;
	if (i == n)	/* names are ASCII almost always */
		return true;
	utf8_begin(&u);
	utf8_feed(&u, s, n, surrogates_ok);
	return utf8_end(&u);
}

static size_t
put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
latin1_to_utf8(const uint8_t *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		o += put_utf8(s[i], out + o);
	out[o] = '\0';
	return o;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
raw_unicode_escape_decode(const uint8_t *s, size_t n, char *out, size_t cap,
			  size_t *ret_len)
{
	size_t i = 0, o = 0;

	(void)cap;
	while (i < n) {
		size_t run = 0;

		/* A \u escape counts only after an odd run of backslashes. */
		while (i + run < n && s[i + run] == '\\')
			run++;
		if (run > 0) {
			size_t k;
			bool escape = (run % 2) == 1 && i + run < n &&
				      (s[i + run] == 'u' || s[i + run] == 'U');

			for (k = 0; k < run - (escape ? 1 : 0); k++)
				out[o++] = '\\';
			i += run;
			if (escape) {
				int digits = s[i] == 'u' ? 4 : 8, d;
				uint32_t cp = 0;

				i++;
				for (d = 0; d < digits; d++) {
					int h = i < n ? hexval(s[i]) : -1;

					if (h < 0)
						return false;
					cp = cp * 16 + (uint32_t)h;
					i++;
				}
				if (cp > 0x10ffff)
					return false;
				o += put_utf8(cp, out + o);
			}
			continue;
		}
		o += put_utf8(s[i], out + o);
		i++;
	}
	out[o] = '\0';
	*ret_len = o;
	return true;
}

bool
escape_decode_latin1(const uint8_t *s, size_t n, char *out, size_t cap,
		     size_t *ret_len)
{
	size_t i = 0, o = 0;

	(void)cap;
	while (i < n) {
		uint8_t c = s[i++];

		if (c != '\\') {
			o += put_utf8(c, out + o);
			continue;
		}
		if (i >= n)
			return false;	/* "Trailing \ in string" */
		c = s[i++];
		switch (c) {
		case '\n': break;
		case '\\': out[o++] = '\\'; break;
		case '\'': out[o++] = '\''; break;
		case '"': out[o++] = '"'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 't': out[o++] = '\t'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 'v': out[o++] = '\v'; break;
		case 'a': out[o++] = '\a'; break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			unsigned v = (unsigned)(c - '0');
			int k;

			for (k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7';
			     k++)
				v = v * 8 + (unsigned)(s[i++] - '0');
			o += put_utf8(v & 0xff, out + o);
			break;
		}
		case 'x': {
			int h1 = i < n ? hexval(s[i]) : -1;
			int h2 = i + 1 < n ? hexval(s[i + 1]) : -1;

			if (h1 < 0 || h2 < 0)
				return false;	/* "invalid \x escape" */
			o += put_utf8((uint32_t)(h1 * 16 + h2), out + o);
			i += 2;
			break;
		}
		default:
			/* Unknown escapes are kept, backslash and all. */
			out[o++] = '\\';
			o += put_utf8(c, out + o);
		}
	}
	out[o] = '\0';
	*ret_len = o;
	return true;
}
