/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store/escape.h"
#include "agent/store/utf8.h"

/* The code point of a valid UTF-8 sequence of len bytes. */
static unsigned
decode(const unsigned char *p, size_t len)
{
	switch (len) {
	case 2: return ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	case 3: return ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) |
		       (p[2] & 0x3fu);
	case 4: return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) |
		       ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
	}
	return p[0];
}

bool
escape_is_invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 controls */
	       cp == 0xad ||				/* soft hyphen */
	       cp == 0x061c ||				/* arabic letter mark */
	       cp == 0x180e ||				/* mongolian vowel sep. */
	       (cp >= 0x200b && cp <= 0x200f) ||	/* ZW space/joiners,
							   LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||	/* line/para separators,
							   bidi embeddings */
	       (cp >= 0x2060 && cp <= 0x2064) ||	/* word joiner, invisible
							   operators */
	       (cp >= 0x2066 && cp <= 0x206f) ||	/* bidi isolates,
							   deprecated formats */
	       cp == 0xfeff ||				/* BOM / ZWNBSP */
	       (cp >= 0xfff9 && cp <= 0xfffb) ||	/* annotations */
	       (cp >= 0xe0000 && cp <= 0xe007f);	/* tag characters */
}

/* Appends the escaped form of s to out (when out is not NULL) and returns
 * its length. */
static size_t
escape_into(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	char tmp[16];

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
		if (len > 1 && escape_is_invisible(decode(p, len))) {
			/* Bidi controls and invisible format characters
			 * would reorder or hide what a reader sees
			 * ("evil\u{202e}txt.pt"): shown as code points. */
			snprintf(tmp, sizeof(tmp), "\\u{%x}", decode(p, len));
			if (out)
				memcpy(out + n, tmp, strlen(tmp));
			n += strlen(tmp);
			p += len;
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

		if (len > 1 && escape_is_invisible(decode(p, len))) {
			unsigned cp = decode(p, len);

			/* JSON's own escape: a surrogate pair above the
			 * BMP (the tag characters). */
			if (cp > 0xffff)
				fprintf(out, "\\u%04x\\u%04x",
					0xd800 + ((cp - 0x10000) >> 10),
					0xdc00 + ((cp - 0x10000) & 0x3ff));
			else
				fprintf(out, "\\u%04x", cp);
			p += len;
			continue;
		}
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
