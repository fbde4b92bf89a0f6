/* SPDX-License-Identifier: Apache-2.0 */
/*
 * joblib.c - numpy arrays that joblib writes inline in its pickle stream.
 *
 * joblib's NumpyPickler pickles a NumpyArrayWrapper (class, shape, order,
 * dtype, and since joblib 1.2 numpy_array_alignment_bytes) and then writes
 * the array's bytes straight into the file; NumpyUnpickler.load_build reads
 * them back right after the wrapper's BUILD.  A pickle scanner that does not
 * know this would decode float bytes as opcodes.  This file reproduces
 * joblib's read_array: the padding byte and padding, then count * itemsize
 * raw bytes, or for an object array one nested pickle.
 */
#include "config.h"

#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "pickle/pickle.h"

/* Dimensions of an array we follow (numpy's own maximum is 64). */
#define JOBLIB_MAX_NDIM 64

static const struct pv *
dict_get(const struct pv *dict, const char *key)
{
	size_t i, n = pv_count(dict);

	for (i = 0; i + 1 < n; i += 2) {
		const char *k = pv_get_str(pv_item(dict, i), NULL);

		if (k != NULL && strcmp(k, key) == 0)
			return pv_item(dict, i + 1);
	}
	return NULL;
}

/* Item size of a numpy type string as numpy.dtype's reduce writes it
 * ("f8", "<i4", "U5", "V12", "O8"); 0 when not understood. */
static uint64_t
type_itemsize(const char *t, bool *ret_object, bool *ret_void)
{
	uint64_t n = 0;
	char kind;

	*ret_object = false;
	*ret_void = false;
	if (*t == '<' || *t == '>' || *t == '|' || *t == '=')
		t++;
	kind = *t++;
	if (kind == 'O') {
		*ret_object = true;
		return 8;
	}
	if (kind == '?' && *t == '\0')
		return 1;
	if (kind == '\0' || strchr("biufcmMSaUV", kind) == NULL)
		return 0;
	while (*t >= '0' && *t <= '9') {
		n = n * 10 + (uint64_t)(*t - '0');
		if (n > (1ULL << 32))
			return 0;
		t++;
	}
	if (*t == '[' && (kind == 'm' || kind == 'M')) {
		while (*t != '\0' && *t != ']')
			t++;
		if (*t == ']')
			t++;
	}
	if (*t != '\0')
		return 0;
	if (kind == 'U')
		n *= 4;	/* UCS-4 characters */
	*ret_void = kind == 'V';
	return n;
}

static int
give_up(struct scan_ctx *ctx, struct stream *st, uint64_t at, const char *why)
{
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, at,
		    "joblib array data cannot be located (%s); the rest of "
		    "the stream was not analysed", why);
	(void)stream_skip(st, UINT64_MAX);
	return PW_OK;
}

/*
 * A wrapper whose state lacks what read_array needs (a dict with shape and
 * dtype): joblib never writes one, and joblib.load raises on it, but a
 * plain pickle.load (pandas, torch, a hand-written loader) calls the
 * wrapper's __setstate__ and reads on from right here.  So does the
 * caller's reading: nothing is skipped.
 */
static int
read_on(struct scan_ctx *ctx, uint64_t at, const char *why)
{
	scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL, at,
		    "joblib array wrapper joblib cannot read (%s): joblib.load "
		    "fails here, pickle.load reads on as a pickle", why);
	return PW_OK;
}

static int
nested_pickle(struct scan_ctx *ctx, struct stream *st)
{
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	int rc;

	/* joblib calls pickle.load on the file: exactly one pickle. */
	rc = pickle_vm_new(ctx, NULL, &vm);
	if (rc != PW_OK)
		return rc;
	memset(&out, 0, sizeof(out));
	rc = pickle_vm_run(vm, st, &out);
	pickle_vm_free(vm);
	return rc;
}

int
joblib_read_array(struct scan_ctx *ctx, struct stream *st,
		  const struct pv *state)
{
	const struct pv *shape, *dtype, *align, *tv;
	const char *tstr;
	const uint8_t *next;
	uint64_t at = stream_offset(st), count = 1, itemsize, bytes;
	bool object, is_void;
	size_t i, ndim;

	scan_relabel(ctx, FMT_PICKLE, FMT_JOBLIB);
	if (state == NULL || pv_kind(state) != PV_DICT)
		return read_on(ctx, at, "its state is not a dict");
	shape = dict_get(state, "shape");
	dtype = dict_get(state, "dtype");
	align = dict_get(state, "numpy_array_alignment_bytes");
	if (shape == NULL || dtype == NULL)
		return read_on(ctx, at, "no shape or dtype");
	tv = pv_count(dtype) > 0 ? pv_item(dtype, 0) : NULL;
	tstr = tv != NULL ? pv_get_str(tv, NULL) : NULL;
	if (tstr == NULL)
		return give_up(ctx, st, at, "dtype not understood");
	itemsize = type_itemsize(tstr, &object, &is_void);
	if (itemsize == 0 && !object)
		return give_up(ctx, st, at, "dtype not understood");
	if (object)
		return nested_pickle(ctx, st);
	if (pv_kind(shape) != PV_TUPLE && pv_kind(shape) != PV_LIST)
		return give_up(ctx, st, at, "shape is not a tuple");
	ndim = pv_count(shape);
	if (ndim > JOBLIB_MAX_NDIM)
		return give_up(ctx, st, at, "too many dimensions");
	for (i = 0; i < ndim; i++) {
		int64_t d;

		if (!pv_get_int(pv_item(shape, i), &d) || d < 0 ||
		    __builtin_mul_overflow(count, (uint64_t)d, &count))
			return give_up(ctx, st, at, "bad shape");
	}
	if (__builtin_mul_overflow(count, itemsize, &bytes))
		return give_up(ctx, st, at, "array size overflows");
	if (align != NULL && pv_kind(align) == PV_INT) {
		const uint8_t *p;

		if (!stream_peek(st, 1, &next))
			goto truncated;
		/* A structured dtype with object fields is pickled, not
		 * written raw; the padding byte is never 0x80, a pickle's
		 * first byte always is. */
		if (is_void && next[0] == 0x80)
			return nested_pickle(ctx, st);
		if (!stream_read(st, 1, &p) || stream_skip(st, p[0]) != p[0])
			goto truncated;
	} else if (is_void && stream_peek(st, 3, &next) &&
		   container_strong_pickle(next, 3)) {
		return nested_pickle(ctx, st);
	}
	if (stream_skip(st, bytes) != bytes)
		goto truncated;
	return PW_OK;
truncated:
	/* joblib raises "array data" short reads: nothing after runs. */
	scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, at,
		    "joblib array data truncated; joblib.load fails here");
	return PW_OK;
}
