/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vm_internal.h - the pickle machine's state and the helpers its files
 * share (internal to scanner/pickle/).  The machine is split by job:
 *   vm.c       the dispatch loop (step), the stack, memo opcodes, runs
 *   readers.c  the two CPython unpicklers' reading: frames, text lines,
 *              payloads, text numbers and indices, and the bookkeeping of
 *              where one reader fails and the other goes on
 *   strings.c  the string and bytes opcodes
 *   calls.c    imports, calls and the opcodes that call (REDUCE, BUILD...)
 *   nested.c   payload extents and nested loaders (pickle.loads(b"..."))
 * The hot helpers (reading a few bytes, pushing and popping) are static
 * inline here so that the dispatch loop stays as fast as one file was.
 */
#ifndef PW_PICKLE_VM_INTERNAL_H
#define PW_PICKLE_VM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pw_limits.h"
#include "pickle/memo.h"
#include "pickle/names.h"
#include "pickle/numparse.h"
#include "pickle/opcodes.h"
#include "pickle/pickle.h"
#include "pickle/text.h"
#include "pickle/pw_values.h"

#define HIGHEST_PROTOCOL 5

struct pickle_vm {
	struct scan_ctx *ctx;
	struct pickle_opts opts;
	struct pv_pool pool;
	struct pv **stack;
	size_t sp, stack_cap;
	size_t *marks;
	size_t nmarks, marks_cap;
	/* The memo outlives one pickle: an Unpickler object reused for
	 * several load() calls keeps it, so later pickles may GET what
	 * earlier ones PUT.  Keeping it is the superset of both cases. */
	struct memo memo;
	struct imp_table imps;
	size_t imps_emitted;
	/* getattr records judged by their uses (builtins/__builtin__ spelled
	 * at protocols below and from 3: a handful at most). */
	struct imp *pinned[8];
	size_t n_pinned;
	struct pv *top;
	unsigned run_index;
	/* Where large bytes payloads sit in the source, for nested loaders
	 * whose argument we scan in place. */
	struct extent {
		uint64_t off, len;	/* in the stream's source */
		uint8_t *mem;		/* or these bytes, owned */
		bool latin1;		/* UTF-8 text to encode as latin-1 */
		bool scanned;		/* already scanned as a nested file */
		long latin1_of;		/* text extent: its bytes' extent */
	} *extents;
	size_t n_extents, extents_cap;

	/* State of the current run. */
	struct stream *st;
	int proto;
	bool c_alive, py_alive;
	bool py_in_frame;
	uint64_t py_frame_end;
	/* _pickle's read-ahead buffer holding a FRAME's bytes: on a reader
	 * without peek() (torch reads data.pkl from an io.BytesIO) a read
	 * that starts inside it and runs past its end drops the rest of it.
	 * Tracked apart from the Python reader's frame, which dies on a
	 * nested FRAME that _pickle reads on through. */
	bool c_in_frame;
	uint64_t c_frame_end;
	/* The last pickle stopped inside a frame ending here: an unpickler
	 * reused for the next pickle still holds that frame in its buffer
	 * (when the frame came by read(), being larger than what peek()
	 * gave, as on any stream), so the next run starts inside it.  0:
	 * none. */
	uint64_t c_frame_carry;
	/* This run began with entries an earlier pickle left in the memo,
	 * and a GET or MEMOIZE (whose index is the memo's size) read it:
	 * a loader with a new unpickler per pickle reads it otherwise.
	 * fresh_from is where the first such run began. */
	bool memo_carried, memo_differs;
	uint64_t fresh_from;
	/* joblib's reading skipped the raw bytes of an array. */
	bool joblib_read;
	bool executed, called;
	bool persid_seen;
	bool importable_after_div;	/* an import that can succeed */
	uint64_t op_off;
	const char *op_name;
	bool diverged, exec_after_div;
	uint64_t div_off;
	char div_reason[200];
	bool failed;
	bool sparse_memo_reported;
	/* The stack or the mark stack outgrew its cap and its oldest half
	 * was shed (vm_shed_stack): the run goes on, what was shed reads back
	 * as unknown values (judged as computed, never as harmless). */
	bool stack_shed, marks_shed;
	uint64_t run_start;	/* offset of this pickle's first opcode */
	struct imp *ext_first;	/* EXT as the first opcode, judged at STOP */
	char fail_reason[200];
	bool fail_eof;		/* the failure is the data ending early */
	bool fatal;		/* out of memory or a limit: stop the stream */
};

/*
 * Reads one text line.  C requires it to end with '\n' (and callers may
 * require a minimum length); the Python unpickler takes a partial line at
 * the end of the file, and inside a frame requires the '\n' within it.
 * *ret is NULL when the line is too long to keep.
 */
struct line {
	const uint8_t *p;
	size_t len;		/* with the '\n' if any */
	bool nl;
	bool long_line;
};

/* The three decoders of 8-bit and escaped text; each writes at most
 * 2 * n + 1 bytes of UTF-8 and fails as Python's codec would. */
typedef bool (*text_decoder)(const uint8_t *s, size_t n, char *out,
			     size_t cap, size_t *ret_len);

/* readers.c */
void vm_frame_straddle(struct pickle_vm *vm);
void vm_die_c(struct pickle_vm *vm, const char *why);
void vm_die_py(struct pickle_vm *vm, const char *why);
void vm_die_both(struct pickle_vm *vm, const char *why);
void vm_die_both_eof(struct pickle_vm *vm, const char *why);
void vm_fatal_limit(struct pickle_vm *vm, const char *what);
/* The stack is at PW_MAX_STACK: sheds its oldest half (see stack_shed). */
void vm_shed_stack(struct pickle_vm *vm);
void vm_shed_marks(struct pickle_vm *vm);
/* Fewer than n items above an empty fence on a shed stack: the missing
 * ones are unknown values.  False (the run dies) otherwise. */
bool vm_need_shed(struct pickle_vm *vm, size_t n);
void vm_fatal_nomem(struct pickle_vm *vm);
void vm_mark_executed(struct pickle_vm *vm);
void vm_risky_after_divergence(struct pickle_vm *vm);
bool vm_rd_line(struct pickle_vm *vm, struct line *l);
bool vm_rd_payload(struct pickle_vm *vm, uint64_t n, bool utf8,
	const uint8_t **ret);
void vm_op_text_number(struct pickle_vm *vm, uint8_t op);
bool vm_text_index(struct pickle_vm *vm, uint64_t *key);

/* vm.c */
long vm_pop_mark(struct pickle_vm *vm);
bool vm_is_dtype_global(const struct pv *v);

/* strings.c */
void vm_op_string(struct pickle_vm *vm);
void vm_op_unicode_line(struct pickle_vm *vm);
void vm_op_binstring(struct pickle_vm *vm, size_t lenbytes);
void vm_op_binunicode(struct pickle_vm *vm, size_t lenbytes);

/* calls.c */
void vm_check_mutation_target(struct pickle_vm *vm, const struct pv *target,
	const char *how);
bool vm_mutation_ok(struct pickle_vm *vm, const struct pv *target, uint8_t op);
void vm_op_global_lines(struct pickle_vm *vm, bool inst);
void vm_op_stack_global(struct pickle_vm *vm);
void vm_op_reduce(struct pickle_vm *vm);
void vm_op_newobj(struct pickle_vm *vm, bool ex);
void vm_op_obj(struct pickle_vm *vm);
void vm_op_build(struct pickle_vm *vm);
bool vm_keys_dunder(const struct pickle_vm *vm, size_t from);
void vm_flag_dunder(struct pickle_vm *vm, size_t target);
void vm_op_persid(struct pickle_vm *vm, bool binary);
void vm_op_ext(struct pickle_vm *vm, size_t n);
void vm_emit_imports(struct pickle_vm *vm, bool downgrade);
struct pv *vm_global_value(struct pickle_vm *vm, struct imp *imp);

/* callmodel.c */
void vm_apply_model(struct pickle_vm *vm, struct imp *imp,
	const struct pv *args, unsigned depth);
bool vm_pinned_type(struct pickle_vm *vm, struct pv *fn, struct pv *args);
bool vm_pinned_getattr(struct pickle_vm *vm, struct pv *fn, struct pv *args);
bool vm_is_dtype_global(const struct pv *v);

/* nested.c */
struct pv *vm_new_extent(struct pickle_vm *vm, enum pv_kind kind, uint64_t off,
	uint64_t len, uint8_t *mem, bool latin1);
void vm_op_bytes(struct pickle_vm *vm, size_t lenbytes, enum pv_kind kind);
bool vm_is_global_named(const struct pv *fn, const char *name);
bool vm_is_latin1_name(const struct pv *v);
struct pv *vm_latin1_bytes(struct pickle_vm *vm, const struct pv *args);
bool vm_is_nested_loader(const struct pv *fn);
void vm_nested_load(struct pickle_vm *vm, const struct pv *fn,
	const struct pv *args);

static inline bool
alive(const struct pickle_vm *vm)
{
	return vm->c_alive || vm->py_alive;
}

/* A read of n bytes at off, against both readers' frames (readers.c). */
static inline void
py_frame_check(struct pickle_vm *vm, uint64_t off, uint64_t n)
{
	bool py = vm->py_alive && vm->py_in_frame;
	bool c = vm->c_alive && vm->c_in_frame;

	if (n == 0)
		return;
	if (py && off == vm->py_frame_end) {
		vm->py_in_frame = false;
		py = false;
	}
	if (c && off >= vm->c_frame_end) {
		vm->c_in_frame = false;	/* the buffer is used up */
		c = false;
	}
	if ((py && off + n > vm->py_frame_end) ||
	    (c && off + n > vm->c_frame_end))
		vm_frame_straddle(vm);
}

static inline bool
rd(struct pickle_vm *vm, size_t n, const uint8_t **ret)
{
	py_frame_check(vm, stream_offset(vm->st), n);
	if (!stream_read(vm->st, n, ret)) {
		vm_die_both_eof(vm, "the data ends inside an opcode's argument");
		return false;
	}
	return true;
}

static inline bool
rd_u8(struct pickle_vm *vm, uint64_t *v)
{
	const uint8_t *p;

	if (!rd(vm, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static inline bool
rd_le(struct pickle_vm *vm, size_t n, uint64_t *v)
{
	const uint8_t *p;
	size_t i;

	if (!rd(vm, n, &p))
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)p[i] << (8 * i);
	return true;
}

static inline size_t
fence(const struct pickle_vm *vm)
{
	return vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
}

/* The cold half of push(): a NULL value, or a full stack to grow or shed
 * (out of line, so that push() stays small enough to inline). */
void vm_push_slow(struct pickle_vm *vm, struct pv *v);

static inline void
push(struct pickle_vm *vm, struct pv *v)
{
	/* Counted for resolvers judged by their uses (see pinned_getattr). */
	if (v != NULL && v->kind == PV_GLOBAL)
		v->u.imp->pushes++;
	if (__builtin_expect(v == NULL || vm->sp == vm->stack_cap, 0)) {
		vm_push_slow(vm, v);
		return;
	}
	vm->stack[vm->sp++] = v;
}

/* Items above the fence. */
static inline size_t
avail(const struct pickle_vm *vm)
{
	return vm->sp - fence(vm);
}

static inline bool
need(struct pickle_vm *vm, size_t n)
{
	if (avail(vm) < n) {
		if (vm->stack_shed || vm->marks_shed)
			return vm_need_shed(vm, n);
		vm_die_both(vm, "stack underflow");
		return false;
	}
	return true;
}

static inline struct pv *
pop(struct pickle_vm *vm)
{
	return vm->stack[--vm->sp];
}

static inline void
drop_to(struct pickle_vm *vm, size_t to)
{
	while (vm->sp > to)
		pv_unref(&vm->pool, vm->stack[--vm->sp]);
}

#endif
