/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested.c - payload extents (where large bytes sit in the source) and
 * nested loaders (pickle.loads(b"..."), torch.load(io.BytesIO(...))):
 * their payload is scanned in place, once, through the dispatcher's hook.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

/* Payloads worth remembering: a torch.save'd storage is never tiny. */
#define EXTENT_MIN 64


struct pv *
vm_new_extent(struct pickle_vm *vm, enum pv_kind kind, uint64_t off,
	   uint64_t len, uint8_t *mem, bool latin1)
{
	struct pv *v;

	if (vm->n_extents >= PW_MAX_EXTENTS) {
		free(mem);
		return pv_literal(&vm->pool, kind);
	}
	if (vm->n_extents == vm->extents_cap) {
		size_t ncap = vm->extents_cap ? vm->extents_cap * 2 : 16;
		struct extent *e = reallocarray(vm->extents, ncap, sizeof(*e));

		if (e == NULL) {
			free(mem);
			return NULL;
		}
		vm->extents = e;
		vm->extents_cap = ncap;
	}
	v = pv_new(&vm->pool, kind);
	if (v == NULL) {
		free(mem);
		return NULL;
	}
	vm->extents[vm->n_extents].off = off;
	vm->extents[vm->n_extents].len = len;
	vm->extents[vm->n_extents].mem = mem;
	vm->extents[vm->n_extents].latin1 = latin1;
	vm->extents[vm->n_extents].scanned = false;
	vm->extents[vm->n_extents].latin1_of = -1;
	v->flags = PVF_LONG | PVF_EXTENT;
	v->u.i = (int64_t)vm->n_extents++;
	v->count = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	return v;
}

void
vm_op_bytes(struct pickle_vm *vm, size_t lenbytes, enum pv_kind kind)
{
	uint64_t n, off;
	const uint8_t *p;
	struct pv *v;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (n > INT64_MAX) {
		vm_die_both(vm, "bytes length exceeds the maximum size");
		return;
	}
	off = stream_offset(vm->st);
	if (!vm_rd_payload(vm, n, false, &p))
		return;
	if (kind != PV_BYTES || n < EXTENT_MIN || !vm->st->from_source) {
		push(vm, pv_literal(&vm->pool, kind));
		return;
	}
	v = vm_new_extent(vm, PV_BYTES, off, n, NULL, false);
	push(vm, v);
}

bool
vm_is_global_named(const struct pv *fn, const char *name)
{
	return fn->kind == PV_GLOBAL &&
	       strcmp(imp_resolved_name(fn->u.imp), name) == 0;
}

bool
vm_is_latin1_name(const struct pv *v)
{
	const char *s = pv_get_str(v, NULL);

	return s != NULL &&
	       (strcasecmp(s, "latin1") == 0 || strcasecmp(s, "latin-1") == 0 ||
		strcasecmp(s, "iso-8859-1") == 0 ||
		strcasecmp(s, "iso8859-1") == 0 || strcasecmp(s, "l1") == 0);
}

/* _codecs.encode(text, 'latin1'), how protocol 2 writes bytes: returns
 * the bytes as a located value when the text can be found again. */
struct pv *
vm_latin1_bytes(struct pickle_vm *vm, const struct pv *args)
{
	const struct pv *text = pv_item(args, 0), *enc = pv_item(args, 1);
	const char *s;
	size_t len, i, o = 0;
	uint8_t *mem;

	if (pv_count(args) != 2 || text == NULL || enc == NULL ||
	    text->kind != PV_STR || !vm_is_latin1_name(enc))
		return NULL;
	if (text->flags & PVF_EXTENT) {
		/* The same text encoded again is the same bytes: one extent,
		 * so it is decoded and scanned once however often it is
		 * used. */
		long ti = (long)text->u.i;
		struct pv *b;

		if (vm->extents[ti].latin1_of >= 0) {
			b = pv_new(&vm->pool, PV_BYTES);
			if (b != NULL) {
				b->flags = PVF_LONG | PVF_EXTENT;
				b->u.i = vm->extents[ti].latin1_of;
				b->count = (uint32_t)(vm->extents[ti].len >
						      UINT32_MAX
						      ? UINT32_MAX
						      : vm->extents[ti].len);
			}
			return b;
		}
		b = vm_new_extent(vm, PV_BYTES, vm->extents[ti].off,
			       vm->extents[ti].len, NULL, true);
		if (b != NULL && (b->flags & PVF_EXTENT))
			vm->extents[ti].latin1_of = (long)b->u.i;
		return b;
	}
	s = pv_get_str(text, &len);
	if (s == NULL || len < EXTENT_MIN / 2)
		return NULL;
	mem = malloc(len);
	if (mem == NULL)
		return NULL;
	for (i = 0; i < len; o++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			mem[o] = c;
			i++;
		} else if ((c == 0xc2 || c == 0xc3) && i + 1 < len) {
			mem[o] = (uint8_t)(((c & 0x03) << 6) |
					   ((unsigned char)s[i + 1] & 0x3f));
			i += 2;
		} else {
			free(mem);	/* not encodable as latin-1 */
			return NULL;
		}
	}
	return vm_new_extent(vm, PV_BYTES, 0, o, mem, false);
}

/*
 * torch.storage._load_from_bytes(b) runs torch.load on b: plain pickles of
 * tensors carry their storage that way.  We scan b where it lies, as a
 * file of its own; a call on anything we cannot locate is a nested loader
 * fed unknown input.
 */
bool
vm_is_nested_loader(const struct pv *fn)
{
	return fn->kind == PV_GLOBAL && fn->u.imp->model != NULL &&
	       strncmp(fn->u.imp->model, "load", 4) == 0;
}

/* Reads protocol 2's latin-1 text of a payload and encodes it back to the
 * bytes a loader would get; NULL when it cannot (too big, not latin-1). */
static uint8_t *
vm_decode_latin1_extent(struct pickle_vm *vm, const struct extent *e,
		     struct source *ret)
{
	uint8_t *buf, *out;
	size_t i, o = 0;

	if (e->len > PW_MAX_LATIN1_DECODE)
		return NULL;
	buf = malloc(e->len ? e->len : 1);
	if (buf == NULL)
		return NULL;
	if (source_read(&vm->st->src, e->off, buf, (size_t)e->len) != PW_OK) {
		free(buf);
		return NULL;
	}
	out = buf;	/* decoding only shrinks: in place */
	for (i = 0; i < e->len; o++) {
		if (buf[i] < 0x80) {
			out[o] = buf[i++];
		} else if ((buf[i] == 0xc2 || buf[i] == 0xc3) && i + 1 < e->len) {
			out[o] = (uint8_t)(((buf[i] & 0x03) << 6) |
					   (buf[i + 1] & 0x3f));
			i += 2;
		} else {
			free(buf);
			return NULL;
		}
	}
	source_init_mem(ret, out, o, NULL);
	return buf;
}

void
vm_nested_load(struct pickle_vm *vm, const struct pv *fn, const struct pv *args)
{
	const struct pv *b = pv_item(args, 0);
	struct scan_ctx *ctx = vm->ctx;
	struct source slice;
	char where[64];
	size_t saved;

	struct extent *e = NULL;
	uint8_t *decoded = NULL;

	if (b != NULL && b->kind == PV_BYTES && (b->flags & PVF_EXTENT))
		e = &vm->extents[b->u.i];
	/* The same payload loaded again (through the memo) gives the same
	 * findings: scanning it once bounds the work a pickle can cause. */
	if (e != NULL && e->scanned && args->kind == PV_TUPLE &&
	    pv_count(args) == 1) {
		fn->u.imp->followed++;
		return;
	}
	if (e != NULL && e->mem != NULL) {
		source_init_mem(&slice, e->mem, e->len, NULL);
	} else if (e != NULL && e->latin1) {
		decoded = vm_decode_latin1_extent(vm, e, &slice);
		if (decoded == NULL)
			e = NULL;
	} else if (e != NULL && !source_slice(&vm->st->src, e->off, e->len,
					      &slice)) {
		e = NULL;
	}
	if (args->kind != PV_TUPLE || pv_count(args) != 1 || e == NULL) {
		scan_report_global(ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
				   imp_resolved_name(fn->u.imp), NULL, NULL,
				   vm->op_name, vm->op_off,
				   "nested loader called on data that cannot "
				   "be located and scanned");
		return;
	}
	e->scanned = true;
	fn->u.imp->followed++;
	/* Decoded latin-1 counts like decompressed data: bounded per file. */
	if (decoded != NULL &&
	    !scan_account_decompressed(ctx, slice.size, e->len, vm->op_off)) {
		free(decoded);
		return;
	}
	snprintf(where, sizeof(where), "bytes@%llu", (unsigned long long)e->off);
	if (ctx->depth + 1 > ctx->limits[PW_LIMIT_MAX_DEPTH]) {
		/* The loader runs this payload and we cannot follow it: no
		 * writer nests loaders this deep, and a cap is no exit. */
		scan_report_global(ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
				   imp_resolved_name(fn->u.imp), NULL, NULL,
				   vm->op_name, vm->op_off,
				   "nested loader nested past max_depth: it runs "
				   "data that is not analysed");
	} else if (scan_enter(ctx, where, &saved)) {
		(void)scan_source(ctx, &slice);
		scan_leave(ctx, saved);
	}
	free(decoded);
}
