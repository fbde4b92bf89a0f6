/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callmodel.c - the call model of allowed callables: the argument shapes
 * their writers produce, what each does with its arguments (calls one,
 * loads bytes, returns a value), and the calls we can pin down to a name
 * (getattr(<global>, '<name>'), type(None)).  Applied at every REDUCE
 * (calls.c).
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"
/* Whether argument a is of a kind the shape letter c allows. */
static bool
shape_letter_ok(char c, const struct pv *a)
{
	switch (c) {
	case '*':
		return true;
	case 'n':
		return a->kind == PV_NONE || a->kind == PV_BOOL ||
		       a->kind == PV_INT || a->kind == PV_FLOAT;
	case 'N':
		return a->kind == PV_NONE;
	case 's':
		return a->kind == PV_STR;
	case 'b':
		return a->kind == PV_BYTES || a->kind == PV_BYTEARRAY ||
		       a->kind == PV_BUFFER;
	case 't':
		return a->kind == PV_TUPLE;
	case 'l':
		return a->kind == PV_LIST;
	case 'd':
		return a->kind == PV_DICT;
	case 'S':
		return a->kind == PV_SET || a->kind == PV_FROZENSET;
	case 'g':
		return a->kind == PV_GLOBAL;
	case 'c':
		return a->kind == PV_CALL;
	case 'p':
		return a->kind == PV_PERSID;
	default:
		return false;
	}
}

/* One signature, "pc,n,t" (s[0..len)), against the known arguments. */
static bool
shape_sig_ok(const char *s, size_t len, const struct pv *args)
{
	size_t n = pv_count(args), pos = 0, i = 0;

	if (len == 0)
		return n == 0;
	while (i <= len) {
		size_t j = i;
		const struct pv *a;
		bool ok = false;

		while (j < len && s[j] != ',')
			j++;
		if (pos >= n)
			return false;
		a = pv_item(args, pos);
		for (; i < j && a != NULL; i++)
			ok = ok || shape_letter_ok(s[i], a);
		if (!ok)
			return false;
		pos++;
		i = j + 1;
	}
	return pos == n;
}

/* Whether the arguments match one of the ';'-separated signatures. */
static bool
shape_ok(const char *sigs, const struct pv *args)
{
	for (;;) {
		const char *semi = strchr(sigs, ';');
		size_t len = semi ? (size_t)(semi - sigs) : strlen(sigs);

		if (shape_sig_ok(sigs, len, args))
			return true;
		if (semi == NULL)
			return false;
		sigs = semi + 1;
	}
}

/* Arguments whose items we know: a tuple kept whole (outside retain mode
 * only small tuples holding names, globals or calls are). */
static bool
args_known(const struct pv *args)
{
	return args != NULL && args->kind == PV_TUPLE && args->items_cap > 0;
}

static void
model_report(struct pickle_vm *vm, const struct imp *imp, const char *why)
{
	vm->called = true;
	vm_risky_after_divergence(vm);
	scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
			   imp->resolved, NULL, NULL, vm->op_name, vm->op_off,
			   "calls %s %s", imp->resolved, why);
}

static void vm_call_as_modelled(struct pickle_vm *vm, const struct pv *callee,
				const struct pv *args, bool args_given,
				unsigned depth);

/*
 * Applies the call model of an allowlisted callable to one call of it with
 * args (NULL: arguments not known, as when a higher-order function calls
 * it with arguments of its own).  Reports what the model says is hostile:
 * a call of a value, arguments of a shape no writer produces, an argument
 * it calls that is a value obtained at run time; a callable it is given is
 * called in turn, by the same rules (depth-bounded).
 */
void
vm_apply_model(struct pickle_vm *vm, struct imp *imp, const struct pv *args,
	       unsigned depth)
{
	const char *m = imp->model, *eq, *p;

	if (m == NULL || depth > PW_MODEL_DEPTH)
		return;
	eq = strchr(m, '=');
	if (strncmp(m, "value", 5) == 0) {
		model_report(vm, imp, "(a value its writers reference and "
			     "never call)");
		return;
	}
	if (eq != NULL && args != NULL) {
		if (args->kind != PV_TUPLE && args->kind != PV_LIST)
			model_report(vm, imp, "with arguments computed at run "
				     "time (no writer does)");
		else if (args_known(args) && !shape_ok(eq + 1, args)) {
			char why[160];

			snprintf(why, sizeof(why), "with arguments of a shape "
				 "its writers never produce (they write %s)",
				 eq + 1);
			model_report(vm, imp, why);
		}
	}
	if (strncmp(m, "calls:", 6) != 0)
		return;
	/* "calls:K[<J],...": argument K is called (with argument J). */
	for (p = m + 6; *p != '\0' && *p != '=';) {
		char *end;
		unsigned long k = strtoul(p, &end, 10), j = ULONG_MAX;
		const struct pv *a, *inner = NULL;

		if (end == p)
			break;
		p = end;
		if (*p == '<') {
			j = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (*p == ',')
			p++;
		if (!args_known(args) || (a = pv_item(args, k)) == NULL)
			continue;
		if (j != ULONG_MAX)
			inner = pv_item(args, j);
		vm_call_as_modelled(vm, a, inner, j != ULONG_MAX, depth + 1);
	}
}

/*
 * A callable an allowed higher-order function calls: a global is called
 * (counted, modelled, a nested loader followed); a value obtained at run
 * time cannot be pinned down; anything else (None, a number) only fails.
 */
static void
vm_call_as_modelled(struct pickle_vm *vm, const struct pv *callee,
		    const struct pv *args, bool args_given, unsigned depth)
{
	struct imp *imp;

	if (callee->kind == PV_CALL || callee->kind == PV_PERSID) {
		vm->called = true;
		vm_risky_after_divergence(vm);
		scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
				   pv_global_name(callee), NULL, NULL,
				   vm->op_name, vm->op_off,
				   "an allowed callable calls a callable it is "
				   "given that was obtained at run time (the "
				   "result of %s), which no static reading can "
				   "pin down",
				   callee->kind == PV_PERSID ? "a persistent load"
							     : "a call");
		return;
	}
	if (callee->kind != PV_GLOBAL)
		return;
	imp = callee->u.imp;
	vm->called = true;
	if (imp->calls++ == 0) {
		imp->call_opcode = vm->op_name;
		imp->call_offset = vm->op_off;
	}
	if (imp->sev >= PW_SEV_SUSPICIOUS)
		vm_risky_after_divergence(vm);
	if (imp->model != NULL && strncmp(imp->model, "load", 4) == 0) {
		if (args_given && args != NULL)
			vm_nested_load(vm, callee, args);
		else
			scan_report_global(vm->ctx, PW_SEV_MALICIOUS,
					   PW_KIND_CALL, imp->resolved, NULL,
					   NULL, vm->op_name, vm->op_off,
					   "nested loader called by an allowed "
					   "callable on data that cannot be "
					   "located and scanned");
	}
	vm_apply_model(vm, imp, args_given ? args : NULL, depth);
}

/* "module.Name": a class by Python's naming convention (the last part
 * starts upper-case after any underscores), not a function whose result
 * could be anything. */
static bool
names_looks_like_class(const char *resolved)
{
	const char *last = strrchr(resolved, '.');

	last = last != NULL ? last + 1 : resolved;
	while (*last == '_')
		last++;
	return isupper((unsigned char)*last);
}

/* Counts one pinned call of a global judged by its uses. */
static bool
pin_call(struct pickle_vm *vm, struct imp *imp)
{
	if (imp->pinned_calls == 0) {
		/* Remembered, to catch a misuse in a later pickle. */
		if (vm->n_pinned == sizeof(vm->pinned) / sizeof(vm->pinned[0]))
			return false;
		vm->pinned[vm->n_pinned++] = imp;
	}
	imp->pinned_calls++;
	vm->called = true;
	return true;
}

/*
 * builtins.type(None) is NoneType: how every pickler writes type(None)
 * (pickle's save_type).  With one argument type() only returns the type
 * of what it is given; with three it creates a class, so any other use
 * keeps builtins.type what it is (see vm_pinned_getattr).
 */
bool
vm_pinned_type(struct pickle_vm *vm, struct pv *fn, struct pv *args)
{
	const struct pv *a;

	if (fn->kind != PV_GLOBAL || !fn->u.imp->by_use ||
	    args->kind != PV_TUPLE || pv_count(args) != 1 ||
	    strcmp(fn->u.imp->resolved, "builtins.type") != 0)
		return false;
	a = pv_item(args, 0);
	if (a == NULL || a->kind != PV_NONE || !pin_call(vm, fn->u.imp))
		return false;
	push(vm, vm_global_value(vm, imp_lookup(&vm->imps, vm->ctx->scanner,
						vm->opts.torchscript,
						"builtins", "NoneType",
						HIGHEST_PROTOCOL)));
	return true;
}

/*
 * builtins.getattr(<global>, '<identifier>') is an attribute of an
 * imported global: exactly what protocol 4 imports as the dotted name
 * "module" + "Class.NAME".  CPython 3.11.0-3.11.4 (Debian 12's among them)
 * pickle every enum member this way, and zoneinfo.ZoneInfo pickles through
 * getattr(ZoneInfo, '_unpickle').  Such a call is judged as that dotted
 * import, by every name rule (denylist, dunders, module escapes,
 * allowlist), and its result is that global.  Any other use of getattr -
 * on an object, with a computed or dotted name, with a default, called by
 * another opcode, or handed around as a value - leaves the resolver what
 * it is: malicious (emit_imports compares its pushes with these calls).
 * Returns false when the call does not have this shape.
 */
bool
vm_pinned_getattr(struct pickle_vm *vm, struct pv *fn, struct pv *args)
{
	const struct pv *owner, *attr;
	const struct imp *oi;
	const char *an;
	size_t alen = 0, nlen;
	char mod[PW_NAME_MAX + 1], name[PW_NAME_MAX + 1];
	struct pv *g;

	if (fn->kind != PV_GLOBAL || !fn->u.imp->by_use ||
	    args->kind != PV_TUPLE || pv_count(args) != 2 ||
	    strcmp(fn->u.imp->resolved, "builtins.getattr") != 0)
		return false;
	owner = pv_item(args, 0);
	attr = pv_item(args, 1);
	/* getattr(<object built by calling a global>, name): a bound
	 * method in a scheduler's state (OneCycleLR's anneal_func) is judged
	 * as that global's attribute, "Class.name"; what the object's state
	 * put there was judged where it was imported. */
	if (owner != NULL && owner->kind == PV_CALL &&
	    pv_callee(owner) != NULL && pv_callee(owner)->kind == PV_GLOBAL &&
	    names_looks_like_class(pv_callee(owner)->u.imp->resolved))
		owner = pv_callee(owner);
	if (owner == NULL || attr == NULL || owner->kind != PV_GLOBAL ||
	    attr->kind != PV_STR || (attr->flags & PVF_LONG))
		return false;
	oi = owner->u.imp;
	an = pv_get_str(attr, &alen);
	if (oi->unresolved || an == NULL || memchr(an, '.', alen) != NULL ||
	    !names_valid_path(an, alen))
		return false;
	nlen = strlen(oi->resolved) - oi->module_len - 1;
	if (nlen + 1 + alen > PW_NAME_MAX)
		return false;
	memcpy(mod, oi->resolved, oi->module_len);
	mod[oi->module_len] = '\0';
	memcpy(name, oi->resolved + oi->module_len + 1, nlen);
	name[nlen] = '.';
	memcpy(name + nlen + 1, an, alen + 1);
	if (!pin_call(vm, fn->u.imp))
		return false;
	/* Already resolved: no Python 2 remapping a second time. */
	g = vm_global_value(vm, imp_lookup(&vm->imps, vm->ctx->scanner,
					   vm->opts.torchscript, mod, name,
					   HIGHEST_PROTOCOL));
	push(vm, g);
	return true;
}

