/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - helpers shared by the container parsers (not used outside
 * scanner/container/).
 */
#ifndef PW_CONTAINER_INTERNAL_H
#define PW_CONTAINER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "context.h"
#include "stream.h"

/* Little-endian loads from a buffer the caller has bounds-checked. */
static inline uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/*
 * A pickle that announces itself: PROTO with protocol 2..5 followed by a
 * valid opcode.  Members that a loader never unpickles (raw tensor
 * storages) are scanned only when they start like this, because random
 * tensor bytes often start with some opcode byte.
 */
bool container_strong_pickle(const uint8_t *head, size_t len);

/*
 * The per-stream ratio cap (PW_STREAM_RATIO_MAX after PW_STREAM_RATIO_AFTER
 * bytes): out and in are one stream's totals.  Returns false (having
 * reported the limit) when the stream must stop.
 */
bool container_stream_ratio_ok(struct scan_ctx *ctx, uint64_t out,
			       uint64_t in, uint64_t offset);

/*
 * Inflater: a stream_pull_fn producing the inflated bytes of an input
 * stream (raw deflate, zlib or gzip members), accounting every output byte
 * against the decompression caps.  A cap that is hit, or corrupt data, ends
 * the output (with a finding); the CRC-32 of the output is kept so that a
 * zip member's CRC can be checked.
 */
enum zinf_mode { ZINF_RAW, ZINF_ZLIB, ZINF_GZIP };

struct zinflate {
	struct scan_ctx *ctx;
	struct stream *in;	/* compressed input, owned by the caller */
	z_stream zs;
	enum zinf_mode mode;
	bool ready;		/* inflateInit2 succeeded */
	bool done;		/* end of data (or error, or cap) */
	bool corrupt;		/* the compressed data was bad/truncated */
	bool capped;		/* a decompression cap ended the output */
	uint32_t crc;		/* CRC-32 of the output so far */
	uint64_t out_total;
	uint64_t in_accounted;	/* input bytes already accounted */
	uint64_t in_start;	/* input stream offset where we began */
	const char *what;	/* for messages: "gzip", "zip member" */
	/* gzip and zlib streams: input left after the last stream that the
	 * reader does not decode (zs.next_in/avail_in, then the rest of
	 * `in`); the caller reads it as content of its own. */
	bool trailing;
};

int zinf_init(struct zinflate *z, struct scan_ctx *ctx, struct stream *in,
	      enum zinf_mode mode, const char *what);
int zinf_pull(void *arg, uint8_t *dst, size_t want, size_t *ret_got);
void zinf_fini(struct zinflate *z);

/* Element size of a torch storage type ("torch.FloatStorage") or dtype
 * ("torch.float32"); 0 when unknown. */
unsigned torch_element_size(const char *global);

/* The "storages" (tensors=false) or "tensors" member of torch's legacy tar
 * format: record pickles scanned, raw record bytes skipped (legacy.c). */
int legacy_tar_records(struct scan_ctx *ctx, struct stream *st, bool tensors);

#endif
