/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store/escape.h"
#include "agent/store/utf8.h"

/* Appends the escaped form of s to out (when out is not NULL) and returns
 * its length. */
static size_t
escape_into(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	char tmp[8];

	while (*p) {
		size_t len = store_utf8_valid_len(p);
		const char *rep = NULL;

		if (len == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\' &&
		    *p != '"') {
			if (out)
				out[n] = (char)*p;
			n++;
			p++;
			continue;
		}
		if (len > 1) {
			if (out)
				memcpy(out + n, p, len);
			n += len;
			p += len;
			continue;
		}
		switch (*p) {
		case '\n': rep = "\\n"; break;
		case '\t': rep = "\\t"; break;
		case '\r': rep = "\\r"; break;
		case '\\': rep = "\\\\"; break;
		case '"': rep = "\\\""; break;
		default:
			snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
			rep = tmp;
		}
		if (out)
			memcpy(out + n, rep, strlen(rep));
		n += strlen(rep);
		p++;
	}
	return n;
}

char *
escape_text(const char *s)
{
	size_t n = escape_into(s ? s : "", NULL);
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	escape_into(s ? s : "", out);
	out[n] = '\0';
	return out;
}

void
escape_text_buf(const char *s, char *out, size_t cap)
{
	char *e;
	size_t n;

	if (cap == 0)
		return;
	e = escape_text(s);
	if (e == NULL) {
		snprintf(out, cap, "(out of memory)");
		return;
	}
	n = strlen(e);
	if (n < cap) {
		memcpy(out, e, n + 1);
	} else if (cap > 4) {
		/* Cut on a character boundary, then mark the cut. */
		n = cap - 4;
		while (n > 0 && ((unsigned char)e[n] & 0xc0) == 0x80)
			n--;
		memcpy(out, e, n);
		memcpy(out + n, "...", 4);
	} else {
		out[0] = '\0';
	}
	free(e);
}

void
escape_json_write(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		size_t len = store_utf8_valid_len(p);

		if (len > 1) {
			fwrite(p, 1, len, out);
			p += len;
			continue;
		}
		if (len == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\' &&
		    *p != '"') {
			fputc(*p, out);
		} else if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p, out);
		} else if (*p == '\n') {
			fputs("\\n", out);
		} else if (*p == '\t') {
			fputs("\\t", out);
		} else {
			/* Control characters and invalid bytes: the byte
			 * value as a code point keeps the output valid JSON
			 * and the byte recoverable. */
			fprintf(out, "\\u%04x", *p);
		}
		p++;
	}
	fputc('"', out);
}
