/* SPDX-License-Identifier: Apache-2.0 */
/*
 * legacy.c - torch.save's legacy (non-zip) format, and the "storages" and
 * "tensors" members of the very old tar format.
 *
 * A legacy file is a stack of pickles that torch.load unpickles one after
 * the other: the magic number, the protocol version, sys_info, the data
 * (whose persistent ids name each storage: key, storage type, numel), and
 * the list of storage keys; then, for each key in that order, the raw
 * storage: an int64 element count and count * element_size bytes.  Those
 * raw bytes are never unpickled, so we skip them by their declared sizes
 * rather than let the pickle scanner read floats as opcodes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "pickle/pickle.h"

/* 0x1950a86a20f9469cfc6c, little endian, as LONG1 writes it. */
static const uint8_t legacy_magic_le[10] = {
	0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19
};
static const char legacy_magic_text[] = "L119547037146038801333356L\n.";

#define LEGACY_PROTOCOL_VERSION 1001

bool
legacy_torch_magic(const uint8_t *head, size_t len)
{
	size_t off = 0;

	if (len >= sizeof(legacy_magic_text) - 1 &&
	    memcmp(head, legacy_magic_text, sizeof(legacy_magic_text) - 1) == 0)
		return true;
	if (len < 2 || head[0] != 0x80)
		return false;
	off = 2;
	if (len >= off + 9 && head[off] == 0x95)	/* FRAME */
		off += 9;
	return len >= off + 13 && head[off] == 0x8a && head[off + 1] == 10 &&
	       memcmp(head + off + 2, legacy_magic_le, 10) == 0 &&
	       head[off + 12] == '.';
}

/* A storage the data pickle declared: its key and element size. */
struct storage_decl {
	char *key;
	unsigned elsize;
};

struct storage_map {
	struct scan_ctx *ctx;
	struct storage_decl *items;
	size_t count, cap;
	bool overflow;		/* more storages than we keep */
	bool unknown_type;	/* a storage type we have no size for */
	bool nomem;
};

static void
on_persid(void *arg, const struct pv *pid, uint64_t offset)
{
	struct storage_map *map = arg;
	const struct pv *tag, *type, *key;
	const char *s, *ks;
	size_t klen;
	unsigned elsize;

	if (pv_kind(pid) != PV_TUPLE || pv_count(pid) < 5)
		return;
	tag = pv_item(pid, 0);
	type = pv_item(pid, 1);
	key = pv_item(pid, 2);
	s = pv_get_str(tag, NULL);
	if (s == NULL || strcmp(s, "storage") != 0)
		return;
	ks = pv_get_str(key, &klen);
	if (ks == NULL)
		return;
	elsize = torch_element_size(pv_global_name(type));
	if (elsize == 0) {
		if (!map->unknown_type)
			scan_report(map->ctx, PW_SEV_SUSPICIOUS,
				    PW_KIND_CONTAINER, NULL, offset,
				    "storage of an unknown type; its raw bytes "
				    "cannot be skipped");
		map->unknown_type = true;
		return;
	}
	if (map->count == map->cap) {
		size_t ncap = map->cap ? map->cap * 2 : 64;
		struct storage_decl *n;

		if (map->cap >= PW_LEGACY_MAX_STORAGES) {
			map->overflow = true;
			return;
		}
		n = reallocarray(map->items, ncap, sizeof(*n));
		if (n == NULL) {
			map->nomem = true;
			return;
		}
		map->items = n;
		map->cap = ncap;
	}
	map->items[map->count].key = strndup(ks, klen);
	if (map->items[map->count].key == NULL) {
		map->nomem = true;
		return;
	}
	map->items[map->count].elsize = elsize;
	map->count++;
}

static int
decl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct storage_decl *)a)->key,
		      ((const struct storage_decl *)b)->key);
}

static void
map_free(struct storage_map *map)
{
	size_t i;

	for (i = 0; i < map->count; i++)
		free(map->items[i].key);
	free(map->items);
	map->items = NULL;
	map->count = map->cap = 0;
}

/* Reads a little-endian 64-bit count; false at the end of the stream. */
static bool
read_u64(struct stream *st, uint64_t *ret)
{
	const uint8_t *p;

	if (!stream_read(st, 8, &p))
		return false;
	*ret = le64(p);
	return true;
}

/* Skips n * elsize bytes; false (with a finding) when they are not there. */
static bool
skip_raw(struct scan_ctx *ctx, struct stream *st, uint64_t n, unsigned elsize,
	 const char *what)
{
	uint64_t bytes, at = stream_offset(st);

	if (__builtin_mul_overflow(n, (uint64_t)elsize, &bytes) ||
	    stream_skip(st, bytes) != bytes) {
		scan_report(ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL, at,
			    "%s declares more bytes than the file holds "
			    "(truncated); the loader fails here", what);
		return false;
	}
	return true;
}

/* Runs one pickle; false when it did not reach STOP (the loader raises
 * there, so nothing after it runs). */
static int
run_one(struct scan_ctx *ctx, struct pickle_vm *vm, struct stream *st,
	struct pickle_outcome *out, bool *ret_ok)
{
	static const struct pickle_opts plain = { .no_persistent_load = true };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pickle_vm_run(vm, st, out);
	*ret_ok = rc == PW_OK && out->stopped;
	if (*ret_ok && out->frame_rest > 0) {
		/* torch.load on a file resumes right after STOP; on an
		 * io.BytesIO (no peek()) _pickle, like pickle._Unpickler,
		 * resumes after the frame: what follows is read two ways. */
		scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_STRUCTURE, "STOP",
			    out->end - 1, "STOP inside a frame with %llu bytes "
			    "left in it: the two unpicklers resume at "
			    "different offsets",
			    (unsigned long long)out->frame_rest);
		rc = pickle_alt_reading(ctx, st, &plain,
					out->end + out->frame_rest,
					"a legacy torch pickle ends inside a "
					"frame");
		*ret_ok = rc == PW_OK;
	}
	return rc;
}

/* The magic and protocol pickles hold plain numbers; anything that imports
 * or calls in them is an attack on the loader's first read. */
static bool
plain_number(struct scan_ctx *ctx, const struct pickle_outcome *out,
	     uint64_t at, const char *what)
{
	if (out->executed) {
		scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_STRUCTURE, NULL, at,
			    "legacy torch %s pickle does more than hold a "
			    "number", what);
		return false;
	}
	return out->top != NULL && pv_kind(out->top) == PV_INT;
}

/* Anything after the last storage: torch.load never reads it, but a
 * different reader of the stack might, so it is looked at. */
static int
scan_trailing(struct scan_ctx *ctx, struct stream *st)
{
	if (stream_at_end(st))
		return PW_OK;
	scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
		    stream_offset(st),
		    "data after the last storage of a legacy torch file");
	return scan_stream(ctx, st);
}

/*
 * The stack is well-formed pickles but not the layout torch.load expects
 * (a protocol version it rejects, keys that are not a list...): torch.load
 * raises there, but a reader that loads every pickle of the file does not,
 * so the rest is scanned as concatenated pickles.  (A pickle that fails to
 * parse stops every reader; then nothing follows.)
 */
static int
rest_as_pickles(struct scan_ctx *ctx, struct stream *st, const char *why)
{
	if (stream_at_end(st))
		return PW_OK;
	scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CONTAINER, NULL,
		    stream_offset(st),
		    "legacy torch layout broken (%s): torch.load stops here; "
		    "the rest is scanned as further pickles", why);
	return pickle_scan_stream(ctx, st, NULL);
}

static int
skip_storages(struct scan_ctx *ctx, struct stream *st,
	      struct storage_map *map, const struct pv *keys)
{
	size_t i, n = pv_count(keys);
	struct storage_decl probe, *d;

	if (n >= PW_MAX_RETAINED_ITEMS) {
		scan_limit(ctx, stream_offset(st),
			   "legacy torch storage keys (too many to follow)");
		return PW_OK;
	}
	if (map->count > 1)
		qsort(map->items, map->count, sizeof(*map->items), decl_cmp);
	for (i = 0; i < n; i++) {
		uint64_t numel;
		const char *k = pv_get_str(pv_item(keys, i), NULL);

		if (k == NULL)
			return rest_as_pickles(ctx, st,
					       "a storage key is not a string");
		probe.key = (char *)(uintptr_t)k;
		d = map->count ? bsearch(&probe, map->items, map->count,
					 sizeof(*map->items), decl_cmp)
			       : NULL;
		if (d == NULL) {
			if (map->unknown_type || map->overflow || map->nomem) {
				scan_report(ctx, PW_SEV_ERROR,
					    PW_KIND_CONTAINER, NULL,
					    stream_offset(st),
					    "size of legacy torch storage "
					    "unknown; its raw bytes and what "
					    "follows were not analysed");
				return PW_OK;
			}
			/* torch.load: KeyError, nothing further runs. */
			return rest_as_pickles(ctx, st, "a storage key the "
					       "data does not declare");
		}
		if (!read_u64(st, &numel)) {
			scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL,
				    stream_offset(st),
				    "legacy torch storage truncated");
			return PW_OK;
		}
		if (!skip_raw(ctx, st, numel, d->elsize, "legacy storage"))
			return PW_OK;
	}
	return scan_trailing(ctx, st);
}

int
legacy_torch_scan(struct scan_ctx *ctx, struct stream *st)
{
	struct pickle_opts hopts, dopts;
	struct pickle_vm *hvm = NULL, *dvm = NULL;
	struct pickle_outcome out;
	struct storage_map map;
	uint64_t at;
	int64_t proto;
	bool ok;
	int rc;

	memset(&map, 0, sizeof(map));
	map.ctx = ctx;
	memset(&hopts, 0, sizeof(hopts));
	hopts.retain = true;
	memset(&dopts, 0, sizeof(dopts));
	/* The persistent ids must be readable: retain. */
	dopts.retain = true;
	dopts.on_persid = on_persid;
	dopts.hook_arg = &map;
	dopts.torch_module_persid = true;
	rc = pickle_vm_new(ctx, &hopts, &hvm);
	if (rc == PW_OK)
		rc = pickle_vm_new(ctx, &dopts, &dvm);
	if (rc != PW_OK)
		goto out;
	/* 1: magic number. */
	at = stream_offset(st);
	rc = run_one(ctx, hvm, st, &out, &ok);
	if (rc != PW_OK || !ok)
		goto out;
	if (!plain_number(ctx, &out, at, "magic")) {
		rc = rest_as_pickles(ctx, st, "the magic is not a number");
		goto out;
	}
	/* 2: protocol version. */
	at = stream_offset(st);
	rc = run_one(ctx, hvm, st, &out, &ok);
	if (rc != PW_OK || !ok)
		goto out;
	if (!plain_number(ctx, &out, at, "protocol") ||
	    !pv_get_int(out.top, &proto) || proto != LEGACY_PROTOCOL_VERSION) {
		rc = rest_as_pickles(ctx, st, "the protocol version is not "
				     "1001");
		goto out;
	}
	/* 3: sys_info. */
	rc = run_one(ctx, hvm, st, &out, &ok);
	if (rc != PW_OK || !ok)
		goto out;
	/* 4: the data, declaring the storages through persistent ids. */
	rc = run_one(ctx, dvm, st, &out, &ok);
	if (map.nomem)
		rc = PW_ERR_NOMEM;
	if (rc != PW_OK || !ok)
		goto out;
	/* 5: storage keys. */
	rc = run_one(ctx, hvm, st, &out, &ok);
	if (rc != PW_OK || !ok)
		goto out;
	if (out.top == NULL || pv_kind(out.top) != PV_LIST) {
		rc = rest_as_pickles(ctx, st, "the storage keys are not a "
				     "list");
		goto out;
	}
	rc = skip_storages(ctx, st, &map, out.top);
out:
	pickle_vm_free(dvm);
	pickle_vm_free(hvm);
	map_free(&map);
	return rc;
}

/*
 * The "storages" and "tensors" members of torch's tar format: a count
 * pickle, then per record an argument pickle followed by raw bytes
 * (storages: int64 count + count * element size; tensors: int32 ndim, 4
 * pad bytes, ndim sizes, ndim strides, an offset), and for storages a final
 * pickle of views.
 */
int
legacy_tar_records(struct scan_ctx *ctx, struct stream *st, bool tensors)
{
	struct pickle_opts opts;
	struct pickle_vm *vm = NULL;
	struct pickle_outcome out;
	int64_t count, i;
	uint64_t at;
	bool ok;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.retain = true;
	rc = pickle_vm_new(ctx, &opts, &vm);
	if (rc != PW_OK)
		return rc;
	at = stream_offset(st);
	rc = run_one(ctx, vm, st, &out, &ok);
	if (rc != PW_OK || !ok)
		goto out;
	(void)at;
	if (out.top == NULL || !pv_get_int(out.top, &count) || count < 0) {
		rc = rest_as_pickles(ctx, st, "the record count is not a "
				     "number");
		goto out;
	}
	for (i = 0; i < count; i++) {
		const uint8_t *p;

		at = stream_offset(st);
		rc = run_one(ctx, vm, st, &out, &ok);
		if (rc != PW_OK || !ok)
			goto out;
		if (out.top == NULL || pv_kind(out.top) != PV_TUPLE ||
		    pv_count(out.top) < 3) {
			rc = rest_as_pickles(ctx, st, "record arguments are "
					     "not a tuple");
			goto out;
		}
		if (tensors) {
			int32_t ndim;

			if (!stream_read(st, 8, &p))
				goto truncated;
			ndim = (int32_t)le32(p);
			if (ndim < 0 || ndim > PW_LEGACY_MAX_NDIM) {
				scan_report(ctx, PW_SEV_ERROR, PW_KIND_PARSE,
					    NULL, at,
					    "legacy tar tensor with %d "
					    "dimensions; not analysed further",
					    (int)ndim);
				goto out;
			}
			if (!skip_raw(ctx, st, (uint64_t)ndim * 2 + 1, 8,
				      "legacy tensor record"))
				goto out;
		} else {
			unsigned elsize = torch_element_size(
				pv_global_name(pv_item(out.top, 2)));
			uint64_t numel;

			if (elsize == 0) {
				scan_report(ctx, PW_SEV_ERROR,
					    PW_KIND_CONTAINER, NULL, at,
					    "legacy tar storage of unknown "
					    "type; the rest was not analysed");
				goto out;
			}
			if (!read_u64(st, &numel))
				goto truncated;
			if (!skip_raw(ctx, st, numel, elsize,
				      "legacy storage"))
				goto out;
		}
	}
	if (!tensors) {
		rc = run_one(ctx, vm, st, &out, &ok);	/* storage views */
		if (rc != PW_OK || !ok)
			goto out;
	}
	rc = scan_trailing(ctx, st);
	goto out;
truncated:
	scan_report(ctx, PW_SEV_INFO, PW_KIND_PARSE, NULL, stream_offset(st),
		    "legacy tar record truncated");
out:
	pickle_vm_free(vm);
	return rc;
}
