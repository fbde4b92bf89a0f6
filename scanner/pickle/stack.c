/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stack.c - the pickle machine's stack past its caps: the slow path of
 * push(), and the shedding that keeps reading after PW_MAX_STACK items or
 * PW_MAX_MARKS marks instead of stopping (a cap is no exit).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

/*
 * Caps that are no exits.  CPython keeps millions of stack items and marks;
 * we keep PW_MAX_STACK and PW_MAX_MARKS, and past them shed the oldest half
 * and read on: a payload placed after four million pushes is still seen.
 * The cap is reported (an error finding); what was shed reads back as
 * unknown values, which every call judges as computed, never as harmless.
 */
static void
vm_shed_report(struct pickle_vm *vm, const char *what)
{
	if (!vm->stack_shed && !vm->marks_shed) {
		vm->ctx->limit_hit = true;
		scan_report(vm->ctx, PW_SEV_ERROR, PW_KIND_LIMIT, vm->op_name,
			    vm->op_off, "analysis limit reached: %s", what);
	}
}

void
vm_push_slow(struct pickle_vm *vm, struct pv *v)
{
	if (v == NULL) {
		if (vm->pool.live >= PW_MAX_VALUES)
			vm_fatal_limit(vm, "too many live values in one pickle");
		else
			vm_fatal_nomem(vm);
		return;
	}
	if (vm->sp == vm->stack_cap) {
		size_t ncap = vm->stack_cap ? vm->stack_cap * 2 : 256;
		struct pv **n;

		if (ncap > PW_MAX_STACK) {
			/* A cap is no exit: the oldest half goes, the rest of
			 * the stream is still read (CPython keeps it all). */
			vm_shed_stack(vm);
			if (vm->fatal) {
				pv_unref(&vm->pool, v);
				return;
			}
			vm->stack[vm->sp++] = v;
			return;
		}
		n = reallocarray(vm->stack, ncap, sizeof(*n));
		if (n == NULL) {
			pv_unref(&vm->pool, v);
			vm_fatal_nomem(vm);
			return;
		}
		vm->stack = n;
		vm->stack_cap = ncap;
	}
	vm->stack[vm->sp++] = v;
}

void
vm_shed_stack(struct pickle_vm *vm)
{
	size_t k = vm->sp / 2, i;

	vm_shed_report(vm, "pickle stack too deep (its oldest half was "
			   "dropped; reading on)");
	vm->stack_shed = true;
	for (i = 0; i < k; i++)
		pv_unref(&vm->pool, vm->stack[i]);
	memmove(vm->stack, vm->stack + k, (vm->sp - k) * sizeof(*vm->stack));
	vm->sp -= k;
	for (i = 0; i < vm->nmarks; i++)
		vm->marks[i] = vm->marks[i] > k ? vm->marks[i] - k : 0;
}

void
vm_shed_marks(struct pickle_vm *vm)
{
	size_t k = vm->nmarks / 2;

	vm_shed_report(vm, "too many MARKs (the oldest half was dropped; "
			   "reading on)");
	vm->marks_shed = true;
	memmove(vm->marks, vm->marks + k, (vm->nmarks - k) * sizeof(*vm->marks));
	vm->nmarks -= k;
}

bool
vm_need_shed(struct pickle_vm *vm, size_t n)
{
	size_t missing = n - avail(vm), i, j;

	if (fence(vm) != 0) {
		vm_die_both(vm, "stack underflow");
		return false;
	}
	for (i = 0; i < missing; i++) {
		struct pv *u = pv_new(&vm->pool, PV_CALL);

		if (u == NULL) {
			vm_fatal_nomem(vm);
			return false;
		}
		push(vm, u);
		if (vm->fatal)
			return false;
		/* Unknowns go under what is there. */
		memmove(vm->stack + 1, vm->stack,
			(vm->sp - 1) * sizeof(*vm->stack));
		vm->stack[0] = u;
		for (j = 0; j < vm->nmarks; j++)
			vm->marks[j]++;
	}
	return true;
}

