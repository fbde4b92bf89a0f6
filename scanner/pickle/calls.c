/*
 * calls.c - imports and calls in the pickle machine: GLOBAL, STACK_GLOBAL,
 * INST, OBJ, REDUCE, NEWOBJ, BUILD, PERSID, EXT, and the import findings
 * emitted at the end of a run.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle/vm_internal.h"
#include "result.h"

static bool vm_is_joblib_wrapper_name(const char *name);

struct pv *
vm_global_value(struct pickle_vm *vm, struct imp *imp)
{
	struct pv *v;

	if (imp == NULL) {
		vm_fatal_nomem(vm);
		return NULL;
	}
	if (imp->opcode == NULL) {
		imp->opcode = vm->op_name;
		imp->offset = vm->op_off;
	}
	vm_mark_executed(vm);
	if (vm->diverged &&
	    (imp->unresolved || names_valid_path(imp->resolved,
						 imp->module_len)))
		vm->importable_after_div = true;
	if (imp->sev >= PW_SEV_SUSPICIOUS)
		vm_risky_after_divergence(vm);
	v = pv_new(&vm->pool, PV_GLOBAL);
	if (v != NULL)
		v->u.imp = imp;
	return v;
}

static struct pv *
vm_import_named(struct pickle_vm *vm, const char *module, const char *name)
{
	struct imp *imp = imp_lookup(&vm->imps, vm->ctx->scanner,
				     vm->opts.torchscript, module, name,
				     vm->proto);

	/* From here on the wrapper's state (shape, dtype) must be readable
	 * to find the raw array bytes that follow it: keep values. */
	if (imp != NULL && vm_is_joblib_wrapper_name(imp->resolved))
		vm->pool.retain = true;
	return vm_global_value(vm, imp);
}

static struct pv *
vm_import_unresolved(struct pickle_vm *vm, const char *what, const char *why)
{
	return vm_global_value(vm, imp_unresolved(&vm->imps, what, why));
}

static bool
vm_is_literal_kind(uint8_t k)
{
	return k != PV_GLOBAL && k != PV_CALL && k != PV_PERSID;
}

/* Records a call of callee and returns its (symbolic) result; in retain
 * mode the result keeps the callee and the arguments (args may be NULL). */
static struct pv *
vm_call_value_args(struct pickle_vm *vm, struct pv *callee, struct pv *args)
{
	struct pv *r;

	vm->called = true;
	vm_mark_executed(vm);
	if (callee->kind == PV_GLOBAL) {
		struct imp *imp = callee->u.imp;

		if (imp->calls++ == 0) {
			imp->call_opcode = vm->op_name;
			imp->call_offset = vm->op_off;
		}
	} else if (callee->kind == PV_CALL || callee->kind == PV_PERSID) {
		const char *via = pv_global_name(callee);

		vm_risky_after_divergence(vm);
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
	if (!vm->pool.retain && !(args != NULL && vm_is_dtype_global(callee))) {
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
vm_call_value(struct pickle_vm *vm, struct pv *callee)
{
	return vm_call_value_args(vm, callee, NULL);
}

/* joblib writes numpy arrays raw after their wrapper's BUILD. */
static bool
vm_is_joblib_wrapper_name(const char *name)
{
	size_t n = strlen(name);
	const char *tail = "numpy_pickle.NumpyArrayWrapper";
	size_t t = strlen(tail);

	return n >= t && strcmp(name + n - t, tail) == 0 &&
	       (n == t || name[n - t - 1] == '.');
}

/* A mutation (BUILD, SETITEM, APPEND...) of an imported global changes a
 * module or class for everything that runs after: monkeypatching. */
void
vm_check_mutation_target(struct pickle_vm *vm, const struct pv *target,
		      const char *how)
{
	if (target->kind != PV_GLOBAL)
		return;
	vm->called = true;
	vm_mark_executed(vm);
	vm_risky_after_divergence(vm);
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
bool
vm_mutation_ok(struct pickle_vm *vm, const struct pv *target, uint8_t op)
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
		vm_die_both(vm, "the target has no append, extend, __setitem__ "
			     "or add");
	return ok;
}

/* Copies a line's content (without its last byte, as both unpicklers
 * drop it) for use after further reads move the window. */
static bool
vm_line_text(const struct line *l, char *out, size_t cap, bool ascii_only,
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

void
vm_op_global_lines(struct pickle_vm *vm, bool inst)
{
	struct line l1, l2;
	char mod[PW_NAME_MAX + 1], name[PW_NAME_MAX + 1];
	struct pv *g;
	bool mod_ok, name_ok, bad1, bad2;
	long mark = -1;

	if (inst) {
		/* C pops the MARK first; Python imports, then pops it. */
		if (vm->nmarks == 0)
			vm_die_c(vm, "INST without a MARK");
		if (!alive(vm))
			return;
	}
	if (!vm_rd_line(vm, &l1))
		return;
	if (l1.len < 2)
		vm_die_c(vm, "empty module line");
	/* INST decodes as ASCII, GLOBAL as strict UTF-8, in both. */
	mod_ok = vm_line_text(&l1, mod, sizeof(mod), inst, &bad1);
	if (bad1) {
		vm_die_both(vm, "module name does not decode");
		return;
	}
	if (!vm_rd_line(vm, &l2))
		return;
	if (l2.len < 2)
		vm_die_c(vm, "empty name line");
	name_ok = vm_line_text(&l2, name, sizeof(name), inst, &bad2);
	if (bad2) {
		vm_die_both(vm, "global name does not decode");
		return;
	}
	if (!alive(vm))
		return;
	if (!mod_ok || !name_ok)
		g = vm_import_unresolved(vm, "<over-long name>",
				      "imports a global whose name is too long "
				      "to analyse (a dotted path this long can "
				      "walk anywhere)");
	else
		g = vm_import_named(vm, mod, name);
	if (g == NULL) {
		push(vm, NULL);
		return;
	}
	if (!inst) {
		push(vm, g);
		return;
	}
	mark = vm_pop_mark(vm);
	if (mark < 0) {
		pv_unref(&vm->pool, g);
		return;
	}
	drop_to(vm, (size_t)mark);
	push(vm, vm_call_value(vm, g));
	pv_unref(&vm->pool, g);
}

void
vm_op_stack_global(struct pickle_vm *vm)
{
	struct pv *name, *mod, *g;

	if (!need(vm, 2))
		return;
	name = pop(vm);
	mod = pop(vm);
	if ((vm_is_literal_kind(mod->kind) && mod->kind != PV_STR) ||
	    (vm_is_literal_kind(name->kind) && name->kind != PV_STR)) {
		vm_die_both(vm, "STACK_GLOBAL requires str");
		g = NULL;
	} else if (mod->kind != PV_STR || name->kind != PV_STR) {
		g = vm_import_unresolved(vm, "<computed name>",
				      "imports a global whose module or name is "
				      "computed at run time (an import that "
				      "cannot be resolved statically)");
		if (g == NULL)
			push(vm, NULL);
	} else if ((mod->flags | name->flags) & PVF_LONG) {
		g = vm_import_unresolved(vm, "<over-long name>",
				      "imports a global whose name is too long "
				      "to analyse (a dotted path this long can "
				      "walk anywhere)");
		if (g == NULL)
			push(vm, NULL);
	} else {
		g = vm_import_named(vm, pv_get_str(mod, NULL),
				 pv_get_str(name, NULL));
		if (g == NULL)
			push(vm, NULL);
	}
	pv_unref(&vm->pool, name);
	pv_unref(&vm->pool, mod);
	if (g != NULL)
		push(vm, g);
}

/* ---- the call model of allowlisted callables (allowlist.txt) ---- */

void
vm_op_reduce(struct pickle_vm *vm)
{
	struct pv *args, *fn;

	if (!need(vm, 2))
		return;
	args = pop(vm);
	fn = pop(vm);
	if (vm_is_literal_kind(fn->kind)) {
		vm_die_both(vm, "REDUCE of an object that is not callable");
	} else {
		/* C calls with an exact tuple only; Python unpacks *args. */
		switch (args->kind) {
		case PV_TUPLE: case PV_GLOBAL: case PV_CALL: case PV_PERSID:
			break;
		case PV_LIST: case PV_STR: case PV_BYTES: case PV_BYTEARRAY:
		case PV_DICT: case PV_SET: case PV_FROZENSET:
			vm_die_c(vm, "REDUCE arguments are not a tuple");
			break;
		default:
			vm_die_both(vm, "REDUCE arguments are not iterable");
		}
		if (alive(vm) && (vm_pinned_getattr(vm, fn, args) ||
				  vm_pinned_type(vm, fn, args))) {
			pv_unref(&vm->pool, args);
			pv_unref(&vm->pool, fn);
			return;
		}
		if (alive(vm) && vm_is_nested_loader(fn))
			vm_nested_load(vm, fn, args);
		if (alive(vm) && fn->kind == PV_GLOBAL)
			vm_apply_model(vm, fn->u.imp, args, 0);
		if (alive(vm) && vm_is_global_named(fn, "_codecs.encode")) {
			struct pv *b = vm_latin1_bytes(vm, args);

			if (b != NULL) {
				/* Count the call, keep the located bytes. */
				pv_unref(&vm->pool, vm_call_value(vm, fn));
				push(vm, b);
				pv_unref(&vm->pool, args);
				pv_unref(&vm->pool, fn);
				return;
			}
		}
		if (alive(vm))
			push(vm, vm_call_value_args(vm, fn, args));
	}
	pv_unref(&vm->pool, args);
	pv_unref(&vm->pool, fn);
}

void
vm_op_newobj(struct pickle_vm *vm, bool ex)
{
	struct pv *kwargs = NULL, *args, *cls;

	if (!need(vm, ex ? 3 : 2))
		return;
	if (ex)
		kwargs = pop(vm);
	args = pop(vm);
	cls = pop(vm);
	if (vm_is_literal_kind(cls->kind)) {
		vm_die_both(vm, "NEWOBJ class is not a type");
	} else {
		if (args->kind != PV_TUPLE && vm_is_literal_kind(args->kind)) {
			if (args->kind == PV_LIST || args->kind == PV_STR ||
			    args->kind == PV_BYTES || args->kind == PV_DICT ||
			    args->kind == PV_SET || args->kind == PV_FROZENSET ||
			    args->kind == PV_BYTEARRAY)
				vm_die_c(vm, "NEWOBJ arguments are not a tuple");
			else
				vm_die_both(vm, "NEWOBJ arguments are not iterable");
		}
		if (kwargs != NULL && kwargs->kind != PV_DICT &&
		    vm_is_literal_kind(kwargs->kind))
			vm_die_both(vm, "NEWOBJ_EX keyword arguments are not a dict");
		if (alive(vm))
			push(vm, vm_call_value_args(vm, cls, args));
	}
	if (kwargs != NULL)
		pv_unref(&vm->pool, kwargs);
	pv_unref(&vm->pool, args);
	pv_unref(&vm->pool, cls);
}

void
vm_op_obj(struct pickle_vm *vm)
{
	long mark = vm_pop_mark(vm);
	struct pv *cls;

	if (mark < 0)
		return;
	if (vm->sp - (size_t)mark < 1) {
		vm_die_both(vm, "OBJ without a class");
		return;
	}
	cls = pv_ref(vm->stack[mark]);
	drop_to(vm, (size_t)mark);
	if (vm_is_literal_kind(cls->kind))
		vm_die_both(vm, "OBJ of an object that is not callable");
	else
		push(vm, vm_call_value(vm, cls));
	pv_unref(&vm->pool, cls);
}

/* "__name__": what Python calls a dunder (special) attribute. */
static bool
is_dunder_key(const struct pv *k)
{
	const char *s;
	size_t n = 0;

	if (k->kind != PV_STR || (s = pv_get_str(k, &n)) == NULL)
		return false;
	if (!(n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' &&
	      s[n - 2] == '_'))
		return false;
	/* Descriptive strings real states carry (statsmodels' results
	 * wrappers and scipy's frozen distributions keep __doc__). */
	return !((n == 7 && memcmp(s, "__doc__", 7) == 0) ||
		 (n == 8 && memcmp(s, "__name__", 8) == 0) ||
		 (n == 10 && memcmp(s, "__module__", 10) == 0) ||
		 (n == 12 && memcmp(s, "__qualname__", 12) == 0));
}

/* Whether the keys stack[from], stack[from + 2]... (dict items being
 * set) include a dunder name. */
bool
vm_keys_dunder(const struct pickle_vm *vm, size_t from)
{
	size_t i;

	for (i = from; i + 1 < vm->sp; i += 2)
		if (is_dunder_key(vm->stack[i]))
			return true;
	return false;
}

/* Marks the dict at stack[target] as holding a dunder key; a shared
 * literal cell is replaced by one of its own to carry the mark (the memo
 * may keep the shared one: a state fetched back from it is not marked). */
void
vm_flag_dunder(struct pickle_vm *vm, size_t target)
{
	struct pv *d = vm->stack[target];

	if (d->kind != PV_DICT)
		return;
	if (d->refs == PV_IMMORTAL) {
		d = pv_new(&vm->pool, PV_DICT);
		if (d == NULL) {
			vm_fatal_nomem(vm);
			return;
		}
		vm->stack[target] = d;
	}
	d->flags |= PVF_DUNDER;
}

/* A BUILD state that sets dunder attributes (__class__, __reduce_ex__,
 * __setstate__, __annotations__, __dict__, __globals__...): a plain
 * state, or either half of a (dict, slots) state.  No writer produces it:
 * it swaps an object's class, plants the hooks a later pickle.dumps or
 * typing.get_type_hints runs, or reaches a function's globals. */
static bool
state_sets_dunder(const struct pv *state)
{
	size_t i;

	if (state->kind == PV_DICT)
		return (state->flags & PVF_DUNDER) != 0;
	if (state->kind != PV_TUPLE)
		return false;
	for (i = 0; i < pv_count(state) && i < 2; i++) {
		const struct pv *h = pv_item(state, i);

		if (h != NULL && h->kind == PV_DICT &&
		    (h->flags & PVF_DUNDER))
			return true;
	}
	return false;
}

/*
 * BUILD on a value a literal opcode made (int, str, list, dict...): no
 * __setstate__, no __dict__.  _pickle tests "state != None", then wants a
 * dict and the object's __dict__: any other state fails there.  pickle.py
 * skips a false state ("if state:"), so an empty dict or list, 0 or ''
 * passes; a non-empty dict fails in both.  (Other values' truth is not
 * always known here: pickle.py is kept reading, the wider reading.)
 */
static void
build_on_literal(struct pickle_vm *vm, const struct pv *state)
{
	if (state->kind == PV_NONE || !vm_is_literal_kind(state->kind))
		return;
	if (state->kind == PV_DICT && pv_count(state) > 0)
		vm_die_both(vm, "BUILD with a dict state on a value without "
			    "__dict__");
	else
		vm_die_c(vm, "BUILD on a value without __dict__ with a state "
			 "that is not a non-empty dict (pickle.py skips a "
			 "false state)");
}

void
vm_op_build(struct pickle_vm *vm)
{
	struct pv *state, *inst;

	if (!need(vm, 2))
		return;
	state = pop(vm);
	inst = vm->stack[vm->sp - 1];
	vm_check_mutation_target(vm, inst, "BUILD on");
	if (state_sets_dunder(state)) {
		vm->called = true;
		vm_risky_after_divergence(vm);
		scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
				   pv_global_name(inst), NULL, NULL,
				   vm->op_name, vm->op_off,
				   "BUILD state sets dunder attributes (such as "
				   "__class__, __reduce_ex__, __annotations__ or "
				   "__dict__) of the object: no writer produces "
				   "that state");
	}
	if (!vm_is_literal_kind(inst->kind))
		vm->called = true;	/* __setstate__ or attribute writes */
	else
		build_on_literal(vm, state);
	if (inst->kind == PV_CALL && pv_global_name(inst) != NULL &&
	    vm_is_joblib_wrapper_name(pv_global_name(inst)) &&
	    !vm->opts.no_joblib_arrays) {
		/* joblib's unpickler reads the array right here, from the
		 * file, outside any frame (pickle.load does not: vm.c reads
		 * the stream its way too). */
		int rc = vm->ctx->hooks->raw_array(vm->ctx, vm->st,
						   state);

		vm->joblib_read = true;

		if (rc != PW_OK) {
			vm->ctx->status = rc;
			vm->fatal = true;
		}
		if (vm->py_in_frame &&
		    stream_offset(vm->st) >= vm->py_frame_end)
			vm->py_in_frame = false;
		if (vm->c_in_frame &&
		    stream_offset(vm->st) >= vm->c_frame_end)
			vm->c_in_frame = false;
	}
	pv_unref(&vm->pool, state);
}

/*
 * Legacy torch.load's persistent_load returns data[0] for a
 * ('module', cls, source_file, source) id: the class of a saved nn.Module,
 * imported by the pickle itself and judged like any global.  A new
 * reference to that global, or NULL when the id has another shape (then
 * the result is opaque, and calling it is malicious).
 */
static struct pv *
module_persid(struct pickle_vm *vm, const struct pv *pid)
{
	const struct pv *kind, *cls;
	const char *k;

	if (!vm->opts.torch_module_persid || pv_kind(pid) != PV_TUPLE ||
	    pv_count(pid) < 2)
		return NULL;
	kind = pv_item(pid, 0);
	cls = pv_item(pid, 1);
	k = kind != NULL && kind->kind == PV_STR ? pv_get_str(kind, NULL) : NULL;
	if (k == NULL || strcmp(k, "module") != 0 || cls == NULL ||
	    cls->kind != PV_GLOBAL || cls->u.imp->unresolved)
		return NULL;
	return pv_ref((struct pv *)cls);
}

void
vm_op_persid(struct pickle_vm *vm, bool binary)
{
	struct pv *pid, *r;

	if (vm->opts.no_persistent_load) {
		/* pickle.load, joblib.load and torch.load's first (magic
		 * number) pickle have no persistent_load: _pickle raises
		 * before reading the id, pickle._Unpickler after it; neither
		 * runs anything.  (Not reading the id keeps the raw reading of
		 * a zip, whose 'P' is PERSID, from scanning for a newline.) */
		vm_die_both(vm, "persistent id without a persistent_load");
		return;
	}
	if (binary) {
		if (!need(vm, 1))
			return;
		pid = pop(vm);
	} else {
		struct line l;

		if (!vm_rd_line(vm, &l))
			return;
		if (l.long_line) {
			pid = pv_new_str(&vm->pool, PV_STR, NULL, l.len);
		} else {
			size_t i, n = l.len ? l.len - 1 : 0;

			for (i = 0; i < n; i++)
				if (l.p[i] >= 0x80) {
					vm_die_both(vm, "PERSID is not ASCII");
					return;
				}
			pid = pv_new_str(&vm->pool, PV_STR, l.p, n);
		}
		if (pid == NULL) {
			push(vm, NULL);
			return;
		}
	}
	switch (pv_kind(pid)) {
	case PV_NONE: case PV_BOOL: case PV_INT: case PV_FLOAT:
		/* Every persistent_load a loader defines (torch.load's, in
		 * each format, and torch.package's) indexes its id first: a
		 * number raises before anything is loaded.  (Random binary
		 * data reads as BININT then BINPERSID.) */
		pv_unref(&vm->pool, pid);
		vm_die_both(vm, "a persistent id that is a number: every "
			    "persistent_load raises on it");
		return;
	default:
		break;
	}
	vm->persid_seen = true;
	vm_mark_executed(vm);
	if (vm->opts.on_persid != NULL)
		vm->opts.on_persid(vm->opts.hook_arg, pid, vm->op_off);
	r = module_persid(vm, pid);
	pv_unref(&vm->pool, pid);
	if (r == NULL)
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
void
vm_op_ext(struct pickle_vm *vm, size_t n)
{
	uint64_t code;
	int64_t scode;
	char what[64];

	if (!rd_le(vm, n, &code))
		return;
	scode = n == 4 ? (int64_t)(int32_t)(uint32_t)code : (int64_t)code;
	if (scode <= 0) {
		vm_die_both(vm, "EXT code <= 0");
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
			imp->ext = true;
			imp->opcode = vm->op_name;
			imp->offset = vm->op_off;
			g->u.imp = imp;
			vm->ext_first = imp;
		}
		push(vm, g);
		return;
	}
	{
		struct pv *g = vm_import_unresolved(
			vm, what,
			"imports a global through the copyreg extension "
			"registry, which no static reading can resolve (a "
			"stock interpreter has no codes registered)");

		if (g != NULL && g->kind == PV_GLOBAL)
			g->u.imp->ext = true;
		push(vm, g);
	}
}

/* "module" + "Class.method": a dotted name whose last part is not an
 * ALL_CAPS member. */
static bool
is_called_method(const struct imp *p)
{
	const char *name = p->resolved + p->module_len + 1;
	const char *last = strrchr(name, '.');
	const char *c;

	if (p->module_len >= strlen(p->resolved) || last == NULL)
		return false;
	for (c = last + 1; *c != '\0'; c++)
		if (islower((unsigned char)*c))
			return true;
	return false;
}

/* A resolver judged by its uses was only ever called as we can pin down. */
static bool
pinned_only(const struct imp *p)
{
	return p->calls == 0 && p->pushes == p->pinned_calls;
}

/* A resolver reported as pinned in an earlier run of this stream is used
 * otherwise in a later one (the memo keeps it across load() calls). */
static void
report_misuse(struct pickle_vm *vm, struct imp *p)
{
	p->misuse_reported = true;
	scan_report_global(vm->ctx, PW_SEV_MALICIOUS, PW_KIND_IMPORT,
			   p->resolved, p->module, p->name, p->opcode,
			   p->offset, "%s; used otherwise than as "
			   "getattr(<global>, '<name>') or type(None) in a "
			   "later pickle",
			   p->reason);
}

/* Emits one finding per import made for the first time in this run. */
void
vm_emit_imports(struct pickle_vm *vm, bool downgrade)
{
	size_t b;
	struct imp **order;
	size_t n = vm->imps.count - vm->imps_emitted, i;

	for (i = 0; i < vm->n_pinned; i++) {
		struct imp *p = vm->pinned[i];

		if (p->seq < vm->imps_emitted && !p->misuse_reported &&
		    !pinned_only(p))
			report_misuse(vm, p);
	}

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
		const char *why;

		if (p == NULL)
			continue;
		why = p->reason;
		sev = p->sev;
		if (p->by_use) {
			p->misuse_reported = !pinned_only(p);
			if (!p->misuse_reported) {
				sev = PW_SEV_INFO;
				why = strcmp(p->resolved, "builtins.type") == 0
				      ? "used only as type(None), which is "
					"NoneType"
				      : "used only as getattr(<global>, "
					"'<name>'), judged as the dotted name "
					"it resolves to";
			}
		}
		/* A method reached through a dotted path ("Class.method",
		 * not an enum member) that is called: no writer pickles a
		 * call of an unlisted method (none in the real-world set). */
		if (sev == PW_SEV_SUSPICIOUS && p->calls > 0 &&
		    !p->unresolved && is_called_method(p)) {
			sev = PW_SEV_MALICIOUS;
			why = "a method reached through a dotted path and "
			      "called: no writer pickles a call of a method "
			      "outside the allowlist";
		}
		/* A nested loader is followed only as the callable of a
		 * call on bytes we scan; a reference to it kept as a value
		 * (a dict item, a default_factory, an argument of something
		 * that is not modelled) is loaded later with bytes we never
		 * see. */
		if (p->model != NULL && strncmp(p->model, "load", 4) == 0 &&
		    p->pushes > p->followed + p->dropped) {
			sev = PW_SEV_MALICIOUS;
			why = "nested loader referenced as a value, not called "
			      "on bytes that can be located and scanned (a "
			      "later stage loads what it is given)";
		}
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
				   p->opcode, p->offset, "%s%s", why, calls);
	}
	vm->imps_emitted = vm->imps.count;
	free(order);
}
