/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pickle.h - the pickle analyser (internal): a bounds-checked decoder of
 * every opcode of protocols 0-5 driving a symbolic stack machine that
 * resolves every import and attributes every call, reading the stream as
 * both CPython unpicklers (the C _pickle and the pure-Python
 * pickle._Unpickler) would, and reporting where they part ways.
 */
#ifndef PW_PICKLE_H
#define PW_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "stream.h"

/* Kinds of symbolic values. */
enum pv_kind {
	PV_NONE, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_BYTES, PV_BYTEARRAY,
	PV_BUFFER, PV_TUPLE, PV_LIST, PV_DICT, PV_SET, PV_FROZENSET,
	PV_GLOBAL,	/* an imported global (GLOBAL, STACK_GLOBAL, INST, EXT) */
	PV_CALL,	/* the result of calling something */
	PV_PERSID,	/* the result of persistent_load */
	PV_MARK,	/* not a value: marks in retained items never appear */
};

struct pv;

enum pv_kind pv_kind(const struct pv *v);
/* The value of an int that fits in 64 bits. */
bool pv_get_int(const struct pv *v, int64_t *ret);
/* A str's (or bytes') content, NUL-terminated, or NULL when the value is not
 * a string or was too long to keep (> PW_NAME_MAX). */
const char *pv_get_str(const struct pv *v, size_t *ret_len);
/* Items of a tuple, list or dict (key, value, key, value...) - only kept
 * when the run asked to retain them. */
size_t pv_count(const struct pv *v);
const struct pv *pv_item(const struct pv *v, size_t i);
/* The resolved "module.qualname" of a PV_GLOBAL, or of the callable of a
 * PV_CALL whose callable was a global; NULL otherwise. */
const char *pv_global_name(const struct pv *v);

struct pickle_opts {
	/* Keep the items of containers (bounded by PW_MAX_RETAINED_ITEMS)
	 * so that a caller can read the value a pickle returns.  For small
	 * structural pickles only (legacy torch headers). */
	bool retain;
	/* Judge against the TorchScript allowlist as well (__torch__.*). */
	bool torchscript;
	/* Legacy torch.load: a persistent id ('module', cls, file, source)
	 * loads as cls itself (torch.save(model) in the legacy format). */
	bool torch_module_persid;
	/* The reader has no persistent_load (plain pickle.load): PERSID and
	 * BINPERSID fail in both unpicklers. */
	bool no_persistent_load;
	/* torch.load reads a file that is not a zip or tar as the legacy
	 * stack: a first pickle that returns a number (the magic, in any
	 * encoding: torch compares values, not bytes), then further pickles,
	 * one of them with torch's persistent_load.  When set, the pickles
	 * after a first one that returned what may be a number (a literal,
	 * or anything computed or imported) are read with that
	 * persistent_load. */
	bool legacy_after_number;
	/* A loop of pickle.load calls: every pickle gets a new unpickler,
	 * so starts with an empty memo (without it, the memo of one
	 * unpickler reused for every pickle carries over). */
	bool fresh_memo;
	/* pickle.load's reading of a joblib stream: the raw array bytes
	 * after a NumpyArrayWrapper's BUILD are read as opcodes. */
	bool no_joblib_arrays;
	/* Called for every PERSID/BINPERSID with the persistent id. */
	void (*on_persid)(void *arg, const struct pv *pid, uint64_t offset);
	void *hook_arg;
};

struct pickle_outcome {
	bool stopped;		/* reached STOP in at least one unpickler */
	bool executed;		/* imported, called, or used persid/ext */
	uint64_t end;		/* offset after STOP, or of the failure */
	uint64_t frame_rest;	/* bytes of the Python unpickler's frame left
				   after STOP (it resumes after them) */
	const struct pv *top;	/* what STOP returned (retain mode); owned by
				   the vm, valid until its next run */
};

struct pickle_vm;

/* Returns PW_OK or PW_ERR_NOMEM; opts may be NULL. */
int pickle_vm_new(struct scan_ctx *ctx, const struct pickle_opts *opts,
		  struct pickle_vm **ret_vm);
void pickle_vm_free(struct pickle_vm *vm);
/*
 * Runs one pickle from the stream's position to its STOP (or to the point
 * where both unpicklers fail), reporting findings through the context.
 * Returns PW_OK or a fatal status.
 */
int pickle_vm_run(struct pickle_vm *vm, struct stream *st,
		  struct pickle_outcome *out);

/*
 * The raw-pickle format: runs pickle after pickle to the end of the stream
 * (loaders such as legacy torch.load read several), reporting trailing
 * data that is not a pickle.  opts may be NULL.
 */
int pickle_scan_stream(struct scan_ctx *ctx, struct stream *st,
		       const struct pickle_opts *opts);

/*
 * Another reading of the same bytes: pickle_scan_stream from offset from
 * of st's source, one level deeper, counted against PW_MAX_ALT_SCANS.
 * When st cannot be re-read or the cap is reached, reports why_not as a
 * suspicious differential instead.  Returns pickle_scan_stream's code.
 */
int pickle_alt_reading(struct scan_ctx *ctx, struct stream *st,
		       const struct pickle_opts *opts, uint64_t from,
		       const char *why_not);

#endif
