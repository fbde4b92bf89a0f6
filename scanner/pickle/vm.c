/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vm.c - the symbolic pickle machine: its dispatch loop, stack and runs
 * (vm_internal.h says which file does what).
 *
 * One pass over the stream decodes each opcode exactly as CPython's two
 * unpicklers do and runs it on symbolic values.  The C unpickler (_pickle,
 * used by pickle.load and torch.load) and the pure-Python one
 * (pickle._Unpickler, used by joblib and as pandas' fallback) agree on
 * almost everything; where a stream makes one of them fail and the other
 * go on (framing, text numbers, argument types), the machine marks the
 * failing one dead and follows the survivor, so that everything either of
 * them would execute is analysed - and the disagreement itself is
 * reported.  Everything before a failure has run in a real loader, so
 * findings made before it always stand.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

/* ---- the stack ---- */

/* Pops the top mark; returns its stack position or -1 (and fails). */
long
vm_pop_mark(struct pickle_vm *vm)
{
	if (vm->nmarks == 0) {
		if (vm->marks_shed)
			return 0;	/* a shed mark: the floor */
		vm_die_both(vm, "no MARK on the stack");
		return -1;
	}
	return (long)vm->marks[--vm->nmarks];
}

/* numpy.dtype, whose calls are kept whole (see vm_collect). */
bool
vm_is_dtype_global(const struct pv *v)
{
	const char *n;

	if (v == NULL || v->kind != PV_GLOBAL)
		return false;
	n = imp_resolved_name(v->u.imp);
	return strcmp(n, "numpy.dtype") == 0 ||
	       strcmp(n, "numpy.core.multiarray.dtype") == 0;
}

/* Builds a container from stack[from..sp) and pushes it. */
static void
vm_collect(struct pickle_vm *vm, size_t from, enum pv_kind kind)
{
	bool keep = false;
	struct pv *c;
	size_t i;

	/* Small tuples that carry a located payload keep their items, so a
	 * nested loader called with them can be followed. */
	if (kind == PV_TUPLE && vm->sp - from <= 4)
		for (i = from; i < vm->sp; i++)
			if ((vm->stack[i]->flags & PVF_EXTENT) ||
			    (vm->sp - from == 2 && i == from + 1 &&
			     vm->stack[from]->kind == PV_STR &&
			     vm_is_latin1_name(vm->stack[i])))
				keep = true;
	/* numpy.dtype's arguments: joblib reads a dtype memoized long before
	 * its first array (a numpy scalar's) to find the raw bytes. */
	if (kind == PV_TUPLE && from > 0 &&
	    vm_is_dtype_global(vm->stack[from - 1]))
		keep = true;
	/* Small tuples that hold a name, a global, a call result or a
	 * persistent load: the arguments the call model of an allowed
	 * callable judges (getattr(global, name), type(None), a callable
	 * handed to a higher-order function, shapes no writer produces). */
	if (kind == PV_TUPLE && vm->sp - from <= PW_CALL_ARGS_KEPT)
		for (i = from; i < vm->sp; i++)
			if (vm->stack[i]->kind == PV_NONE ||
			    vm->stack[i]->refs != PV_IMMORTAL)
				keep = true;
	c = (vm->pool.retain || keep) ? pv_new(&vm->pool, kind)
				      : pv_literal(&vm->pool, kind);
	if (c == NULL) {
		push(vm, NULL);
		return;
	}
	for (i = from; i < vm->sp; i++)
		if (!(keep ? pv_append_keep(&vm->pool, c, vm->stack[i])
			   : pv_append(&vm->pool, c, vm->stack[i])))
			vm->ctx->status = PW_ERR_NOMEM;
	vm->sp = from;
	push(vm, c);
}

static void
vm_memo_store(struct pickle_vm *vm, uint64_t key)
{
	int rc;

	if (!need(vm, 1))
		return;
	if (key >= PW_MEMO_SPARSE_INDEX && key > 2 * vm->memo.count + 1024 &&
	    !vm->sparse_memo_reported) {
		vm->sparse_memo_reported = true;
		scan_report(vm->ctx, PW_SEV_SUSPICIOUS, PW_KIND_DIFFERENTIAL,
			    vm->op_name, vm->op_off,
			    "memo index %llu far beyond the memo's size: the C "
			    "unpickler allocates an array this large (and may "
			    "fail) while the Python one does not",
			    (unsigned long long)key);
	}
	rc = memo_put(&vm->memo, &vm->pool, key, vm->stack[vm->sp - 1]);
	if (rc == -1)
		vm_fatal_nomem(vm);
	else if (rc == -2)
		vm_fatal_limit(vm, "memo too large");
}

static void
vm_memo_fetch(struct pickle_vm *vm, uint64_t key)
{
	struct pv *v = memo_get(&vm->memo, key);

	if (v == NULL) {
		vm_die_both(vm, "memo value not found");
		return;
	}
	push(vm, pv_ref(v));
}

/* ---- the dispatch loop ---- */

/* A GET or MEMOIZE in a pickle that found the memo of an earlier one:
 * the fresh-unpickler reading of the stream differs from here on. */
static void
memo_read(struct pickle_vm *vm)
{
	if (vm->memo_carried && !vm->memo_differs) {
		vm->memo_differs = true;
		vm->fresh_from = vm->run_start;
	}
}

static void
step(struct pickle_vm *vm, uint8_t op, bool *stop)
{
	uint64_t v;
	long mark;

	switch (op) {
	case '(': /* MARK */
		if (vm->nmarks == vm->marks_cap) {
			size_t ncap = vm->marks_cap ? vm->marks_cap * 2 : 64;
			size_t *n;

			if (ncap > PW_MAX_MARKS) {
				vm_shed_marks(vm);
				vm->marks[vm->nmarks++] = vm->sp;
				return;
			}
			n = reallocarray(vm->marks, ncap, sizeof(*n));
			if (n == NULL) {
				vm_fatal_nomem(vm);
				return;
			}
			vm->marks = n;
			vm->marks_cap = ncap;
		}
		vm->marks[vm->nmarks++] = vm->sp;
		return;
	case '.': /* STOP */
		if (!need(vm, 1))
			return;
		if (vm->top != NULL)
			pv_unref(&vm->pool, vm->top);
		vm->top = pop(vm);
		*stop = true;
		return;
	case '0': /* POP: pops a MARK when one sits at the top */
		if (vm->nmarks > 0 && vm->marks[vm->nmarks - 1] == vm->sp)
			vm->nmarks--;
		else if (need(vm, 1)) {
			struct pv *d = pop(vm);

			/* A global dropped unused did nothing (call model). */
			if (d->kind == PV_GLOBAL)
				d->u.imp->dropped++;
			pv_unref(&vm->pool, d);
		}
		return;
	case '1': /* POP_MARK */
		mark = vm_pop_mark(vm);
		if (mark >= 0)
			drop_to(vm, (size_t)mark);
		return;
	case '2': /* DUP */
		if (need(vm, 1))
			push(vm, pv_ref(vm->stack[vm->sp - 1]));
		return;
	case 'F': case 'I': case 'L':
		vm_op_text_number(vm, op);
		return;
	case 'J':
		if (rd_le(vm, 4, &v))
			push(vm, pv_new_int(&vm->pool,
					    (int64_t)(int32_t)(uint32_t)v, false));
		return;
	case 'K':
		if (rd_le(vm, 1, &v))
			push(vm, pv_new_int(&vm->pool, (int64_t)v, false));
		return;
	case 'M':
		if (rd_le(vm, 2, &v))
			push(vm, pv_new_int(&vm->pool, (int64_t)v, false));
		return;
	case 0x8a: /* LONG1 */
	case 0x8b: { /* LONG4 */
		const uint8_t *p;
		int64_t n;

		if (!rd_le(vm, op == 0x8a ? 1 : 4, &v))
			return;
		n = op == 0x8a ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v;
		if (n < 0) {
			vm_die_both(vm, "LONG has a negative byte count");
			return;
		}
		if (n <= 8 && n > 0) {
			int64_t val = 0;
			int i;

			if (!rd(vm, (size_t)n, &p))
				return;
			for (i = (int)n - 1; i >= 0; i--)
				val = (int64_t)(((uint64_t)val << 8) | p[i]);
			if (n < 8 && (p[n - 1] & 0x80))	/* sign-extend */
				val -= (int64_t)1 << (8 * n);
			push(vm, pv_new_int(&vm->pool, val, false));
			return;
		}
		if (!vm_rd_payload(vm, (uint64_t)n, false, &p))
			return;
		push(vm, pv_new_int(&vm->pool, 0, n > 0));
		return;
	}
	case 'N':
		push(vm, pv_literal(&vm->pool, PV_NONE));
		return;
	case 0x88: case 0x89:
		push(vm, pv_literal(&vm->pool, PV_BOOL));
		return;
	case 'G':
		if (rd_le(vm, 8, &v))
			push(vm, pv_literal(&vm->pool, PV_FLOAT));
		return;
	case 'S':
		vm_op_string(vm);
		return;
	case 'T':
		vm_op_binstring(vm, 4);
		return;
	case 'U':
		vm_op_binstring(vm, 1);
		return;
	case 'V':
		vm_op_unicode_line(vm);
		return;
	case 'X':
		vm_op_binunicode(vm, 4);
		return;
	case 0x8c:
		vm_op_binunicode(vm, 1);
		return;
	case 0x8d:
		vm_op_binunicode(vm, 8);
		return;
	case 'B':
		vm_op_bytes(vm, 4, PV_BYTES);
		return;
	case 'C':
		vm_op_bytes(vm, 1, PV_BYTES);
		return;
	case 0x8e:
		vm_op_bytes(vm, 8, PV_BYTES);
		return;
	case 0x96:
		vm_op_bytes(vm, 8, PV_BYTEARRAY);
		return;
	case 0x97: /* NEXT_BUFFER */
		/* Loaders pass no out-of-band buffers, so both stop here;
		 * a caller that does pass them would go on, so we do too. */
		scan_report(vm->ctx, PW_SEV_SUSPICIOUS, PW_KIND_STRUCTURE,
			    vm->op_name, vm->op_off,
			    "refers to an out-of-band buffer (model files "
			    "never do)");
		push(vm, pv_literal(&vm->pool, PV_BUFFER));
		return;
	case 0x98: /* READONLY_BUFFER */
		if (!need(vm, 1))
			return;
		switch (vm->stack[vm->sp - 1]->kind) {
		case PV_BYTES: case PV_BYTEARRAY: case PV_BUFFER:
		case PV_GLOBAL: case PV_CALL: case PV_PERSID:
			break;
		default:
			vm_die_both(vm, "READONLY_BUFFER of a non-buffer");
		}
		return;
	case ')':
		push(vm, pv_literal(&vm->pool, PV_TUPLE));
		return;
	case 0x85: case 0x86: case 0x87: {
		size_t n = (size_t)(op - 0x84);

		if (need(vm, n))
			vm_collect(vm, vm->sp - n, PV_TUPLE);
		return;
	}
	case 't':
		mark = vm_pop_mark(vm);
		if (mark >= 0)
			vm_collect(vm, (size_t)mark, PV_TUPLE);
		return;
	case ']':
		push(vm, pv_literal(&vm->pool, PV_LIST));
		return;
	case 'l':
		mark = vm_pop_mark(vm);
		if (mark >= 0)
			vm_collect(vm, (size_t)mark, PV_LIST);
		return;
	case '}':
		push(vm, pv_literal(&vm->pool, PV_DICT));
		return;
	case 'd':
		mark = vm_pop_mark(vm);
		if (mark < 0)
			return;
		if ((vm->sp - (size_t)mark) % 2 != 0) {
			vm_die_both(vm, "odd number of items for DICT");
			return;
		}
		{
			bool dunder = vm_keys_dunder(vm, (size_t)mark);

			vm_collect(vm, (size_t)mark, PV_DICT);
			if (dunder && alive(vm) && vm->sp > (size_t)mark)
				vm_flag_dunder(vm, vm->sp - 1);
		}
		return;
	case 0x8f:
		push(vm, pv_literal(&vm->pool, PV_SET));
		return;
	case 0x91:
		mark = vm_pop_mark(vm);
		if (mark >= 0)
			vm_collect(vm, (size_t)mark, PV_FROZENSET);
		return;
	case 'a': /* APPEND */
		if (!need(vm, 2))
			return;
		vm_check_mutation_target(vm, vm->stack[vm->sp - 2], "APPEND to");
		if (!vm_mutation_ok(vm, vm->stack[vm->sp - 2], op))
			return;
		{
			struct pv *item = pop(vm);

			if (!pv_append(&vm->pool, vm->stack[vm->sp - 1], item))
				vm_fatal_nomem(vm);
		}
		return;
	case 'e': /* APPENDS */
	case 0x90: /* ADDITEMS */
	case 'u': { /* SETITEMS */
		size_t i, m;

		mark = vm_pop_mark(vm);
		if (mark < 0)
			return;
		m = (size_t)mark;
		if (m <= fence(vm)) {
			vm_die_both(vm, "stack underflow");
			return;
		}
		if (op == 'u' && (vm->sp - m) % 2 != 0) {
			vm_die_both(vm, "odd number of items for SETITEMS");
			return;
		}
		if (vm->sp == m)
			return;
		if (!vm_mutation_ok(vm, vm->stack[m - 1], op))
			return;
		vm_check_mutation_target(vm, vm->stack[m - 1],
				      op == 'u' ? "SETITEMS on" :
				      op == 'e' ? "APPENDS to" : "ADDITEMS to");
		if (op == 'u' && vm_keys_dunder(vm, m))
			vm_flag_dunder(vm, m - 1);
		for (i = m; i < vm->sp; i++)
			if (!pv_append(&vm->pool, vm->stack[m - 1],
				       vm->stack[i]))
				vm->ctx->status = PW_ERR_NOMEM;
		vm->sp = m;
		return;
	}
	case 's': /* SETITEM */
		if (!need(vm, 3))
			return;
		vm_check_mutation_target(vm, vm->stack[vm->sp - 3], "SETITEM on");
		if (!vm_mutation_ok(vm, vm->stack[vm->sp - 3], op))
			return;
		if (vm_keys_dunder(vm, vm->sp - 2))
			vm_flag_dunder(vm, vm->sp - 3);
		if (!pv_append(&vm->pool, vm->stack[vm->sp - 3],
			       vm->stack[vm->sp - 2]) ||
		    !pv_append(&vm->pool, vm->stack[vm->sp - 3],
			       vm->stack[vm->sp - 1]))
			vm->ctx->status = PW_ERR_NOMEM;
		vm->sp -= 2;
		return;
	case 'b':
		vm_op_build(vm);
		return;
	case 'R':
		vm_op_reduce(vm);
		return;
	case 0x81:
		vm_op_newobj(vm, false);
		return;
	case 0x92:
		vm_op_newobj(vm, true);
		return;
	case 'o':
		vm_op_obj(vm);
		return;
	case 'c':
		vm_op_global_lines(vm, false);
		return;
	case 'i':
		vm_op_global_lines(vm, true);
		return;
	case 0x93:
		vm_op_stack_global(vm);
		return;
	case 'P':
		vm_op_persid(vm, false);
		return;
	case 'Q':
		vm_op_persid(vm, true);
		return;
	case 0x82:
		vm_op_ext(vm, 1);
		return;
	case 0x83:
		vm_op_ext(vm, 2);
		return;
	case 0x84:
		vm_op_ext(vm, 4);
		return;
	case 'p': /* PUT */
		if (vm_text_index(vm, &v))
			vm_memo_store(vm, v);
		return;
	case 'q':
		if (rd_le(vm, 1, &v))
			vm_memo_store(vm, v);
		return;
	case 'r':
		if (rd_le(vm, 4, &v))
			vm_memo_store(vm, v);
		return;
	case 0x94: /* MEMOIZE */
		memo_read(vm);
		vm_memo_store(vm, vm->memo.count);
		return;
	case 'g':
		memo_read(vm);
		if (vm_text_index(vm, &v))
			vm_memo_fetch(vm, v);
		return;
	case 'h':
		memo_read(vm);
		if (rd_le(vm, 1, &v))
			vm_memo_fetch(vm, v);
		return;
	case 'j':
		memo_read(vm);
		if (rd_le(vm, 4, &v))
			vm_memo_fetch(vm, v);
		return;
	case 0x80: /* PROTO */
		if (!rd_u8(vm, &v))
			return;
		if (v > HIGHEST_PROTOCOL) {
			vm_die_both(vm, "unsupported pickle protocol");
			return;
		}
		vm->proto = (int)v;
		return;
	case 0x95: { /* FRAME */
		uint64_t after;

		if (!rd_le(vm, 8, &v))
			return;
		after = stream_offset(vm->st);
		if (v > INT64_MAX) {
			vm_die_both(vm, "frame length exceeds the maximum size");
			return;
		}
		/* C reads the whole frame ahead and fails if it is not
		 * there; Python reads what there is and goes on. */
		if (vm->c_alive && !stream_has(vm->st, v) &&
		    (vm->st->from_source || v <= PW_STREAM_WINDOW))
			vm_die_c(vm, "a frame is longer than the rest of the data");
		/* _pickle reads a FRAME whose bytes it has buffered
		 * already from the buffer (nothing changes); one that runs
		 * past the buffer's end is read, without peek(), from the
		 * buffer's end: what was left of the buffer is dropped. */
		if (vm->c_alive && vm->c_in_frame &&
		    after < vm->c_frame_end && v > vm->c_frame_end - after)
			vm_frame_straddle(vm);
		else if (vm->c_alive &&
			 !(vm->c_in_frame && after < vm->c_frame_end)) {
			vm->c_in_frame = true;
			vm->c_frame_end = after + v;
		}
		if (vm->py_alive) {
			if (vm->py_in_frame && after < vm->py_frame_end)
				vm_die_py(vm, "a frame begins before the end of "
					   "the current frame");
			vm->py_in_frame = true;
			vm->py_frame_end = after + v;
		}
		return;
	}
	default:
		vm_die_both(vm, "invalid opcode");
		return;
	}
}

static void
reset_run(struct pickle_vm *vm, struct stream *st)
{
	drop_to(vm, 0);
	vm->nmarks = 0;
	if (vm->top != NULL) {
		pv_unref(&vm->pool, vm->top);
		vm->top = NULL;
	}
	vm->st = st;
	vm->run_start = stream_offset(st);
	if (vm->opts.fresh_memo && vm->memo.count > 0) {
		/* a new unpickler: the values go back to the pool */
		memo_fini(&vm->memo, &vm->pool);
		memo_init(&vm->memo);
	}
	vm->memo_carried = vm->memo.count > 0;
	vm->ext_first = NULL;
	vm->proto = 0;
	vm->c_alive = vm->py_alive = true;
	vm->py_in_frame = false;
	vm->py_frame_end = 0;
	vm->c_in_frame = vm->c_frame_carry > vm->run_start;
	vm->c_frame_end = vm->c_in_frame ? vm->c_frame_carry : 0;
	vm->c_frame_carry = 0;
	vm->executed = vm->called = false;
	vm->persid_seen = false;
	vm->importable_after_div = false;
	vm->diverged = vm->exec_after_div = false;
	vm->failed = false;
	vm->sparse_memo_reported = false;
	vm->fail_reason[0] = '\0';
	vm->fail_eof = false;
}

int
pickle_vm_new(struct scan_ctx *ctx, const struct pickle_opts *opts,
	      struct pickle_vm **ret_vm)
{
	struct pickle_vm *vm = calloc(1, sizeof(*vm));

	if (vm == NULL)
		return PW_ERR_NOMEM;
	vm->ctx = ctx;
	if (opts != NULL)
		vm->opts = *opts;
	pv_pool_init(&vm->pool, vm->opts.retain);
	memo_init(&vm->memo);
	imp_table_init(&vm->imps);
	*ret_vm = vm;
	return PW_OK;
}

void
pickle_vm_free(struct pickle_vm *vm)
{
	if (vm == NULL)
		return;
	/* pv_pool_fini releases every cell still held (and what they own),
	 * so the stack, memo and top need no unref one by one. */
	memo_fini(&vm->memo, NULL);
	imp_table_fini(&vm->imps);
	pv_pool_fini(&vm->pool);
	for (size_t i = 0; i < vm->n_extents; i++)
		free(vm->extents[i].mem);
	free(vm->extents);
	free(vm->stack);
	free(vm->marks);
	free(vm);
}

/*
 * Text in a model repository (a .py that begins with "import" or "class",
 * a label list that begins with "cat", a CSV) reads as opcodes for a line
 * or two: an INST or GLOBAL of a name like "at"."dog", then a failure.  A
 * loader given such a file imports at most those names and raises; nothing
 * is called.  So a file whose first pickle breaks before STOP without a
 * call, a persistent load, an EXT or any import we would not clear (a
 * denied, dunder or escaping name) did nothing our verdicts weigh: it is
 * data, not a broken pickle.  Only the top level of a file: a member of a
 * model archive that breaks stays an error.
 */
static bool
broke_after_imports_only(struct pickle_vm *vm, bool stop)
{
	size_t b;

	if (stop || !vm->failed || vm->fatal || vm->called ||
	    vm->run_index != 1 || vm->ctx->depth != 0)
		return false;
	if (vm->persid_seen)
		return false;
	for (b = 0; b < vm->imps.nbuckets; b++) {
		const struct imp *p;

		for (p = vm->imps.buckets[b]; p != NULL; p = p->next)
			if (p->seq >= vm->imps_emitted &&
			    /* An EXT never called: a stock interpreter has no
			     * codes registered and fails right there, and
			     * registering one takes a call this stream never
			     * made (random binary data reads as BININT, EXT2,
			     * then garbage).  Not when the data is merely cut
			     * short: the call may be in the missing part. */
			    !(p->ext && p->calls == 0 && !vm->fail_eof) &&
			    (p->sev >= PW_SEV_MALICIOUS || p->unresolved ||
			     /* "csubprocess\n" at the end: Python imports
			      * the module, then fails on the empty name */
			     (names_valid_path(p->resolved, p->module_len) &&
			      !names_valid_path(p->resolved + p->module_len + 1,
						strlen(p->resolved) -
							p->module_len - 1) &&
			      names_module_denied(vm->ctx->scanner, p->resolved,
						  p->module_len))))
				return false;
	}
	return true;
}

int
pickle_vm_run(struct pickle_vm *vm, struct stream *st,
	      struct pickle_outcome *out)
{
	struct scan_ctx *ctx = vm->ctx;
	uint64_t start = stream_offset(st);
	uint64_t max_ops = ctx->limits[PW_LIMIT_MAX_OPCODES];
	bool stop = false, ext_noise, only_imported;

	memset(out, 0, sizeof(*out));
	reset_run(vm, st);
	while (alive(vm) && !stop && !vm->fatal) {
		const uint8_t *p;
		const struct op_info *info;

		vm->op_off = stream_offset(st);
		vm->op_name = NULL;
		if (ctx->opcodes++ >= max_ops) {
			vm_fatal_limit(vm, "max_opcodes (too many opcodes)");
			break;
		}
		/* The caller's deadline and abort flag, every PW_STOP_EVERY
		 * opcodes (a clock read each time would cost). */
		if ((ctx->opcodes & (PW_STOP_EVERY - 1)) == 0 &&
		    ctx->can_stop && scan_check_stop(ctx, vm->op_off)) {
			vm->fatal = true;
			vm->c_alive = vm->py_alive = false;
			break;
		}
		py_frame_check(vm, vm->op_off, 1);
		if (!stream_read(st, 1, &p)) {
			vm_die_both_eof(vm, "the data ends before STOP");
			break;
		}
		info = pickle_opcode(p[0]);
		if (info == NULL) {
			vm_die_both(vm, "invalid opcode");
			break;
		}
		vm->op_name = info->name;
		step(vm, p[0], &stop);
		if (st->err != PW_OK && st->err != PW_ERR_NOMEM) {
			ctx->status = st->err;
			vm->fatal = true;
		}
		if (scan_aborted(ctx))
			vm->fatal = true;
	}
	vm->run_index++;
	if (stop || vm->executed)
		scan_mark_executable(ctx);	/* a loader runs this */
	out->stopped = stop;
	out->executed = vm->executed;
	out->end = stream_offset(st);
	out->top = vm->top;
	if (stop && vm->py_alive && vm->py_in_frame &&
	    vm->py_frame_end > out->end)
		out->frame_rest = vm->py_frame_end - out->end;
	/* One unpickler for every pickle keeps its buffer: a read in the
	 * next pickle across this frame's end is the frame-crossing
	 * differential (a fresh one per pickle starts with no frame). */
	if (stop && !vm->opts.fresh_memo && vm->c_alive && vm->c_in_frame &&
	    vm->c_frame_end > out->end)
		vm->c_frame_carry = vm->c_frame_end;
	ext_noise = vm->ext_first != NULL && !stop &&
		    vm->ext_first->calls == 0 &&
		    !vm->fail_eof;
	if (ext_noise) {
		/* The data began with an EXT byte and then turned out not
		 * to be a pickle at all (not merely cut short): a stock
		 * interpreter fails at once; nothing ran. */
		vm->ext_first->sev = PW_SEV_INFO;
		snprintf(vm->ext_first->reason, sizeof(vm->ext_first->reason),
			 "EXT as the first byte of data that is not a pickle "
			 "(a stock interpreter fails here)");
	} else if (vm->ext_first != NULL) {
		vm->executed = true;
	}
	only_imported = broke_after_imports_only(vm, stop);
	if (only_imported) {
		size_t b;

		out->executed = false;	/* data, as far as the format goes */
		for (b = 0; b < vm->imps.nbuckets; b++)
			for (struct imp *p = vm->imps.buckets[b]; p != NULL;
			     p = p->next)
				if (p->seq >= vm->imps_emitted && p->ext) {
					p->sev = PW_SEV_INFO;
					snprintf(p->reason, sizeof(p->reason),
						 "EXT in data that is not a "
						 "pickle (nothing calls it; a "
						 "stock interpreter fails "
						 "here)");
				}
	}
	vm_emit_imports(vm, !stop && !vm->called);
	if (vm->diverged && only_imported)
		/* Still a disagreement on what is imported, unless the
		 * survivor's imports cannot succeed ("mport torch"). */
		scan_report(ctx, vm->importable_after_div || !vm->executed
			    ? PW_SEV_SUSPICIOUS : PW_SEV_INFO,
			    PW_KIND_DIFFERENTIAL, NULL,
			    vm->div_off, "parser differential: %s; neither "
			    "reader calls anything before failing",
			    vm->div_reason);
	else if (vm->diverged)
		/* After an opening EXT nothing runs in a stock interpreter,
		 * so where the readers would later part is noise. */
		scan_report(ctx, vm->exec_after_div ? PW_SEV_MALICIOUS
			    : ext_noise ? PW_SEV_INFO : PW_SEV_SUSPICIOUS,
			    PW_KIND_DIFFERENTIAL, NULL, vm->div_off,
			    "parser differential: %s%s", vm->div_reason,
			    vm->exec_after_div
				    ? "; the survivor then imports or calls "
				      "more (hostile stream)"
				    : "");
	if (vm->failed && !vm->fatal) {
		enum pw_severity sev;
		const char *what;

		if (only_imported) {
			sev = PW_SEV_INFO;
			what = "not a pickle (text, or data that fails after "
			       "importing names no denylist holds and before "
			       "calling anything)";
		} else if (vm->executed) {
			sev = PW_SEV_ERROR;
			what = "the pickle breaks after importing or calling "
			       "(a loader has already run everything before "
			       "this point)";
		} else if (vm->run_index == 1 && vm->op_off == start) {
			sev = PW_SEV_INFO;
			what = "not a pickle";
		} else if (vm->run_index == 1) {
			sev = PW_SEV_INFO;
			what = "not a pickle (the data fails before importing "
			       "or calling anything)";
		} else {
			sev = PW_SEV_SUSPICIOUS;
			what = "trailing data after the pickle that is not a "
			       "complete pickle";
		}
		scan_report(ctx, sev, PW_KIND_PARSE, vm->op_name, vm->op_off,
			    "%s: %s", what, vm->fail_reason);
	}
	return ctx->status;
}

/* Reads the stream again from offset from, as stacked pickles (see
 * pickle.h); a stream that cannot be re-read, or one read too many times
 * already, is reported instead (why_not). */
int
pickle_alt_reading(struct scan_ctx *ctx, struct stream *st,
		   const struct pickle_opts *opts, uint64_t from,
		   const char *why_not)
{
	struct stream ast;
	int rc;

	if (!stream_can_reopen(st) || ctx->alt_scans >= PW_MAX_ALT_SCANS) {
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_DIFFERENTIAL, NULL,
			    from, "%s, and the second reading was not done "
			    "(%s)", why_not,
			    stream_can_reopen(st)
				    ? "too many alternative readings"
				    : "a stream that cannot be re-read");
		return PW_OK;
	}
	rc = stream_reopen(st, &ast);
	if (rc != PW_OK)
		return rc;
	if (stream_skip(&ast, from) == from) {
		ctx->alt_scans++;
		ctx->depth++;
		rc = pickle_scan_stream(ctx, &ast, opts);
		ctx->depth--;
	}
	stream_fini(&ast);
	return rc;
}

/*
 * The pickles after the first were read with the memo the earlier ones
 * left (one unpickler reused, as some loaders do), and one of them read
 * it (GET, or MEMOIZE whose index is the memo's size).  A loop of
 * pickle.load calls - legacy torch.load, most hand-written loaders -
 * gives each pickle a new unpickler and reads different values from
 * there: a second reading, from the first such pickle to the end, with
 * a fresh memo per pickle.  Its findings have the stream's offsets.
 */
static int
fresh_memo_reading(struct scan_ctx *ctx, struct stream *st,
		   const struct pickle_opts *opts, uint64_t from)
{
	struct pickle_opts o = { 0 };

	if (opts != NULL)
		o = *opts;
	o.fresh_memo = true;
	o.no_persistent_load = true;	/* as for every pickle after the first */
	o.legacy_after_number = false;	/* its first pickle is not the file's */
	return pickle_alt_reading(ctx, st, &o, from, "a later pickle reads "
				  "the memo an earlier one left: loaders that "
				  "reuse their unpickler and loaders that do "
				  "not read different values");
}

/* A reading done muted: what it changes of the scan's state is given back
 * (the opcodes it read still count against the caps). */
struct muted {
	uint64_t executed, executed_here, errors;
	bool mute, executable, limit_hit;
	enum pw_severity worst;
};

static void
mute_begin(struct scan_ctx *ctx, struct muted *m)
{
	m->executed = ctx->executed;
	m->executed_here = ctx->executed_here;
	m->errors = ctx->errors;
	m->mute = ctx->mute;
	m->executable = ctx->res->executable;
	m->limit_hit = ctx->limit_hit;
	m->worst = ctx->mute_worst;
	ctx->mute = true;
	ctx->mute_worst = PW_SEV_INFO;
}

/* Returns the worst severity the muted reading reported. */
static enum pw_severity
mute_end(struct scan_ctx *ctx, const struct muted *m)
{
	enum pw_severity found = ctx->mute_worst;

	ctx->mute = m->mute;
	ctx->mute_worst = m->worst;
	ctx->executed = m->executed;
	ctx->executed_here = m->executed_here;
	ctx->errors = m->errors;
	ctx->res->executable = m->executable;
	ctx->limit_hit = m->limit_hit;
	return found;
}

/*
 * joblib.load reads a NumpyArrayWrapper's array bytes raw, right after its
 * BUILD; pickle.load - pandas.read_pickle, torch.load, a hand-written
 * loader given the same .pkl - reads them as opcodes.  That reading is
 * done too, muted first: the bytes of a real array read as opcodes break
 * at once or import noise, so only a reading that reaches something
 * malicious is reported, and done again aloud.  Through a decompressor
 * too (pandas.read_pickle decompresses a .pkl.gz and reads it with
 * pickle.load): the stream is decoded again (stream_reopen).
 */
static int
pickle_load_reading(struct scan_ctx *ctx, struct stream *st,
		    const struct pickle_opts *opts, uint64_t from)
{
	static const char why[] = "pickle.load reads joblib's raw array "
				  "bytes as opcodes";
	struct pickle_opts o = { 0 };
	struct muted m;
	int rc;

	if (!stream_can_reopen(st))
		return PW_OK;
	if (opts != NULL)
		o = *opts;
	o.no_joblib_arrays = true;
	mute_begin(ctx, &m);
	rc = pickle_alt_reading(ctx, st, &o, from, why);
	if (mute_end(ctx, &m) < PW_SEV_MALICIOUS || rc != PW_OK)
		return rc;
	scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_DIFFERENTIAL, NULL, from,
		    "%s, and they import or call something dangerous: "
		    "joblib.load and pickle.load run different programs", why);
	return pickle_alt_reading(ctx, st, &o, from, why);
}

/*
 * After a STOP inside a frame the Python unpickler resumes at the frame's
 * end.  The reading from there (pickle_scan_stream) is a new unpickler's;
 * one reused for every pickle still has this pickle's memo.  A machine of
 * its own replays the pickles from start up to this STOP (stop_end),
 * muted, to rebuild that memo, then reads on from at, aloud.
 */
static int
carried_memo_reading(struct scan_ctx *ctx, struct stream *st,
		     const struct pickle_opts *opts, uint64_t start,
		     uint64_t stop_end, uint64_t at)
{
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	struct stream ast;
	struct muted m;
	int rc;

	if (!stream_can_reopen(st) || ctx->alt_scans >= PW_MAX_ALT_SCANS ||
	    at < stop_end)
		return PW_OK;	/* the reading above reported it if so */
	rc = stream_reopen(st, &ast);
	if (rc != PW_OK)
		return rc;
	rc = pickle_vm_new(ctx, opts, &vm);
	if (rc != PW_OK)
		goto out;
	ctx->alt_scans++;
	ctx->depth++;
	mute_begin(ctx, &m);
	if (stream_skip(&ast, start) == start)
		while (!scan_aborted(ctx) && stream_offset(&ast) < stop_end) {
			rc = pickle_vm_run(vm, &ast, &out);
			if (rc != PW_OK || !out.stopped)
				break;
			vm->opts.no_persistent_load = true;
		}
	(void)mute_end(ctx, &m);
	if (rc == PW_OK && stream_offset(&ast) == stop_end &&
	    stream_skip(&ast, at - stop_end) == at - stop_end)
		while (!scan_aborted(ctx) && !stream_at_end(&ast)) {
			rc = pickle_vm_run(vm, &ast, &out);
			if (rc != PW_OK || !out.stopped)
				break;
		}
	ctx->depth--;
out:
	pickle_vm_free(vm);
	stream_fini(&ast);
	return rc;
}

/*
 * The Python unpickler's next load() after a STOP inside a frame starts at
 * the frame's end (at): a reading of its own from there, as a new file
 * (a slice of the source) or, through a decompressor, the stream read
 * again up to at.
 */
static int
frame_end_reading(struct scan_ctx *ctx, struct stream *st,
		  const struct pickle_opts *opts, uint64_t at)
{
	struct stream ast;
	struct source alt;
	int rc;

	if (ctx->alt_scans >= PW_MAX_ALT_SCANS)
		return PW_OK;
	if (st->from_source) {
		if (!source_slice(&st->src, at,
				  st->src.size > at ? st->src.size - at : 0,
				  &alt) || alt.size == 0)
			return PW_OK;
		rc = stream_init_source(&ast, &alt);
	} else {
		rc = stream_reopen(st, &ast);
	}
	if (rc != PW_OK)
		return rc;
	if (!st->from_source &&
	    (stream_skip(&ast, at) != at || stream_at_end(&ast))) {
		stream_fini(&ast);
		return PW_OK;
	}
	ctx->alt_scans++;
	ctx->depth++;
	rc = pickle_scan_stream(ctx, &ast, opts);
	ctx->depth--;
	stream_fini(&ast);
	return rc;
}

/*
 * Whether what the first pickle returned can equal torch's magic number:
 * an int literal, or anything computed or imported (int("1195..."), the
 * global torch.serialization.MAGIC_NUMBER): torch compares the value.
 */
static bool
could_be_number(const struct pv *top)
{
	if (top == NULL)
		return false;
	switch (pv_kind(top)) {
	case PV_INT: case PV_CALL: case PV_GLOBAL: case PV_PERSID:
		return true;
	default:
		return false;
	}
}

int
pickle_scan_stream(struct scan_ctx *ctx, struct stream *st,
		   const struct pickle_opts *opts)
{
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	uint64_t start;
	bool legacy = false;	/* read on as torch's legacy stack */
	int rc;

	rc = pickle_vm_new(ctx, opts, &vm);
	if (rc != PW_OK)
		return rc;
	start = stream_offset(st);
	while (!scan_aborted(ctx) && !stream_at_end(st)) {
		rc = pickle_vm_run(vm, st, &out);
		if (vm->run_index == 1 && !out.stopped && !out.executed &&
		    ctx->depth == 0 && ctx->res->format == FMT_PICKLE)
			ctx->res->format = FMT_DATA;	/* never was a pickle */
		if (rc != PW_OK || !out.stopped)
			break;
		/* Who reads on past the first pickle is a plain loop of
		 * pickle.load calls: no persistent_load there; or torch.load,
		 * when the first one held its magic number (container/legacy.c
		 * reads the usual encodings of it; any other encoding of the
		 * same value passes torch's check too, and then its
		 * persistent_load reads the data pickle). */
		if (vm->run_index == 2)
			legacy = vm->opts.legacy_after_number &&
				 could_be_number(out.top);
		vm->opts.no_persistent_load = !legacy;
		vm->opts.torch_module_persid = legacy;
		if (out.frame_rest > 0) {
			/* The Python unpickler has read the whole frame, so
			 * its next load() starts after it; the C one (on a
			 * seekable file) starts right after STOP (and, reused,
			 * may still hold the frame: see c_frame_carry). */
			scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_STRUCTURE,
				    "STOP", out.end - 1,
				    "STOP inside a frame with %llu bytes left "
				    "in it: the two unpicklers resume at "
				    "different offsets",
				    (unsigned long long)out.frame_rest);
			if (stream_can_reopen(st)) {
				rc = frame_end_reading(ctx, st, opts,
						out.end + out.frame_rest);
				if (rc != PW_OK)
					break;
				if (vm->memo.count > 0)
					rc = carried_memo_reading(ctx, st, opts,
						start, out.end,
						out.end + out.frame_rest);
				if (rc != PW_OK)
					break;
			}
		}
	}
	if (rc == PW_OK && vm->memo_differs)
		rc = fresh_memo_reading(ctx, st, opts, vm->fresh_from);
	if (rc == PW_OK && vm->joblib_read)
		rc = pickle_load_reading(ctx, st, opts, start);
	pickle_vm_free(vm);
	return rc;
}
