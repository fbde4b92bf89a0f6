/*
 * wire.h - the messages between the agent and its scan workers.
 *
 * Request (agent -> worker), a batch of count files (1..MAX_BATCH), their
 * descriptors attached in order as one SCM_RIGHTS:
 *   "PWSQ" u16 version u16 flags u64 deadline_ms u32 count u32 zero
 *   count x u64 prefix_len
 * prefix_len 0 scans the whole file (pw_scan_fd); otherwise only its first
 * prefix_len bytes, as a file still being written (pw_scan_fd_prefix).
 * The worker scans them in order and sends their results together when
 * the batch is done (one message each, back to back; sooner when they
 * reach SANDBOX_WIRE_FLUSH bytes, and before it begins a file once the
 * oldest result it holds is SANDBOX_WIRE_HOLD_MS old).  Which file it is on, and since when,
 * it says in its progress word (below), so the agent can time each
 * file's deadline and blame a death on the right file.
 * Result (worker -> agent), a header then a body of body_len bytes:
 *   "PWSR" u16 version u16 zero u32 body_len
 *   body: u32 status                       (a pw_status; the rest only
 *                                           when it is PW_OK)
 *         u8 verdict, u8 executable (0 or 1), str format, u64 bytes_read, u64 bytes_total,
 *         u64 opcodes, u32 count, count x finding
 *   finding: u8 severity, u32 kind, u8 present (bit 0 global, 1 module,
 *         2 name, 3 opcode), u64 offset, the present strings in that
 *         order, str location, str reason
 *   str:  u32 len, len bytes (no NUL)
 * Integers are little-endian.  The agent treats every result as hostile:
 * the worker that wrote it parsed an attacker's file and may be theirs.
 */
#ifndef PW_AGENT_SANDBOX_WIRE_H
#define PW_AGENT_SANDBOX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "agent/sandbox/scan_result.h"
#include "picklewarden.h"

#define SANDBOX_WIRE_VERSION 2	/* results; 2: the executable flag */
/* Requests have their own version: 3 added prefix_len, 4 batches (the
 * results did not change).  Agent and workers are one binary, so both
 * ends always agree; the version catches a message that is not ours. */
#define SANDBOX_WIRE_REQUEST_VERSION 4
/* Files in one request: one message (one wake-up of the worker, one
 * receive) for many small files is what makes a sandboxed scan of a
 * cache cost about what an in-process one does.  The kernel passes at
 * most 253 descriptors in one message; a worker holds them all. */
#define SANDBOX_WIRE_MAX_BATCH 64u
#define SANDBOX_WIRE_REQUEST_HEADER 24
#define SANDBOX_WIRE_REQUEST_SIZE(count) \
	(SANDBOX_WIRE_REQUEST_HEADER + 8u * (size_t)(count))
#define SANDBOX_WIRE_REQUEST_MAX \
	SANDBOX_WIRE_REQUEST_SIZE(SANDBOX_WIRE_MAX_BATCH)
#define SANDBOX_WIRE_HEADER_SIZE 12
/* One result message: 1,000 findings (the default max_findings) of
 * typical size take ~200 KB; the cap leaves room for 10x that and bounds
 * what a lying worker can make the agent allocate. */
#define SANDBOX_WIRE_MAX_BODY (8u * 1024 * 1024)
/* Findings in one message; the encoder stops there (the verdict still
 * counts the rest, as the library's does over max_findings). */
#define SANDBOX_WIRE_MAX_FINDINGS 10000u
/* One string; longer ones are cut by the encoder (they are names and
 * reasons meant for a log line). */
#define SANDBOX_WIRE_MAX_STRING 4096u
#define SANDBOX_WIRE_MAX_FORMAT 64u
#define SANDBOX_WIRE_MAX_OPCODE 32u
/* The highest pw_finding_kind a worker may send (PW_KIND_PARSE today);
 * raise it when the library appends a kind. */
#define SANDBOX_WIRE_MAX_KIND PW_KIND_PARSE
/* Statuses are append-only; anything above this is a lie. */
#define SANDBOX_WIRE_MAX_STATUS 63u

/* Results a worker holds back before sending them anyway. */
#define SANDBOX_WIRE_FLUSH 65536u
/* How long a worker may hold a result before it begins another file.
 * It bounds how far a worker can be past the oldest file the agent has
 * no answer for: that file's own time, then at most this, so the agent
 * can time a file's deadline without taking the worker's word for how
 * long the files before it took. */
#define SANDBOX_WIRE_HOLD_MS 100u

/*
 * The progress word, in a page shared by the agent and one worker (mapped
 * before the fork; the worker only writes it, the agent only reads it):
 * bits 63-32 the number of files the worker has begun since it started
 * (mod 2^32), bits 31-0 the CLOCK_MONOTONIC millisecond (mod 2^32) when
 * it began the last one.  Written with one atomic store before each file.
 * A worker that lies in it can only mistime its own deadline or be
 * blamed itself; the agent clamps what it reads.
 */
#define SANDBOX_PROGRESS_WORD(started, ms) \
	((uint64_t)(uint32_t)(started) << 32 | (uint32_t)(ms))

/* What a worker sends once, when it is locked down and waits for its
 * first request. */
#define SANDBOX_WIRE_READY "PWRD"
#define SANDBOX_WIRE_READY_SIZE 4

/* A worker's exit status says where it gave up (see worker.c). */
#define SANDBOX_EXIT_PARENT_GONE 3
#define SANDBOX_EXIT_DESCRIPTORS 4
#define SANDBOX_EXIT_PRIVILEGES 5
#define SANDBOX_EXIT_FILTER 6
#define SANDBOX_EXIT_BAD_REQUEST 7
#define SANDBOX_EXIT_NOMEM 8
#define SANDBOX_EXIT_SEND 9
/* Before starting a file, a worker that has used half its lifetime CPU
 * budget (RLIMIT_CPU) exits with this instead, so no file is killed by
 * SIGXCPU for the CPU of the files before it.  The agent believes it only
 * when the worker's CPU time (from wait4) says so, and hands the files
 * it did not start to a new worker. */
#define SANDBOX_EXIT_RETIRED 10

/* Fills req (SANDBOX_WIRE_REQUEST_SIZE(count) bytes) with a request for
 * count (1..SANDBOX_WIRE_MAX_BATCH) files with these prefix lengths;
 * returns its size. */
size_t sandbox_wire_request(uint8_t *req, uint16_t flags,
			    uint64_t deadline_ms, uint32_t count,
			    const uint64_t *prefix_len);
/* Parses a request of len bytes; returns 0 with the count (1..MAX_BATCH)
 * and prefix_len[0..count), or -1 (bad magic, version, count or size). */
int sandbox_wire_parse_request(const uint8_t *req, size_t len,
			       uint16_t *ret_flags, uint64_t *ret_deadline_ms,
			       uint32_t *ret_count,
			       uint64_t prefix_len[SANDBOX_WIRE_MAX_BATCH]);

/*
 * Encodes a scan's outcome: status is what pw_scan_fd returned, res its
 * result (ignored unless status is PW_OK).  On success returns 0 and
 * *ret_msg (malloc'd, header included) and *ret_len; -1 when out of
 * memory.
 */
int sandbox_wire_encode(int status, const struct pw_result *res,
			uint8_t **ret_msg, size_t *ret_len);

/* Checks a header; on success returns 0 and *ret_body_len (at most
 * SANDBOX_WIRE_MAX_BODY).  On failure returns -1 and *ret_why. */
int sandbox_wire_parse_header(const uint8_t *hdr, size_t len,
			      uint32_t *ret_body_len, const char **ret_why);

/*
 * Parses a whole message (header and body), checking every field: enum
 * ranges, string lengths and bytes, counts against the bytes left, the
 * verdict against its findings, no trailing bytes.  On success returns 0,
 * *ret_status, and when that is PW_OK a new *ret_res (the caller frees).
 * On failure returns -1, writes nothing to *ret_res and sets *ret_why to
 * a static reason.
 */
int sandbox_wire_parse(const uint8_t *msg, size_t len, int *ret_status,
		       struct scan_result **ret_res, const char **ret_why);

#endif
