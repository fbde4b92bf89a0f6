/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readers.c - reading as both CPython unpicklers do (the C _pickle and the
 * pure-Python pickle._Unpickler): the Python reader's frame rules, text
 * lines and payloads, text numbers and memo indices, and the bookkeeping
 * of a divergence (one reader fails, the other goes on) or a failure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

static void
vm_diverge(struct pickle_vm *vm, bool c_dies, const char *why)
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
vm_die_one(struct pickle_vm *vm, bool c_reader, const char *why, bool eof)
{
	bool *self = c_reader ? &vm->c_alive : &vm->py_alive;
	bool other = c_reader ? vm->py_alive : vm->c_alive;

	if (!*self)
		return;
	*self = false;
	if (other) {
		vm_diverge(vm, c_reader, why);
	} else {
		vm->failed = true;
		vm->fail_eof = eof;
		snprintf(vm->fail_reason, sizeof(vm->fail_reason), "%s", why);
	}
}

void
vm_die_c(struct pickle_vm *vm, const char *why)
{
	vm_die_one(vm, true, why, false);
}

/* The C reader fails because the data ended (the text is for people; the
 * decision reads the flag). */
static void
vm_die_c_eof(struct pickle_vm *vm, const char *why)
{
	vm_die_one(vm, true, why, true);
}

void
vm_die_py(struct pickle_vm *vm, const char *why)
{
	vm_die_one(vm, false, why, false);
}

static void
vm_die_both_ex(struct pickle_vm *vm, const char *why, bool eof)
{
	vm->c_alive = vm->py_alive = false;
	vm->failed = true;
	vm->fail_eof = eof;
	snprintf(vm->fail_reason, sizeof(vm->fail_reason), "%s", why);
}

void
vm_die_both(struct pickle_vm *vm, const char *why)
{
	vm_die_both_ex(vm, why, false);
}

/* Both fail because the data ended: cut short, not malformed. */
void
vm_die_both_eof(struct pickle_vm *vm, const char *why)
{
	vm_die_both_ex(vm, why, true);
}

void
vm_fatal_limit(struct pickle_vm *vm, const char *what)
{
	/* Data that runs into a pickle cap (opcodes, memo, live values) has
	 * been running as a pickle all along - garbage dies in a few bytes -
	 * so a loader executes it: the error fails closed. */
	scan_mark_executable(vm->ctx);
	scan_limit(vm->ctx, vm->op_off, what);
	vm->fatal = true;
	vm->c_alive = vm->py_alive = false;
}

void
vm_fatal_nomem(struct pickle_vm *vm)
{
	vm->ctx->status = PW_ERR_NOMEM;
	vm->fatal = true;
	vm->c_alive = vm->py_alive = false;
}

/* Something ran: an import, a call, a persistent load. */
void
vm_mark_executed(struct pickle_vm *vm)
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
void
vm_risky_after_divergence(struct pickle_vm *vm)
{
	if (vm->diverged)
		vm->exec_after_div = true;
}

/*
 * pickle._Unpickler reads through an _Unframer: inside a frame, a read
 * must lie wholly in the frame (else "pickle exhausted before end of
 * frame"), and a read that starts exactly at the frame's end leaves the
 * frame.  The C unpickler treats frames as a read-ahead hint only.
 */
/*
 * An argument that runs past the end of a frame is read three ways: the C
 * unpickler reads on when the frame lay within what peek() prefetched; it
 * drops the rest of the frame and reads from its end when the frame came
 * by read() (a stream such as BytesIO, a frame larger than the file's
 * buffer, an unpickler reused after a STOP inside the frame); and the
 * Python unpickler fails.  No pickler writes this; it exists only to show
 * different programs to different readers.
 */
/* pickle.py's _Framer._FRAME_SIZE_TARGET, _pickle.c's FRAME_SIZE_TARGET. */
#define PICKLER_FRAME_TARGET (64 * 1024)

void
vm_frame_straddle(struct pickle_vm *vm)
{
	vm_die_py(vm, "a read crosses the end of a frame");
	scan_report(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_DIFFERENTIAL,
		    vm->op_name, vm->op_off,
		    "an opcode's argument crosses the end of a frame: the C "
		    "unpickler reads different bytes on files and on streams, "
		    "and the Python unpickler fails (a parser-differential "
		    "evasion)");
	/* Reported once: the Python reader is gone, so is its frame, and
	 * the C readers part ways here (the one on files is followed). */
	vm->py_in_frame = false;
	vm->c_in_frame = false;
}

bool
vm_rd_line(struct pickle_vm *vm, struct line *l)
{
	uint64_t off = stream_offset(vm->st);
	bool got;

	memset(l, 0, sizeof(*l));
	got = stream_readline(vm->st, &l->p, &l->len, &l->nl);
	if (vm->ctx->prefix && (!got || (!l->nl && stream_at_end(vm->st)))) {
		/* The prefix of a file still being written: the line goes on
		 * in bytes that have not landed.  Python's readline() would
		 * hand the cut line to find_class only if the file ended
		 * here, and it does not: both readers stop, cut short. */
		vm_die_both_eof(vm, "the prefix ends inside a text line");
		l->p = (const uint8_t *)"";
		l->len = 0;
		return false;
	}
	if (!got) {
		/* At the end of the data the Python unpickler's readline()
		 * returns b'' and it carries on with an empty line (GLOBAL
		 * then asks find_class for ''); C fails. */
		vm_die_c_eof(vm, "the data ends where a text line was expected");
		(void)off;	/* an exhausted frame falls back to the file */
		vm->py_in_frame = false;
		vm->c_in_frame = false;
		l->p = (const uint8_t *)"";
		return alive(vm);
	}
	l->long_line = l->p == NULL;
	/* A line not wholly inside the frame: Python fails, _pickle without
	 * peek() drops the buffered part and reads a new line from the end
	 * of the frame (on, even after Python died on a nested FRAME). */
	if (vm->py_alive && vm->py_in_frame && off == vm->py_frame_end)
		vm->py_in_frame = false;
	if (vm->c_alive && vm->c_in_frame && off >= vm->c_frame_end)
		vm->c_in_frame = false;
	if ((vm->py_alive && vm->py_in_frame &&
	     (!l->nl || off + l->len > vm->py_frame_end)) ||
	    (vm->c_alive && vm->c_in_frame &&
	     (!l->nl || off + l->len > vm->c_frame_end)))
		vm_frame_straddle(vm);
	if (!l->nl)
		vm_die_c(vm, "a text line does not end with a newline");
	return alive(vm);
}

/* Consumes n payload bytes of a string or bytes argument.  Keeps the
 * content (for names) when it is short; validates UTF-8 as it goes when
 * asked, chunk by chunk, without buffering long payloads. */
bool
vm_rd_payload(struct pickle_vm *vm, uint64_t n, bool utf8, const uint8_t **ret)
{
	uint64_t off = stream_offset(vm->st);
	struct utf8_state u;

	*ret = NULL;
	/* The picklers (pickle.py's _Framer.write_large_bytes, _pickle's
	 * _Pickler_write_bytes) leave a frame for a payload only when it is
	 * at least FRAME_SIZE_TARGET (64 KiB) long; a smaller one read past
	 * the end of the frame its opcode began in was placed there by hand,
	 * which is how readers are shown different streams. */
	if (vm->py_alive && vm->py_in_frame && off == vm->py_frame_end &&
	    vm->op_off < off && n > 0 && n < PICKLER_FRAME_TARGET)
		scan_report(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_STRUCTURE,
			    vm->op_name, vm->op_off,
			    "a %llu-byte argument lies outside the frame its "
			    "opcode began in: picklers do this only for 64 KiB "
			    "and more (a hand-made frame layout)",
			    (unsigned long long)n);
	py_frame_check(vm, off, n);
	if (n <= PW_NAME_MAX) {
		if (!stream_read(vm->st, (size_t)n, ret)) {
			vm_die_both_eof(vm, "the data ends inside a string");
			return false;
		}
		if (utf8 && !utf8_valid(*ret, (size_t)n, true)) {
			vm_die_both(vm, "a string is not valid UTF-8");
			return false;
		}
		return true;
	}
	if (!utf8) {
		if (stream_skip(vm->st, n) != n) {
			vm_die_both_eof(vm, "the data ends inside a bytes payload");
			return false;
		}
		return true;
	}
	utf8_begin(&u);
	while (n > 0) {
		size_t chunk = n > PW_STREAM_WINDOW ? PW_STREAM_WINDOW : (size_t)n;
		const uint8_t *p;

		if (!stream_read(vm->st, chunk, &p)) {
			vm_die_both_eof(vm, "the data ends inside a string");
			return false;
		}
		utf8_feed(&u, p, chunk, true);
		n -= chunk;
	}
	if (!utf8_end(&u)) {
		vm_die_both(vm, "a string is not valid UTF-8");
		return false;
	}
	return true;
}

void
vm_op_text_number(struct pickle_vm *vm, uint8_t op)
{
	struct line l;
	struct num_verdict v;
	size_t clen, plen;

	if (!vm_rd_line(vm, &l))
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
		vm_die_c(vm, "a text number line is empty");
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
		vm_die_both(vm, "a text number does not parse");
		return;
	}
	if (!v.c_ok)
		vm_die_c(vm, "a text number parses in Python but not in C");
	if (!v.py_ok)
		vm_die_py(vm, "a text number parses in C but not in Python");
	if (!alive(vm))
		return;
	if (op == 'F')
		push(vm, pv_literal(&vm->pool, PV_FLOAT));
	else
		push(vm, pv_new_int(&vm->pool, vm->c_alive ? v.c_value : v.py_value,
				    !(vm->c_alive ? v.c_fits : v.py_fits)));
}

/* GET and PUT with a text index: base 10 in both, but C reads a C string
 * (to the first NUL) and fails on values past ssize_t. */
bool
vm_text_index(struct pickle_vm *vm, uint64_t *key)
{
	struct line l;
	struct num_verdict v, pv;
	size_t clen;

	if (!vm_rd_line(vm, &l))
		return false;
	if (l.long_line) {
		vm_die_both(vm, "memo index line too long");
		return false;
	}
	if (l.len < 2)
		vm_die_c(vm, "empty memo index");
	clen = l.nl ? l.len - 1 : l.len;
	numparse_index(l.p, clen, &v);
	numparse_index(l.p, l.len ? l.len - 1 : 0, &pv);
	v.py_ok = pv.py_ok;
	v.py_fits = pv.py_fits;
	v.py_value = pv.py_value;
	if ((!v.c_ok || !v.c_fits) && !v.py_ok) {
		/* Both fail on this very line ("person" in a label list is
		 * PUT "erson"): no reader goes on, so no divergence. */
		vm_die_both(vm, "memo index does not parse");
		return false;
	}
	if (!v.c_ok || !v.c_fits)
		vm_die_c(vm, "memo index does not parse in C");
	if (!v.py_ok)
		vm_die_py(vm, "memo index does not parse in Python");
	if (vm->c_alive && vm->py_alive && v.py_fits &&
	    v.c_value != v.py_value)
		vm_die_py(vm, "memo index reads differently in Python");
	if (!alive(vm))
		return false;
	if (vm->c_alive) {
		if (v.c_value < 0) {
			vm_die_both(vm, "negative memo index");
			return false;
		}
		*key = (uint64_t)v.c_value;
	} else if (v.py_fits) {
		if (v.py_value < 0) {
			vm_die_both(vm, "negative memo index");
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
