/*
 * wire.h - the messages between the agent and its scan workers.
 *
 * Request (agent -> worker), fixed size, with the file descriptor to scan
 * attached as SCM_RIGHTS:
 *   "PWSQ" u16 version u16 flags u64 deadline_ms u64 prefix_len
 * prefix_len 0 scans the whole file (pw_scan_fd); otherwise only its first
 * prefix_len bytes, as a file still being written (pw_scan_fd_prefix).
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
/* Requests have their own version: 3 added prefix_len (the results did
 * not change).  Agent and workers are one binary, so both ends always
 * agree; the version catches a message that is not ours. */
#define SANDBOX_WIRE_REQUEST_VERSION 3
#define SANDBOX_WIRE_REQUEST_SIZE 24
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

/* Request flags: only test builds give them meaning (test hooks). */
#define SANDBOX_REQ_HOOK_MASK 0x00ffu

/* Fills req with a request. */
void sandbox_wire_request(uint8_t req[SANDBOX_WIRE_REQUEST_SIZE],
			  uint16_t flags, uint64_t deadline_ms,
			  uint64_t prefix_len);
/* Parses a request; returns 0 or -1 (bad magic or version). */
int sandbox_wire_parse_request(const uint8_t req[SANDBOX_WIRE_REQUEST_SIZE],
			       uint16_t *ret_flags, uint64_t *ret_deadline_ms,
			       uint64_t *ret_prefix_len);

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
