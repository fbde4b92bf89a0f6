/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vm.c - the symbolic pickle machine.
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

#include "container/container.h"
#include "limits.h"
#include "pickle/memo.h"
#include "pickle/names.h"
#include "pickle/numparse.h"
#include "pickle/opcodes.h"
#include "pickle/pickle.h"
#include "pickle/text.h"
#include "pickle/values.h"
#include "result.h"

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
	bool executed, called;
	uint64_t op_off;
	const char *op_name;
	bool diverged, exec_after_div;
	uint64_t div_off;
	char div_reason[200];
	bool failed;
	bool sparse_memo_reported;
	uint64_t run_start;	/* offset of this pickle's first opcode */
	struct imp *ext_first;	/* EXT as the first opcode, judged at STOP */
	char fail_reason[200];
	bool fatal;		/* out of memory or a limit: stop the stream */
};

static bool is_latin1_name(const struct pv *v);
static bool is_joblib_wrapper_name(const char *name);
static struct pv *new_extent(struct pickle_vm *vm, enum pv_kind kind,
			     uint64_t off, uint64_t len, uint8_t *mem,
			     bool latin1);

/* ---- failure bookkeeping ---- */

static void
diverge(struct pickle_vm *vm, bool c_dies, const char *why)
{
	if (!vm->diverged) {
		vm->diverged = true;
		vm->div_off = vm->op_off;
		snprintf(vm->div_reason, sizeof(vm->div_reason),
			 "the %s unpickler fails here (%s) while the %s one "
			 "goes on", c_dies ? "C (_pickle)" : "Python",
			 why, c_dies ? "Python" : "C (_pickle)");
	}
}

/* One reader fails: the other goes on alone (a divergence), or, if it was
 * already gone, the run has failed. */
static void
die_one(struct pickle_vm *vm, bool c_reader, const char *why)
{
	bool *self = c_reader ? &vm->c_alive : &vm->py_alive;
	bool other = c_reader ? vm->py_alive : vm->c_alive;

	if (!*self)
		return;
	*self = false;
	if (other) {
		diverge(vm, c_reader, why);
	} else {
		vm->failed = true;
		snprintf(vm->fail_reason, sizeof(vm->fail_reason), "%s", why);
	}
}

static void
die_c(struct pickle_vm *vm, const char *why)
{
	die_one(vm, true, why);
}

static void
die_py(struct pickle_vm *vm, const char *why)
{
	die_one(vm, false, why);
}

static void
die_both(struct pickle_vm *vm, const char *why)
{
	vm->c_alive = vm->py_alive = false;
	vm->failed = true;
	snprintf(vm->fail_reason, sizeof(vm->fail_reason), "%s", why);
}

static bool
alive(const struct pickle_vm *vm)
{
	return vm->c_alive || vm->py_alive;
}

static void
fatal_limit(struct pickle_vm *vm, const char *what)
{
	scan_limit(vm->ctx, vm->op_off, what);
	vm->fatal = true;
	vm->c_alive = vm->py_alive = false;
}

static void
fatal_nomem(struct pickle_vm *vm)
{
	vm->ctx->status = PW_ERR_NOMEM;
	vm->fatal = true;
	vm->c_alive = vm->py_alive = false;
}

/* Something ran: an import, a call, a persistent load. */
static void
mark_executed(struct pickle_vm *vm)
{
	vm->executed = true;
}

/*
 * After the readers part ways, the survivor running anything we would not
 * clear on its own (an import outside the allowlist, a call of something
 * computed) makes the disagreement hostile.  A truncated benign file - C
 * refuses its last, incomplete frame while Python runs part of it - only
 * runs allowlisted things, and stays an error, not an attack.
 */
static void
risky_after_divergence(struct pickle_vm *vm)
{
	if (vm->diverged)
		vm->exec_after_div = true;
}

/* ---- reading, with the Python unpickler's frame rules ---- */

/*
 * pickle._Unpickler reads through an _Unframer: inside a frame, a read
 * must lie wholly in the frame (else "pickle exhausted before end of
 * frame"), and a read that starts exactly at the frame's end leaves the
 * frame.  The C unpickler treats frames as a read-ahead hint only.
 */
/*
 * An argument that runs past the end of a frame is read three ways: the C
 * unpickler on a seekable file reads on, the C unpickler on a stream
 * (BytesIO, sockets) drops the rest of the frame and reads from its end,
 * and the Python unpickler fails.  No pickler writes this; it exists only
 * to show different programs to different readers.
 */
static void
frame_straddle(struct pickle_vm *vm)
{
	die_py(vm, "a read crosses the end of a frame");
	scan_report(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_DIFFERENTIAL,
		    vm->op_name, vm->op_off,
		    "an opcode's argument crosses the end of a frame: the C "
		    "unpickler reads different bytes on files and on streams, "
		    "and the Python unpickler fails (a parser-differential "
		    "evasion)");
	/* Reported once: the Python reader is gone, so is its frame. */
	vm->py_in_frame = false;
}

static void
py_frame_check(struct pickle_vm *vm, uint64_t off, uint64_t n)
{
	if (!vm->py_alive || !vm->py_in_frame || n == 0)
		return;
	if (off == vm->py_frame_end) {
		vm->py_in_frame = false;
		return;
	}
	if (off + n > vm->py_frame_end)
		frame_straddle(vm);
}

static bool
rd(struct pickle_vm *vm, size_t n, const uint8_t **ret)
{
	py_frame_check(vm, stream_offset(vm->st), n);
	if (!stream_read(vm->st, n, ret)) {
		die_both(vm, "the data ends inside an opcode's argument");
		return false;
	}
	return true;
}

static bool
rd_u8(struct pickle_vm *vm, uint64_t *v)
{
	const uint8_t *p;

	if (!rd(vm, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool
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

static bool
rd_line(struct pickle_vm *vm, struct line *l)
{
	uint64_t off = stream_offset(vm->st);

	memset(l, 0, sizeof(*l));
	if (!stream_readline(vm->st, &l->p, &l->len, &l->nl)) {
		/* At the end of the data the Python unpickler's readline()
		 * returns b'' and it carries on with an empty line (GLOBAL
		 * then asks find_class for ''); C fails. */
		die_c(vm, "the data ends where a text line was expected");
		(void)off;	/* an exhausted frame falls back to the file */
		vm->py_in_frame = false;
		l->p = (const uint8_t *)"";
		return alive(vm);
	}
	l->long_line = l->p == NULL;
	if (vm->py_alive && vm->py_in_frame) {
		if (off == vm->py_frame_end)
			vm->py_in_frame = false;
		else if (!l->nl || off + l->len > vm->py_frame_end)
			frame_straddle(vm);
	}
	if (!l->nl)
		die_c(vm, "a text line does not end with a newline");
	return alive(vm);
}

/* Consumes n payload bytes of a string or bytes argument.  Keeps the
 * content (for names) when it is short; validates UTF-8 as it goes when
 * asked, chunk by chunk, without buffering long payloads. */
static bool
rd_payload(struct pickle_vm *vm, uint64_t n, bool utf8, const uint8_t **ret)
{
	uint64_t off = stream_offset(vm->st);
	struct utf8_state u;

	*ret = NULL;
	py_frame_check(vm, off, n);
	if (n <= PW_NAME_MAX) {
		if (!stream_read(vm->st, (size_t)n, ret)) {
			die_both(vm, "the data ends inside a string");
			return false;
		}
		if (utf8 && !utf8_valid(*ret, (size_t)n, true)) {
			die_both(vm, "a string is not valid UTF-8");
			return false;
		}
		return true;
	}
	if (!utf8) {
		if (stream_skip(vm->st, n) != n) {
			die_both(vm, "the data ends inside a bytes payload");
			return false;
		}
		return true;
	}
	utf8_begin(&u);
	while (n > 0) {
		size_t chunk = n > PW_STREAM_WINDOW ? PW_STREAM_WINDOW : (size_t)n;
		const uint8_t *p;

		if (!stream_read(vm->st, chunk, &p)) {
			die_both(vm, "the data ends inside a string");
			return false;
		}
		utf8_feed(&u, p, chunk, true);
		n -= chunk;
	}
	if (!utf8_end(&u)) {
		die_both(vm, "a string is not valid UTF-8");
		return false;
	}
	return true;
}

/* ---- the stack ---- */

static size_t
fence(const struct pickle_vm *vm)
{
	return vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
}

static void
push(struct pickle_vm *vm, struct pv *v)
{
	if (v == NULL) {
		if (vm->pool.live >= PW_MAX_VALUES)
			fatal_limit(vm, "too many live values in one pickle");
		else
			fatal_nomem(vm);
		return;
	}
	if (vm->sp == vm->stack_cap) {
		size_t ncap = vm->stack_cap ? vm->stack_cap * 2 : 256;
		struct pv **n;

		if (ncap > PW_MAX_STACK) {
			pv_unref(&vm->pool, v);
			fatal_limit(vm, "pickle stack too deep");
			return;
		}
		n = reallocarray(vm->stack, ncap, sizeof(*n));
		if (n == NULL) {
			pv_unref(&vm->pool, v);
			fatal_nomem(vm);
			return;
		}
		vm->stack = n;
		vm->stack_cap = ncap;
	}
	vm->stack[vm->sp++] = v;
}

/* Items above the fence. */
static size_t
avail(const struct pickle_vm *vm)
{
	return vm->sp - fence(vm);
}

static bool
need(struct pickle_vm *vm, size_t n)
{
	if (avail(vm) < n) {
		die_both(vm, "stack underflow");
		return false;
	}
	return true;
}

static struct pv *
pop(struct pickle_vm *vm)
{
	return vm->stack[--vm->sp];
}

static void
drop_to(struct pickle_vm *vm, size_t to)
{
	while (vm->sp > to)
		pv_unref(&vm->pool, vm->stack[--vm->sp]);
}

/* Pops the top mark; returns its stack position or -1 (and fails). */
static long
pop_mark(struct pickle_vm *vm)
{
	if (vm->nmarks == 0) {
		die_both(vm, "no MARK on the stack");
		return -1;
	}
	return (long)vm->marks[--vm->nmarks];
}

/* Builds a container from stack[from..sp) and pushes it. */
static void
collect(struct pickle_vm *vm, size_t from, enum pv_kind kind)
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
			     is_latin1_name(vm->stack[i])))
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

/* ---- imports and calls ---- */

static struct pv *
global_value(struct pickle_vm *vm, struct imp *imp)
{
	struct pv *v;

	if (imp == NULL) {
		fatal_nomem(vm);
		return NULL;
	}
	if (imp->opcode == NULL) {
		imp->opcode = vm->op_name;
		imp->offset = vm->op_off;
	}
	mark_executed(vm);
	if (imp->sev >= PW_SEV_SUSPICIOUS)
		risky_after_divergence(vm);
	v = pv_new(&vm->pool, PV_GLOBAL);
	if (v != NULL)
		v->u.imp = imp;
	return v;
}

static struct pv *
import_named(struct pickle_vm *vm, const char *module, const char *name)
{
	struct imp *imp = imp_lookup(&vm->imps, vm->ctx->scanner,
				     vm->opts.torchscript, module, name,
				     vm->proto);

	/* From here on the wrapper's state (shape, dtype) must be readable
	 * to find the raw array bytes that follow it: keep values. */
	if (imp != NULL && is_joblib_wrapper_name(imp->resolved))
		vm->pool.retain = true;
	return global_value(vm, imp);
}

static struct pv *
import_unresolved(struct pickle_vm *vm, const char *what, const char *why)
{
	return global_value(vm, imp_unresolved(&vm->imps, what, why));
}

static bool
is_literal_kind(uint8_t k)
{
	return k != PV_GLOBAL && k != PV_CALL && k != PV_PERSID;
}

/* Records a call of callee and returns its (symbolic) result; in retain
 * mode the result keeps the callee and the arguments (args may be NULL). */
static struct pv *
call_value_args(struct pickle_vm *vm, struct pv *callee, struct pv *args)
{
	struct pv *r;

	vm->called = true;
	mark_executed(vm);
	if (callee->kind == PV_GLOBAL) {
		struct imp *imp = callee->u.imp;

		if (imp->calls++ == 0) {
			imp->call_opcode = vm->op_name;
			imp->call_offset = vm->op_off;
		}
	} else if (callee->kind == PV_CALL || callee->kind == PV_PERSID) {
		const char *via = pv_global_name(callee);

		risky_after_divergence(vm);
		scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
				   via, NULL, NULL, vm->op_name, vm->op_off,
				   "calls a callable obtained at run time (the "
				   "result of %s%s), which no static reading "
				   "can pin down",
				   callee->kind == PV_PERSID ? "a persistent load"
							     : "calling ",
				   callee->kind == PV_PERSID ? ""
				   : (via ? via : "an unknown callable"));
	}
	r = pv_new(&vm->pool, PV_CALL);
	if (r == NULL)
		return NULL;
	if (!vm->pool.retain) {
		r->u.callee = pv_ref(callee);
		return r;
	}
	r->kind = PV_LIST;	/* append as a container, then relabel */
	if (!pv_append_keep(&vm->pool, r, pv_ref(callee))) {
		pv_unref(&vm->pool, r);
		return NULL;
	}
	if (args != NULL) {
		size_t i, n = pv_count(args);

		for (i = 0; i < n; i++)
			(void)pv_append_keep(&vm->pool, r,
					     pv_ref((struct pv *)pv_item(args, i)));
	}
	r->kind = PV_CALL;
	return r;
}

static struct pv *
call_value(struct pickle_vm *vm, struct pv *callee)
{
	return call_value_args(vm, callee, NULL);
}

/* joblib writes numpy arrays raw after their wrapper's BUILD. */
static bool
is_joblib_wrapper_name(const char *name)
{
	size_t n = strlen(name);
	const char *tail = "numpy_pickle.NumpyArrayWrapper";
	size_t t = strlen(tail);

	return n >= t && strcmp(name + n - t, tail) == 0 &&
	       (n == t || name[n - t - 1] == '.');
}

/* A mutation (BUILD, SETITEM, APPEND...) of an imported global changes a
 * module or class for everything that runs after: monkeypatching. */
static void
check_mutation_target(struct pickle_vm *vm, const struct pv *target,
		      const char *how)
{
	if (target->kind != PV_GLOBAL)
		return;
	vm->called = true;
	mark_executed(vm);
	risky_after_divergence(vm);
	scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
			   imp_resolved_name(target->u.imp), NULL, NULL,
			   vm->op_name, vm->op_off,
			   "%s an imported global: sets attributes or items "
			   "of a module, class or function (monkeypatching)",
			   how);
}

/*
 * Whether APPEND(S), SETITEM(S) or ADDITEMS can work on a target of this
 * kind: both unpicklers look up extend/append, __setitem__ or add on it.
 * Unknown objects (call results, globals) may have them.
 */
static bool
mutation_ok(struct pickle_vm *vm, const struct pv *target, uint8_t op)
{
	bool ok;

	switch (target->kind) {
	case PV_GLOBAL: case PV_CALL: case PV_PERSID:
		return true;
	case PV_LIST:
		ok = op != 0x90;
		break;
	case PV_BYTEARRAY:
		ok = op == 'a' || op == 'e' || op == 's' || op == 'u';
		break;
	case PV_DICT:
		ok = op == 's' || op == 'u';
		break;
	case PV_SET:
		ok = op == 0x90;
		break;
	default:
		ok = false;
	}
	if (!ok)
		die_both(vm, "the target has no append, extend, __setitem__ "
			     "or add");
	return ok;
}

/* ---- opcode groups ---- */

static void
op_text_number(struct pickle_vm *vm, uint8_t op)
{
	struct line l;
	struct num_verdict v;
	size_t clen, plen;

	if (!rd_line(vm, &l))
		return;
	if (l.long_line) {
		/* A number this long parses in both (Python ints are
		 * unbounded); its value never matters to us. */
		push(vm, pv_new_int(&vm->pool, 0, true));
		return;
	}
	clen = l.nl ? l.len - 1 : l.len;
	/* C insists on a digit and a newline: len >= 2. */
	if (l.len < 2)
		die_c(vm, "a text number line is empty");
	/* Python: INT uses the whole line, the others drop its last byte. */
	plen = op == 'I' ? l.len : (l.len ? l.len - 1 : 0);
	switch (op) {
	case 'I': {
		struct num_verdict pv;

		numparse_int(l.p, clen, &v);
		numparse_int(l.p, plen, &pv);
		v.py_ok = pv.py_ok;
		break;
	}
	case 'L': {
		struct num_verdict pv;

		numparse_long(l.p, clen, &v);
		numparse_long(l.p, plen, &pv);
		v.py_ok = pv.py_ok;
		break;
	}
	default: {
		struct num_verdict pv;

		numparse_float(l.p, clen, &v);
		numparse_float(l.p, plen, &pv);
		v.py_ok = pv.py_ok;
		break;
	}
	}
	if (!v.c_ok && !v.py_ok) {
		die_both(vm, "a text number does not parse");
		return;
	}
	if (!v.c_ok)
		die_c(vm, "a text number parses in Python but not in C");
	if (!v.py_ok)
		die_py(vm, "a text number parses in C but not in Python");
	if (!alive(vm))
		return;
	if (op == 'F')
		push(vm, pv_literal(&vm->pool, PV_FLOAT));
	else
		push(vm, pv_new_int(&vm->pool, vm->c_alive ? v.c_value : v.py_value,
				    !(vm->c_alive ? v.c_fits : v.py_fits)));
}

/* The three decoders of 8-bit and escaped text; each writes at most
 * 2 * n + 1 bytes of UTF-8 and fails as Python's codec would. */
typedef bool (*text_decoder)(const uint8_t *s, size_t n, char *out,
			     size_t cap, size_t *ret_len);

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
push_decoded(struct pickle_vm *vm, const uint8_t *s, size_t n,
	     text_decoder decode, const char *bad)
{
	size_t outlen;
	char *out = malloc(2 * n + 1);

	if (out == NULL) {
		fatal_nomem(vm);
		return;
	}
	if (!decode(s, n, out, 2 * n + 1, &outlen))
		die_both(vm, bad);
	else
		push(vm, pv_new_str(&vm->pool, PV_STR, (const uint8_t *)out,
				    outlen));
	free(out);
}

static void
op_string(struct pickle_vm *vm)
{
	struct line l;
	size_t blen;

	if (!rd_line(vm, &l))
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
		die_both(vm, "STRING argument is not quoted");
		return;
	}
	push_decoded(vm, l.p + 1, blen - 2, escape_decode_latin1,
		     "STRING argument has a bad escape");
}

static void
op_unicode_line(struct pickle_vm *vm)
{
	struct line l;

	if (!rd_line(vm, &l))
		return;
	if (l.long_line) {
		push(vm, pv_new_str(&vm->pool, PV_STR, NULL, l.len));
		return;
	}
	push_decoded(vm, l.p, l.len ? l.len - 1 : 0, raw_unicode_escape_decode,
		     "UNICODE argument has a bad escape");
}

/* BINSTRING family: 8-bit strings, decoded with the loader's encoding
 * (we read them as latin-1: every byte decodes, as with torch.load's and
 * numpy's settings). */
static void
op_binstring(struct pickle_vm *vm, size_t lenbytes)
{
	uint64_t n;
	const uint8_t *p;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (lenbytes == 4 && n >= 0x80000000ULL)
		die_py(vm, "BINSTRING length is negative for the Python "
			   "unpickler");
	if (!rd_payload(vm, n, false, &p))
		return;
	if (p == NULL) {
		push(vm, pv_new_str(&vm->pool, PV_STR, NULL, n));
		return;
	}
	push_decoded(vm, p, (size_t)n, decode_latin1, "");
}

static void
op_binunicode(struct pickle_vm *vm, size_t lenbytes)
{
	uint64_t n;
	const uint8_t *p;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (n > INT64_MAX) {
		die_both(vm, "string length exceeds the maximum size");
		return;
	}
	{
		uint64_t off = stream_offset(vm->st);

		if (!rd_payload(vm, n, true, &p))
			return;
		if (p == NULL && vm->st->from_source) {
			/* Too long to be a name; remember where it is, in
			 * case it is protocol 2's latin-1 text of a
			 * payload for a nested loader. */
			push(vm, new_extent(vm, PV_STR, off, n, NULL, false));
			return;
		}
	}
	push(vm, pv_new_str(&vm->pool, PV_STR, p, n));
}

/* Payloads worth remembering: a torch.save'd storage is never tiny. */
#define EXTENT_MIN 64

static struct pv *
new_extent(struct pickle_vm *vm, enum pv_kind kind, uint64_t off,
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

static void
op_bytes(struct pickle_vm *vm, size_t lenbytes, enum pv_kind kind)
{
	uint64_t n, off;
	const uint8_t *p;
	struct pv *v;

	if (!rd_le(vm, lenbytes, &n))
		return;
	if (n > INT64_MAX) {
		die_both(vm, "bytes length exceeds the maximum size");
		return;
	}
	off = stream_offset(vm->st);
	if (!rd_payload(vm, n, false, &p))
		return;
	if (kind != PV_BYTES || n < EXTENT_MIN || !vm->st->from_source) {
		push(vm, pv_literal(&vm->pool, kind));
		return;
	}
	v = new_extent(vm, PV_BYTES, off, n, NULL, false);
	push(vm, v);
}

static bool
is_global_named(const struct pv *fn, const char *name)
{
	return fn->kind == PV_GLOBAL &&
	       strcmp(imp_resolved_name(fn->u.imp), name) == 0;
}

static bool
is_latin1_name(const struct pv *v)
{
	const char *s = pv_get_str(v, NULL);

	return s != NULL &&
	       (strcasecmp(s, "latin1") == 0 || strcasecmp(s, "latin-1") == 0 ||
		strcasecmp(s, "iso-8859-1") == 0 ||
		strcasecmp(s, "iso8859-1") == 0 || strcasecmp(s, "l1") == 0);
}

/* _codecs.encode(text, 'latin1'), how protocol 2 writes bytes: returns
 * the bytes as a located value when the text can be found again. */
static struct pv *
latin1_bytes(struct pickle_vm *vm, const struct pv *args)
{
	const struct pv *text = pv_item(args, 0), *enc = pv_item(args, 1);
	const char *s;
	size_t len, i, o = 0;
	uint8_t *mem;

	if (pv_count(args) != 2 || text == NULL || enc == NULL ||
	    text->kind != PV_STR || !is_latin1_name(enc))
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
		b = new_extent(vm, PV_BYTES, vm->extents[ti].off,
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
	return new_extent(vm, PV_BYTES, 0, o, mem, false);
}

/*
 * torch.storage._load_from_bytes(b) runs torch.load on b: plain pickles of
 * tensors carry their storage that way.  We scan b where it lies, as a
 * file of its own; a call on anything we cannot locate is a nested loader
 * fed unknown input.
 */
static bool
is_nested_loader(const struct pv *fn)
{
	return fn->kind == PV_GLOBAL &&
	       strcmp(imp_resolved_name(fn->u.imp),
		      "torch.storage._load_from_bytes") == 0;
}

/* Reads protocol 2's latin-1 text of a payload and encodes it back to the
 * bytes a loader would get; NULL when it cannot (too big, not latin-1). */
static uint8_t *
decode_latin1_extent(struct pickle_vm *vm, const struct extent *e,
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

static void
nested_load(struct pickle_vm *vm, const struct pv *fn, const struct pv *args)
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
	    pv_count(args) == 1)
		return;
	if (e != NULL && e->mem != NULL) {
		source_init_mem(&slice, e->mem, e->len, NULL);
	} else if (e != NULL && e->latin1) {
		decoded = decode_latin1_extent(vm, e, &slice);
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
	/* Decoded latin-1 counts like decompressed data: bounded per file. */
	if (decoded != NULL &&
	    !scan_account_decompressed(ctx, slice.size, e->len, vm->op_off)) {
		free(decoded);
		return;
	}
	snprintf(where, sizeof(where), "bytes@%llu", (unsigned long long)e->off);
	if (scan_enter(ctx, where, &saved)) {
		(void)scan_source(ctx, &slice);
		scan_leave(ctx, saved);
	}
	free(decoded);
}

/* Copies a line's content (without its last byte, as both unpicklers
 * drop it) for use after further reads move the window. */
static bool
line_text(const struct line *l, char *out, size_t cap, bool ascii_only,
	  bool *ret_bad)
{
	size_t n = l->len ? l->len - 1 : 0, i;

	*ret_bad = false;
	if (l->long_line || n >= cap)
		return false;
	if (!utf8_valid(l->p, n, false))
		*ret_bad = true;
	for (i = 0; ascii_only && i < n; i++)
		if (l->p[i] >= 0x80)
			*ret_bad = true;
	memcpy(out, l->p, n);
	out[n] = '\0';
	return true;
}

static void
op_global_lines(struct pickle_vm *vm, bool inst)
{
	struct line l1, l2;
	char mod[PW_NAME_MAX + 1], name[PW_NAME_MAX + 1];
	struct pv *g;
	bool mod_ok, name_ok, bad1, bad2;
	long mark = -1;

	if (inst) {
		/* C pops the MARK first; Python imports, then pops it. */
		if (vm->nmarks == 0)
			die_c(vm, "INST without a MARK");
		if (!alive(vm))
			return;
	}
	if (!rd_line(vm, &l1))
		return;
	if (l1.len < 2)
		die_c(vm, "empty module line");
	/* INST decodes as ASCII, GLOBAL as strict UTF-8, in both. */
	mod_ok = line_text(&l1, mod, sizeof(mod), inst, &bad1);
	if (bad1) {
		die_both(vm, "module name does not decode");
		return;
	}
	if (!rd_line(vm, &l2))
		return;
	if (l2.len < 2)
		die_c(vm, "empty name line");
	name_ok = line_text(&l2, name, sizeof(name), inst, &bad2);
	if (bad2) {
		die_both(vm, "global name does not decode");
		return;
	}
	if (!alive(vm))
		return;
	if (!mod_ok || !name_ok)
		g = import_unresolved(vm, "<over-long name>",
				      "imports a global whose name is too long "
				      "to analyse (a dotted path this long can "
				      "walk anywhere)");
	else
		g = import_named(vm, mod, name);
	if (g == NULL) {
		push(vm, NULL);
		return;
	}
	if (!inst) {
		push(vm, g);
		return;
	}
	mark = pop_mark(vm);
	if (mark < 0) {
		pv_unref(&vm->pool, g);
		return;
	}
	drop_to(vm, (size_t)mark);
	push(vm, call_value(vm, g));
	pv_unref(&vm->pool, g);
}

static void
op_stack_global(struct pickle_vm *vm)
{
	struct pv *name, *mod, *g;

	if (!need(vm, 2))
		return;
	name = pop(vm);
	mod = pop(vm);
	if ((is_literal_kind(mod->kind) && mod->kind != PV_STR) ||
	    (is_literal_kind(name->kind) && name->kind != PV_STR)) {
		die_both(vm, "STACK_GLOBAL requires str");
		g = NULL;
	} else if (mod->kind != PV_STR || name->kind != PV_STR) {
		g = import_unresolved(vm, "<computed name>",
				      "imports a global whose module or name is "
				      "computed at run time (an import that "
				      "cannot be resolved statically)");
		if (g == NULL)
			push(vm, NULL);
	} else if ((mod->flags | name->flags) & PVF_LONG) {
		g = import_unresolved(vm, "<over-long name>",
				      "imports a global whose name is too long "
				      "to analyse (a dotted path this long can "
				      "walk anywhere)");
		if (g == NULL)
			push(vm, NULL);
	} else {
		g = import_named(vm, pv_get_str(mod, NULL),
				 pv_get_str(name, NULL));
		if (g == NULL)
			push(vm, NULL);
	}
	pv_unref(&vm->pool, name);
	pv_unref(&vm->pool, mod);
	if (g != NULL)
		push(vm, g);
}

static void
op_reduce(struct pickle_vm *vm)
{
	struct pv *args, *fn;

	if (!need(vm, 2))
		return;
	args = pop(vm);
	fn = pop(vm);
	if (is_literal_kind(fn->kind)) {
		die_both(vm, "REDUCE of an object that is not callable");
	} else {
		/* C calls with an exact tuple only; Python unpacks *args. */
		switch (args->kind) {
		case PV_TUPLE: case PV_GLOBAL: case PV_CALL: case PV_PERSID:
			break;
		case PV_LIST: case PV_STR: case PV_BYTES: case PV_BYTEARRAY:
		case PV_DICT: case PV_SET: case PV_FROZENSET:
			die_c(vm, "REDUCE arguments are not a tuple");
			break;
		default:
			die_both(vm, "REDUCE arguments are not iterable");
		}
		if (alive(vm) && is_nested_loader(fn))
			nested_load(vm, fn, args);
		if (alive(vm) && is_global_named(fn, "_codecs.encode")) {
			struct pv *b = latin1_bytes(vm, args);

			if (b != NULL) {
				/* Count the call, keep the located bytes. */
				pv_unref(&vm->pool, call_value(vm, fn));
				push(vm, b);
				pv_unref(&vm->pool, args);
				pv_unref(&vm->pool, fn);
				return;
			}
		}
		if (alive(vm))
			push(vm, call_value_args(vm, fn, args));
	}
	pv_unref(&vm->pool, args);
	pv_unref(&vm->pool, fn);
}

static void
op_newobj(struct pickle_vm *vm, bool ex)
{
	struct pv *kwargs = NULL, *args, *cls;

	if (!need(vm, ex ? 3 : 2))
		return;
	if (ex)
		kwargs = pop(vm);
	args = pop(vm);
	cls = pop(vm);
	if (is_literal_kind(cls->kind)) {
		die_both(vm, "NEWOBJ class is not a type");
	} else {
		if (args->kind != PV_TUPLE && is_literal_kind(args->kind)) {
			if (args->kind == PV_LIST || args->kind == PV_STR ||
			    args->kind == PV_BYTES || args->kind == PV_DICT ||
			    args->kind == PV_SET || args->kind == PV_FROZENSET ||
			    args->kind == PV_BYTEARRAY)
				die_c(vm, "NEWOBJ arguments are not a tuple");
			else
				die_both(vm, "NEWOBJ arguments are not iterable");
		}
		if (kwargs != NULL && kwargs->kind != PV_DICT &&
		    is_literal_kind(kwargs->kind))
			die_both(vm, "NEWOBJ_EX keyword arguments are not a dict");
		if (alive(vm))
			push(vm, call_value_args(vm, cls, args));
	}
	if (kwargs != NULL)
		pv_unref(&vm->pool, kwargs);
	pv_unref(&vm->pool, args);
	pv_unref(&vm->pool, cls);
}

static void
op_obj(struct pickle_vm *vm)
{
	long mark = pop_mark(vm);
	struct pv *cls;

	if (mark < 0)
		return;
	if (vm->sp - (size_t)mark < 1) {
		die_both(vm, "OBJ without a class");
		return;
	}
	cls = pv_ref(vm->stack[mark]);
	drop_to(vm, (size_t)mark);
	if (is_literal_kind(cls->kind))
		die_both(vm, "OBJ of an object that is not callable");
	else
		push(vm, call_value(vm, cls));
	pv_unref(&vm->pool, cls);
}

static void
op_build(struct pickle_vm *vm)
{
	struct pv *state, *inst;

	if (!need(vm, 2))
		return;
	state = pop(vm);
	inst = vm->stack[vm->sp - 1];
	check_mutation_target(vm, inst, "BUILD on");
	if (!is_literal_kind(inst->kind))
		vm->called = true;	/* __setstate__ or attribute writes */
	if (inst->kind == PV_CALL && pv_global_name(inst) != NULL &&
	    is_joblib_wrapper_name(pv_global_name(inst))) {
		/* joblib's unpickler reads the array right here, from the
		 * file, outside any frame. */
		int rc = joblib_read_array(vm->ctx, vm->st, state);

		if (rc != PW_OK) {
			vm->ctx->status = rc;
			vm->fatal = true;
		}
		if (vm->py_in_frame &&
		    stream_offset(vm->st) >= vm->py_frame_end)
			vm->py_in_frame = false;
	}
	pv_unref(&vm->pool, state);
}

static void
op_persid(struct pickle_vm *vm, bool binary)
{
	struct pv *pid, *r;

	if (binary) {
		if (!need(vm, 1))
			return;
		pid = pop(vm);
	} else {
		struct line l;

		if (!rd_line(vm, &l))
			return;
		if (l.long_line) {
			pid = pv_new_str(&vm->pool, PV_STR, NULL, l.len);
		} else {
			size_t i, n = l.len ? l.len - 1 : 0;

			for (i = 0; i < n; i++)
				if (l.p[i] >= 0x80) {
					die_both(vm, "PERSID is not ASCII");
					return;
				}
			pid = pv_new_str(&vm->pool, PV_STR, l.p, n);
		}
		if (pid == NULL) {
			push(vm, NULL);
			return;
		}
	}
	mark_executed(vm);
	if (vm->opts.on_persid != NULL)
		vm->opts.on_persid(vm->opts.hook_arg, pid, vm->op_off);
	pv_unref(&vm->pool, pid);
	r = pv_new(&vm->pool, PV_PERSID);
	push(vm, r);
}

/*
 * EXT1/2/4 import whatever copyreg's extension registry maps a code to:
 * nothing a static reading can resolve, so malicious.  A stock interpreter
 * registers no codes and fails right there; so when EXT is the very first
 * opcode, nothing ever ran and the data is simply not a pickle (a msgpack
 * map of two keys, as Flax checkpoints start, is the byte 0x82).
 */
static void
op_ext(struct pickle_vm *vm, size_t n)
{
	uint64_t code;
	int64_t scode;
	char what[64];

	if (!rd_le(vm, n, &code))
		return;
	scode = n == 4 ? (int64_t)(int32_t)(uint32_t)code : (int64_t)code;
	if (scode <= 0) {
		die_both(vm, "EXT code <= 0");
		return;
	}
	snprintf(what, sizeof(what), "<extension code %lld>",
		 (long long)scode);
	if (vm->op_off == vm->run_start) {
		/* Judged at the end of the run: malicious if the rest is a
		 * pickle that reaches STOP, noise if it is not. */
		struct imp *imp = imp_unresolved(
			&vm->imps, what,
			"imports a global through the copyreg extension "
			"registry, which no static reading can resolve (a "
			"stock interpreter has no codes registered)");
		struct pv *g = imp ? pv_new(&vm->pool, PV_GLOBAL) : NULL;

		if (g != NULL) {
			imp->opcode = vm->op_name;
			imp->offset = vm->op_off;
			g->u.imp = imp;
			vm->ext_first = imp;
		}
		push(vm, g);
		return;
	}
	push(vm, import_unresolved(vm, what,
				   "imports a global through the copyreg "
				   "extension registry, which no static reading "
				   "can resolve (a stock interpreter has no codes "
				   "registered)"));
}


static void
memo_store(struct pickle_vm *vm, uint64_t key)
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
		fatal_nomem(vm);
	else if (rc == -2)
		fatal_limit(vm, "memo too large");
}

static void
memo_fetch(struct pickle_vm *vm, uint64_t key)
{
	struct pv *v = memo_get(&vm->memo, key);

	if (v == NULL) {
		die_both(vm, "memo value not found");
		return;
	}
	push(vm, pv_ref(v));
}

/* GET and PUT with a text index: base 10 in both, but C reads a C string
 * (to the first NUL) and fails on values past ssize_t. */
static bool
text_index(struct pickle_vm *vm, uint64_t *key)
{
	struct line l;
	struct num_verdict v, pv;
	size_t clen;

	if (!rd_line(vm, &l))
		return false;
	if (l.long_line) {
		die_both(vm, "memo index line too long");
		return false;
	}
	if (l.len < 2)
		die_c(vm, "empty memo index");
	clen = l.nl ? l.len - 1 : l.len;
	numparse_index(l.p, clen, &v);
	numparse_index(l.p, l.len ? l.len - 1 : 0, &pv);
	v.py_ok = pv.py_ok;
	v.py_fits = pv.py_fits;
	v.py_value = pv.py_value;
	if (!v.c_ok || !v.c_fits)
		die_c(vm, "memo index does not parse in C");
	if (!v.py_ok)
		die_py(vm, "memo index does not parse in Python");
	if (vm->c_alive && vm->py_alive && v.py_fits &&
	    v.c_value != v.py_value)
		die_py(vm, "memo index reads differently in Python");
	if (!alive(vm))
		return false;
	if (vm->c_alive) {
		if (v.c_value < 0) {
			die_both(vm, "negative memo index");
			return false;
		}
		*key = (uint64_t)v.c_value;
	} else if (v.py_fits) {
		if (v.py_value < 0) {
			die_both(vm, "negative memo index");
			return false;
		}
		*key = (uint64_t)v.py_value;
	} else {
		/* Python takes an unbounded int key; give it a key of its
		 * own outside the range of every fixed-size index. */
		uint64_t h = 0xcbf29ce484222325ULL;
		size_t i;

		for (i = 0; i < l.len; i++)
			h = (h ^ l.p[i]) * 0x100000001b3ULL;
		*key = h | (1ULL << 63);
	}
	return true;
}

/* ---- the dispatch loop ---- */

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
				fatal_limit(vm, "too many MARKs");
				return;
			}
			n = reallocarray(vm->marks, ncap, sizeof(*n));
			if (n == NULL) {
				fatal_nomem(vm);
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
		else if (need(vm, 1))
			pv_unref(&vm->pool, pop(vm));
		return;
	case '1': /* POP_MARK */
		mark = pop_mark(vm);
		if (mark >= 0)
			drop_to(vm, (size_t)mark);
		return;
	case '2': /* DUP */
		if (need(vm, 1))
			push(vm, pv_ref(vm->stack[vm->sp - 1]));
		return;
	case 'F': case 'I': case 'L':
		op_text_number(vm, op);
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
			die_both(vm, "LONG has a negative byte count");
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
		if (!rd_payload(vm, (uint64_t)n, false, &p))
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
		op_string(vm);
		return;
	case 'T':
		op_binstring(vm, 4);
		return;
	case 'U':
		op_binstring(vm, 1);
		return;
	case 'V':
		op_unicode_line(vm);
		return;
	case 'X':
		op_binunicode(vm, 4);
		return;
	case 0x8c:
		op_binunicode(vm, 1);
		return;
	case 0x8d:
		op_binunicode(vm, 8);
		return;
	case 'B':
		op_bytes(vm, 4, PV_BYTES);
		return;
	case 'C':
		op_bytes(vm, 1, PV_BYTES);
		return;
	case 0x8e:
		op_bytes(vm, 8, PV_BYTES);
		return;
	case 0x96:
		op_bytes(vm, 8, PV_BYTEARRAY);
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
			die_both(vm, "READONLY_BUFFER of a non-buffer");
		}
		return;
	case ')':
		push(vm, pv_literal(&vm->pool, PV_TUPLE));
		return;
	case 0x85: case 0x86: case 0x87: {
		size_t n = (size_t)(op - 0x84);

		if (need(vm, n))
			collect(vm, vm->sp - n, PV_TUPLE);
		return;
	}
	case 't':
		mark = pop_mark(vm);
		if (mark >= 0)
			collect(vm, (size_t)mark, PV_TUPLE);
		return;
	case ']':
		push(vm, pv_literal(&vm->pool, PV_LIST));
		return;
	case 'l':
		mark = pop_mark(vm);
		if (mark >= 0)
			collect(vm, (size_t)mark, PV_LIST);
		return;
	case '}':
		push(vm, pv_literal(&vm->pool, PV_DICT));
		return;
	case 'd':
		mark = pop_mark(vm);
		if (mark < 0)
			return;
		if ((vm->sp - (size_t)mark) % 2 != 0) {
			die_both(vm, "odd number of items for DICT");
			return;
		}
		collect(vm, (size_t)mark, PV_DICT);
		return;
	case 0x8f:
		push(vm, pv_literal(&vm->pool, PV_SET));
		return;
	case 0x91:
		mark = pop_mark(vm);
		if (mark >= 0)
			collect(vm, (size_t)mark, PV_FROZENSET);
		return;
	case 'a': /* APPEND */
		if (!need(vm, 2))
			return;
		check_mutation_target(vm, vm->stack[vm->sp - 2], "APPEND to");
		if (!mutation_ok(vm, vm->stack[vm->sp - 2], op))
			return;
		{
			struct pv *item = pop(vm);

			if (!pv_append(&vm->pool, vm->stack[vm->sp - 1], item))
				fatal_nomem(vm);
		}
		return;
	case 'e': /* APPENDS */
	case 0x90: /* ADDITEMS */
	case 'u': { /* SETITEMS */
		size_t i, m;

		mark = pop_mark(vm);
		if (mark < 0)
			return;
		m = (size_t)mark;
		if (m <= fence(vm)) {
			die_both(vm, "stack underflow");
			return;
		}
		if (op == 'u' && (vm->sp - m) % 2 != 0) {
			die_both(vm, "odd number of items for SETITEMS");
			return;
		}
		if (vm->sp == m)
			return;
		if (!mutation_ok(vm, vm->stack[m - 1], op))
			return;
		check_mutation_target(vm, vm->stack[m - 1],
				      op == 'u' ? "SETITEMS on" :
				      op == 'e' ? "APPENDS to" : "ADDITEMS to");
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
		check_mutation_target(vm, vm->stack[vm->sp - 3], "SETITEM on");
		if (!mutation_ok(vm, vm->stack[vm->sp - 3], op))
			return;
		if (!pv_append(&vm->pool, vm->stack[vm->sp - 3],
			       vm->stack[vm->sp - 2]) ||
		    !pv_append(&vm->pool, vm->stack[vm->sp - 3],
			       vm->stack[vm->sp - 1]))
			vm->ctx->status = PW_ERR_NOMEM;
		vm->sp -= 2;
		return;
	case 'b':
		op_build(vm);
		return;
	case 'R':
		op_reduce(vm);
		return;
	case 0x81:
		op_newobj(vm, false);
		return;
	case 0x92:
		op_newobj(vm, true);
		return;
	case 'o':
		op_obj(vm);
		return;
	case 'c':
		op_global_lines(vm, false);
		return;
	case 'i':
		op_global_lines(vm, true);
		return;
	case 0x93:
		op_stack_global(vm);
		return;
	case 'P':
		op_persid(vm, false);
		return;
	case 'Q':
		op_persid(vm, true);
		return;
	case 0x82:
		op_ext(vm, 1);
		return;
	case 0x83:
		op_ext(vm, 2);
		return;
	case 0x84:
		op_ext(vm, 4);
		return;
	case 'p': /* PUT */
		if (text_index(vm, &v))
			memo_store(vm, v);
		return;
	case 'q':
		if (rd_le(vm, 1, &v))
			memo_store(vm, v);
		return;
	case 'r':
		if (rd_le(vm, 4, &v))
			memo_store(vm, v);
		return;
	case 0x94: /* MEMOIZE */
		memo_store(vm, vm->memo.count);
		return;
	case 'g':
		if (text_index(vm, &v))
			memo_fetch(vm, v);
		return;
	case 'h':
		if (rd_le(vm, 1, &v))
			memo_fetch(vm, v);
		return;
	case 'j':
		if (rd_le(vm, 4, &v))
			memo_fetch(vm, v);
		return;
	case 0x80: /* PROTO */
		if (!rd_u8(vm, &v))
			return;
		if (v > HIGHEST_PROTOCOL) {
			die_both(vm, "unsupported pickle protocol");
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
			die_both(vm, "frame length exceeds the maximum size");
			return;
		}
		/* C reads the whole frame ahead and fails if it is not
		 * there; Python reads what there is and goes on. */
		if (vm->c_alive && !stream_has(vm->st, v) &&
		    (vm->st->from_source || v <= PW_STREAM_WINDOW))
			die_c(vm, "a frame is longer than the rest of the data");
		if (vm->py_alive) {
			if (vm->py_in_frame && after < vm->py_frame_end)
				die_py(vm, "a frame begins before the end of "
					   "the current frame");
			vm->py_in_frame = true;
			vm->py_frame_end = after + v;
		}
		return;
	}
	default:
		die_both(vm, "invalid opcode");
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
	vm->ext_first = NULL;
	vm->proto = 0;
	vm->c_alive = vm->py_alive = true;
	vm->py_in_frame = false;
	vm->py_frame_end = 0;
	vm->executed = vm->called = false;
	vm->diverged = vm->exec_after_div = false;
	vm->failed = false;
	vm->sparse_memo_reported = false;
	vm->fail_reason[0] = '\0';
}

/* Emits one finding per import made for the first time in this run. */
static void
emit_imports(struct pickle_vm *vm, bool downgrade)
{
	size_t b;
	struct imp **order;
	size_t n = vm->imps.count - vm->imps_emitted, i;

	if (n == 0)
		return;
	order = calloc(n, sizeof(*order));
	if (order == NULL) {
		vm->ctx->status = PW_ERR_NOMEM;
		return;
	}
	for (b = 0; b < vm->imps.nbuckets; b++) {
		struct imp *p;

		for (p = vm->imps.buckets[b]; p != NULL; p = p->next)
			if (p->seq >= vm->imps_emitted)
				order[p->seq - vm->imps_emitted] = p;
	}
	for (i = 0; i < n; i++) {
		struct imp *p = order[i];
		enum pw_severity sev;
		char calls[96] = "";

		if (p == NULL)
			continue;
		sev = p->sev;
		/* An unknown global merely imported, in a stream that broke
		 * before any call, cannot have done anything. */
		if (downgrade && sev == PW_SEV_SUSPICIOUS && p->calls == 0)
			sev = PW_SEV_INFO;
		if (p->calls > 0)
			snprintf(calls, sizeof(calls),
				 "; called %llu time%s (first by %s at %llu)",
				 (unsigned long long)p->calls,
				 p->calls == 1 ? "" : "s", p->call_opcode,
				 (unsigned long long)p->call_offset);
		scan_report_global(vm->ctx, sev, PW_KIND_IMPORT, p->resolved,
				   p->unresolved ? NULL : p->module,
				   p->unresolved ? NULL : p->name,
				   p->opcode, p->offset, "%s%s", p->reason,
				   calls);
	}
	vm->imps_emitted = vm->imps.count;
	free(order);
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

int
pickle_vm_run(struct pickle_vm *vm, struct stream *st,
	      struct pickle_outcome *out)
{
	struct scan_ctx *ctx = vm->ctx;
	uint64_t start = stream_offset(st);
	uint64_t max_ops = ctx->limits[PW_LIMIT_MAX_OPCODES];
	bool stop = false, ext_noise;

	memset(out, 0, sizeof(*out));
	reset_run(vm, st);
	while (alive(vm) && !stop && !vm->fatal) {
		const uint8_t *p;
		const struct op_info *info;

		vm->op_off = stream_offset(st);
		vm->op_name = NULL;
		if (ctx->opcodes++ >= max_ops) {
			fatal_limit(vm, "max_opcodes (too many opcodes)");
			break;
		}
		py_frame_check(vm, vm->op_off, 1);
		if (!stream_read(st, 1, &p)) {
			die_both(vm, "the data ends before STOP");
			break;
		}
		info = pickle_opcode(p[0]);
		if (info == NULL) {
			die_both(vm, "invalid opcode");
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
	out->stopped = stop;
	out->executed = vm->executed;
	out->end = stream_offset(st);
	out->top = vm->top;
	if (stop && vm->py_alive && vm->py_in_frame &&
	    vm->py_frame_end > out->end)
		out->frame_rest = vm->py_frame_end - out->end;
	ext_noise = vm->ext_first != NULL && !stop &&
		    vm->ext_first->calls == 0 &&
		    strncmp(vm->fail_reason, "the data ends", 13) != 0;
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
	emit_imports(vm, !stop && !vm->called);
	if (vm->diverged)
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

		if (vm->executed) {
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

int
pickle_scan_stream(struct scan_ctx *ctx, struct stream *st,
		   const struct pickle_opts *opts)
{
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	int rc;

	rc = pickle_vm_new(ctx, opts, &vm);
	if (rc != PW_OK)
		return rc;
	while (!scan_aborted(ctx) && !stream_at_end(st)) {
		rc = pickle_vm_run(vm, st, &out);
		if (vm->run_index == 1 && !out.stopped && !out.executed &&
		    ctx->depth == 0 && strcmp(ctx->res->format, "pickle") == 0)
			ctx->res->format = "data";	/* never was a pickle */
		if (rc != PW_OK || !out.stopped)
			break;
		if (out.frame_rest > 0) {
			/* The Python unpickler has read the whole frame, so
			 * its next load() starts after it; the C one (on a
			 * seekable file) starts right after STOP. */
			scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_STRUCTURE,
				    "STOP", out.end - 1,
				    "STOP inside a frame with %llu bytes left "
				    "in it: the two unpicklers resume at "
				    "different offsets",
				    (unsigned long long)out.frame_rest);
			if (st->from_source) {
				struct source alt;
				uint64_t at = out.end + out.frame_rest;

				if (source_slice(&st->src, at,
						 st->src.size > at
							 ? st->src.size - at
							 : 0,
						 &alt) &&
				    alt.size > 0 &&
				    ctx->alt_scans < PW_MAX_ALT_SCANS) {
					struct stream ast;

					if (stream_init_source(&ast, &alt) ==
					    PW_OK) {
						ctx->alt_scans++;
						ctx->depth++;
						rc = pickle_scan_stream(ctx, &ast,
									opts);
						ctx->depth--;
						stream_fini(&ast);
						if (rc != PW_OK)
							break;
					}
				}
			}
		}
	}
	pickle_vm_free(vm);
	return rc;
}
