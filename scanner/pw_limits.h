/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pw_limits.h - every cap the scanner applies to untrusted input, in one place.
 * Each has a reason.  Hitting a cap is reported as a PW_KIND_LIMIT finding
 * with an error verdict, never as a silent pass.
 */
#ifndef PW_LIMITS_H
#define PW_LIMITS_H

/* Defaults of the tunable limits (enum pw_limit). */
/* Containers in containers: real files nest two or three deep. */
#define PW_DEFAULT_MAX_DEPTH 8
/* Members of one archive: big sharded checkpoints have a few thousand. */
#define PW_DEFAULT_MAX_MEMBERS 100000
/* Decompressed bytes per file: a compressed joblib model can be large, but
 * not unboundedly so; past this the file is inconclusive. */
#define PW_DEFAULT_MAX_DECOMPRESSED (4ULL << 30)
/* Decompressed : compressed ratio; zlib tops out near 1032:1, so more than
 * this is a bomb, not a model. */
#define PW_DEFAULT_MAX_RATIO 2000
/* Total pickle opcodes per file (the work bound): ~20x the largest real
 * pickles seen (a 17 MB list of tuples has 4 M). */
#define PW_DEFAULT_MAX_OPCODES (256ULL << 20)
/* Size of one scanned file; model files reach hundreds of GB. */
#define PW_DEFAULT_MAX_FILE_SIZE (1ULL << 40)
/* Findings kept per file; the rest are counted in one summary finding. */
#define PW_DEFAULT_MAX_FINDINGS 1000

/* Fixed internal caps. */
/* Bytes of a string argument kept for name resolution; module and
 * attribute names longer than this cannot be real and are judged
 * unresolvable. */
#define PW_NAME_MAX 1024
/* Protocol-0 text lines (GLOBAL, INT, STRING, ...): CPython reads lines of
 * any length, but anything longer than this is kept as "long", never
 * buffered whole. */
#define PW_LINE_MAX (64 * 1024)
/* Window of the sequential reader; arguments longer than this are skipped,
 * not buffered. */
#define PW_STREAM_WINDOW (256 * 1024)
/* Live symbolic values (stack + memo + retained items): bounds memory at
 * ~16 bytes each. */
#define PW_MAX_VALUES (8U << 20)
/* Items of a small tuple kept (outside retain mode) when it holds a name,
 * a global or a call result: every call argument list writers produce for
 * an allowed callable is this short, and the call model judges them. */
#define PW_CALL_ARGS_KEPT 8
/* Higher-order calls followed through the call model (f calls g, which
 * calls h...): real reconstructors nest two deep. */
#define PW_MODEL_DEPTH 4
/* Source members (TorchScript code/, torch.package modules) read whole for
 * analysis; real ones are a few hundred KiB. */
#define PW_MAX_CODE_BYTES (8ULL << 20)
/* Memo entries (CPython allows 2^32 indexes; we keep a hash map). */
#define PW_MAX_MEMO (8U << 20)
/* Depth of the stack and of the mark stack. */
#define PW_MAX_STACK (4U << 20)
#define PW_MAX_MARKS (1U << 20)
/* Items a container keeps when a caller asks to inspect values (legacy
 * torch storage keys); elsewhere containers keep only a count. */
#define PW_MAX_RETAINED_ITEMS 65536
/* Length of a location path ("a.zip!b.pt!archive/data.pkl"). */
#define PW_LOCATION_MAX 4096
/* Container levels whose "something executed here" fact is tracked
 * separately; deeper levels share one (never under-reported) counter. */
#define PW_EXEC_TRACK_DEPTH 64
/* Pickle opcodes between two checks of the caller's deadline and abort
 * flag (a power of two): microseconds of work, far below any useful
 * deadline, and no clock read per opcode. */
#define PW_STOP_EVERY 4096
/* Distinct globals recorded per stream (for INFO import findings). */
#define PW_MAX_IMPORTS_RECORDED 4096
/* In-memory buffering of a nested member that needs random access
 * (a zip inside a gzip): members larger than this are inconclusive. */
#define PW_MAX_MEMBER_BUFFER (512ULL << 20)

/* Containers (issue 3). */
/* Zip members up to this size get their CRC-32 checked (a mismatch is an
 * anomaly); larger ones are not read whole just for that. */
#define PW_ZIP_CRC_CHECK_MAX (64ULL << 20)
/* Bytes searched from the end of a non-zip file for an end-of-central-
 * directory record: the record (22) plus the longest zip comment (65535). */
#define PW_POLYGLOT_TAIL (65535 + 22)
/* Bytes of a .npy header dict.  numpy's own default is 10000 but it lifts
 * the cap when allow_pickle=True; past this (one stream window) the file is
 * inconclusive. */
#define PW_NPY_HEADER_MAX PW_STREAM_WINDOW
/* Storages of a legacy torch file whose sizes we keep to skip their raw
 * bytes (one per tensor that does not share storage). */
#define PW_LEGACY_MAX_STORAGES 1000000
/* Dimensions of a tensor record of the legacy tar format. */
#define PW_LEGACY_MAX_NDIM 64
/* Bytes of a tar member name kept for the location path. */
#define PW_ARCHIVE_NAME_MAX 1024

/* One decompressed stream that keeps a ratio over PW_STREAM_RATIO_MAX once
 * it has produced PW_STREAM_RATIO_AFTER bytes is a bomb: deflate tops out
 * at 1032:1, under the default max_ratio, so a deflate bomb of zeros would
 * otherwise run to max_decompressed (seconds of CPU).  Only constant data
 * compresses this well.  Applies while max_ratio is not loosened. */
#define PW_STREAM_RATIO_MAX 1000
#define PW_STREAM_RATIO_AFTER (64ULL << 20)

/* Located bytes payloads remembered per pickle for nested loaders
 * (torch.storage._load_from_bytes); past this they are plain bytes and a
 * nested load of them is reported as unscannable (malicious). */
#define PW_MAX_EXTENTS 65536
/* Protocol 2's latin-1 text of such a payload is decoded in memory; a
 * torch.save'd storage this large is not pickled through pickle.dumps. */
#define PW_MAX_LATIN1_DECODE (256ULL << 20)
/* Re-scans from where the Python unpickler resumes after a STOP inside a
 * frame; each re-reads the rest of the file, so they are few per file. */
#define PW_MAX_ALT_SCANS 8
/* Not a cap but a threshold: memo indexes past this (and far past the
 * memo's size) make CPython's C unpickler allocate an array by the index,
 * which Python's dict does not - reported as a reader disagreement. */
#define PW_MEMO_SPARSE_INDEX (1ULL << 24)

#endif
