/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strings.c - the string and bytes opcodes of the pickle machine (STRING,
 * BINSTRING, UNICODE, BINUNICODE...): decoded as each unpickler would.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

static bool
decode_latin1(const uint8_t *s, size_t n, char *out, size_t cap,
	      size_t *ret_len)
{
	(void)cap;
	*ret_len = latin1_to_utf8(s, n, out);
	return true;
}

/* Pushes s[0..n) decoded as a str; n is at most PW_LINE_MAX. */
static void
vm_push_decoded(struct pickle_vm *vm, const uint8_t *s, size_t n,
	     text_decoder decode, const char *bad)
{
	size_t outlen;
	char *out = malloc(2 * n + 1);

	if (out == NULL) {
		vm_fatal_nomem(vm);
		return;
	}
	if (!decode(s, n, out, 2 * n + 1, &outlen))
		vm_die_both(vm, bad);
	else
		push(vm, pv_new_str(&vm->pool, PV_STR, (const uint8_t *)out,
				    outlen));
	free(out);
}

void
vm_op_string(struct pickle_vm *vm)
{
	struct line l;
	size_t blen;

	if (!vm_rd_line(vm, &l))
		return;
	if (l.long_line) {
		push(vm, pv_new_str(&vm->pool, PV_STR, NULL, l.len));
		return;
	}
	/* Both drop the line's last byte (C: its '\n'), then require the
	 * body to be quoted the same at both ends. */
	blen = l.len ? l.len - 1 : 0;
	if (!(blen >= 2 && l.p[0] == l.p[blen - 1] &&
	      (l.p[0] == '\'' || l.p[0] == '"'))) {
		vm_die_both(vm, "STRING argument is not quoted");
		return;
	}
	vm_push_decoded(vm, l.p + 1, blen - 2, escape_decode_latin1,
		     "STRING argument has a bad escape");
}

void
vm_op_unicode_line(struct pickle_vm *vm)
{
	struct line l;

	if (!vm_rd_line(vm, &l))
		return;
	if (l.long_line) {
		push(vm, pv_new_str(&vm->pool, PV_STR, NULL, l.len));
		return;
	}
	vm_push_decoded(vm, l.p, l.len ? l.len - 1 : 0, raw_unicode_escape_decode,
		     "UNICODE argument has a bad escape");
}

/* BINSTRING family: 8-bit strings, decoded with the loader's encoding
 * (we read them as latin-1: every byte decodes, as with torch.load's and
 * numpy's settings). */
void
vm_op_binstring(struct pickle_vm *vm, size_t lenbytes)
{
	uint64_t n;
	const uint8_t *p;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (lenbytes == 4 && n >= 0x80000000ULL)
		vm_die_py(vm, "BINSTRING length is negative for the Python "
			   "unpickler");
	if (!vm_rd_payload(vm, n, false, &p))
		return;
	if (p == NULL) {
		push(vm, pv_new_str(&vm->pool, PV_STR, NULL, n));
		return;
	}
	vm_push_decoded(vm, p, (size_t)n, decode_latin1, "");
}

void
vm_op_binunicode(struct pickle_vm *vm, size_t lenbytes)
{
	uint64_t n;
	const uint8_t *p;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (n > INT64_MAX) {
		vm_die_both(vm, "string length exceeds the maximum size");
		return;
	}
	{
		uint64_t off = stream_offset(vm->st);

		if (!vm_rd_payload(vm, n, true, &p))
			return;
		if (p == NULL && vm->st->from_source) {
			/* Too long to be a name; remember where it is, in
			 * case it is protocol 2's latin-1 text of a
			 * payload for a nested loader. */
			push(vm, vm_new_extent(vm, PV_STR, off, n, NULL, false));
			return;
		}
	}
	push(vm, pv_new_str(&vm->pool, PV_STR, p, n));
}
