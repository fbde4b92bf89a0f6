/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/numparse.h"

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int
digit_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * Python's int(s, base) grammar (PyLong_FromString): optional whitespace,
 * sign, base prefix (base 0 or matching base), digits with single
 * underscores between them, optional whitespace.  Computes the value when
 * it fits in int64.
 */
static bool
py_int_literal(const uint8_t *s, size_t len, int base, bool *fits,
	       int64_t *value)
{
	size_t i = 0;
	bool neg = false, any = false, prev_us = false, leading_zero = false;
	uint64_t acc = 0;
	bool overflow = false;

	while (i < len && is_space(s[i]))
		i++;
	while (len > i && is_space(s[len - 1]))
		len--;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i + 1 < len && s[i] == '0') {
		uint8_t p = s[i + 1] | 0x20;
		int pbase = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;

		if (pbase != 0 && (base == 0 || base == pbase)) {
			base = pbase;
			i += 2;
			prev_us = true;	/* "0x_1" is allowed */
			if (i < len && s[i] == '_')
				i++;
			prev_us = false;
			if (i >= len)
				return false;
		}
	}
	if (base == 0) {
		base = 10;
		if (i < len && s[i] == '0')
			leading_zero = true;
	}
	for (; i < len; i++) {
		int d;

		if (s[i] == '_') {
			if (prev_us || !any)
				return false;
			prev_us = true;
			continue;
		}
		d = digit_value(s[i]);
		if (d >= base)
			return false;
		if (leading_zero && d != 0)
			return false;	/* "012": no octal in Python 3 */
		if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		else
			acc = acc * (uint64_t)base + (uint64_t)d;
		any = true;
		prev_us = false;
	}
	if (!any || prev_us)
		return false;
	*fits = !overflow && acc <= (uint64_t)INT64_MAX;
	*value = *fits ? (neg ? -(int64_t)acc : (int64_t)acc) : 0;
	return true;
}

/* A C-string view of line: what the C unpickler sees (up to a NUL). */
static size_t
c_len(const uint8_t *line, size_t len)
{
	const uint8_t *nul = memchr(line, '\0', len);

	return nul ? (size_t)(nul - line) : len;
}

void
numparse_int(const uint8_t *line, size_t len, struct num_verdict *v)
{
	char buf[128];
	size_t cl = c_len(line, len);
	char *end;
	long x;

	memset(v, 0, sizeof(*v));
	/* Python: int(line, 0), the whole line; "00"/"01" are bools. */
	if ((len == 2 || (len == 3 && line[2] == '\n')) && line[0] == '0' &&
	    (line[1] == '0' || line[1] == '1'))
		v->py_ok = true;
	else
		v->py_ok = py_int_literal(line, len, 0, &v->py_fits,
					  &v->py_value);
	/* C: strtol(s, &end, 0) must stop at the newline or a NUL; else
	 * PyLong_FromString(s, NULL, 0) on the C string. */
	if (cl < sizeof(buf)) {
		memcpy(buf, line, cl);
		buf[cl] = '\0';
		errno = 0;
		x = strtol(buf, &end, 0);
		if (errno == 0 && end != buf && *end == '\0') {
			v->c_ok = true;
			v->c_fits = true;
			v->c_value = x;
			return;
		}
		/* strtol accepts "" as 0 with end == buf: then *end is the
		 * terminator too, which CPython also takes as success. */
		if (errno == 0 && end == buf && cl == 0) {
			v->c_ok = true;
			v->c_fits = true;
			return;
		}
	}
	v->c_ok = py_int_literal(line, cl, 0, &v->c_fits, &v->c_value);
}

void
numparse_long(const uint8_t *line, size_t len, struct num_verdict *v)
{
	size_t plen = len, cl;

	memset(v, 0, sizeof(*v));
	/* Both strip one trailing 'L' (C overwrites it with a NUL). */
	if (plen > 0 && line[plen - 1] == 'L')
		plen--;
	v->py_ok = py_int_literal(line, plen, 0, &v->py_fits, &v->py_value);
	cl = c_len(line, plen);
	v->c_ok = py_int_literal(line, cl, 0, &v->c_fits, &v->c_value);
}

void
numparse_index(const uint8_t *line, size_t len, struct num_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->py_ok = py_int_literal(line, len, 10, &v->py_fits, &v->py_value);
	v->c_ok = py_int_literal(line, c_len(line, len), 10, &v->c_fits,
				 &v->c_value);
}

/* Consumes a run of digits (with single underscores between digits when
 * allowed) from s[*i]; returns how many digits it took. */
static size_t
digit_run(const uint8_t *s, size_t len, size_t *i, bool underscores)
{
	size_t digits = 0;
	bool prev_digit = false;

	for (; *i < len; (*i)++) {
		if (s[*i] >= '0' && s[*i] <= '9') {
			digits++;
			prev_digit = true;
		} else if (s[*i] == '_' && underscores && prev_digit &&
			   *i + 1 < len && s[*i + 1] >= '0' && s[*i + 1] <= '9') {
			prev_digit = false;
		} else {
			break;
		}
	}
	return digits;
}

/* [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits], or
 * inf/infinity/nan; underscores between digits when allowed. */
static bool
float_literal(const uint8_t *s, size_t len, bool underscores)
{
	size_t i = 0, digits;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (len - i == 3 && strncasecmp((const char *)s + i, "inf", 3) == 0)
		return true;
	if (len - i == 8 &&
	    strncasecmp((const char *)s + i, "infinity", 8) == 0)
		return true;
	if (len - i == 3 && strncasecmp((const char *)s + i, "nan", 3) == 0)
		return true;
	digits = digit_run(s, len, &i, underscores);
	if (i < len && s[i] == '.') {
		i++;
		digits += digit_run(s, len, &i, underscores);
	}
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (digit_run(s, len, &i, underscores) == 0)
			return false;
	}
	return i == len;
}

void
numparse_float(const uint8_t *line, size_t len, struct num_verdict *v)
{
	size_t b = 0, e = len, cl = c_len(line, len);
	char buf[512];

	memset(v, 0, sizeof(*v));
	/* Python: float() strips whitespace and allows underscores. */
	while (b < e && is_space(line[b]))
		b++;
	while (e > b && is_space(line[e - 1]))
		e--;
	v->py_ok = memchr(line, '\0', len) == NULL &&
		   float_literal(line + b, e - b, true);
	/* C: PyOS_string_to_double takes no whitespace, stops at the C
	 * string's end, and raises OverflowError for finite text that
	 * overflows a double. */
	v->c_ok = float_literal(line, cl, false);
	if (v->c_ok && cl < sizeof(buf)) {
		double d;

		memcpy(buf, line, cl);
		buf[cl] = '\0';
		d = strtod(buf, NULL);
		if (isinf(d) && strpbrk(buf, "iI") == NULL)
			v->c_ok = false;
	}
}
