/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "agent/store/hex.h"

int
store_hex_digit(unsigned char c)
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
store_hex_decode(const char *s, size_t n_digits, unsigned char *out)
{
	size_t i;

	if (n_digits % 2)
		return false;
	for (i = 0; i < n_digits; i += 2) {
		int hi = store_hex_digit((unsigned char)s[i]);
		int lo = store_hex_digit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}
