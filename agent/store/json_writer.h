/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_writer.h - a small JSON writer for the quarantine records.
 *
 * Records are built by calls, never by printing fragments and patching
 * them afterwards: commas, nesting and string escaping are the writer's
 * job.  Strings go through escape_json_write (valid UTF-8 passes, the
 * rest becomes \u00HH).  The outer STORE_JSON_WRITER_LINES levels of
 * containers put each member on its own indented line; deeper ones stay
 * on one line (a finding in a record reads as one line).
 *
 * Errors are sticky: calls after a failure do nothing, and
 * store_json_writer_finish reports it.  Misuse (a value where a key is due,
 * unbalanced containers) is an error too, never undefined output.
 */
#ifndef PW_AGENT_JSON_WRITER_H
#define PW_AGENT_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused (records use three levels). */
#define STORE_JSON_WRITER_MAX_DEPTH 8
/* Containers nested less deeply than this are written one member a
 * line (the record object and its findings array). */
#define STORE_JSON_WRITER_LINES 2

struct store_json_writer;

/* A new writer, or NULL when out of memory.  Free it with
 * store_json_writer_free (NULL is a no-op) unless
 * store_json_writer_finish took it. */
struct store_json_writer *store_json_writer_new(void);
void store_json_writer_free(struct store_json_writer *w);

void store_json_object_begin(struct store_json_writer *w);
void store_json_object_end(struct store_json_writer *w);
void store_json_array_begin(struct store_json_writer *w);
void store_json_array_end(struct store_json_writer *w);
/* The name of the next member of the current object. */
void store_json_key(struct store_json_writer *w, const char *key);
/* A string value; NULL writes null. */
void store_json_str(struct store_json_writer *w, const char *s);
/* len bytes as a string of lowercase hex digits (exact bytes survive). */
void store_json_hex(struct store_json_writer *w, const void *bytes, size_t len);
void store_json_u64(struct store_json_writer *w, uint64_t v);
void store_json_i64(struct store_json_writer *w, int64_t v);
void store_json_null(struct store_json_writer *w);

/* Shorthands for a member of an object: key then value. */
void store_json_member_str(struct store_json_writer *w, const char *key,
			    const char *s);
void store_json_member_u64(struct store_json_writer *w, const char *key,
			    uint64_t v);
void store_json_member_i64(struct store_json_writer *w, const char *key,
			    int64_t v);

/*
 * Ends the document (one complete value, followed by a newline) and frees
 * w.  On success returns 0 and *ret_buf is the NUL-terminated text (caller
 * frees) of *ret_len bytes.  Returns -1 with errno ENOMEM when out of
 * memory, EINVAL when the calls did not make one complete value.
 */
int store_json_writer_finish(struct store_json_writer *w, char **ret_buf,
		       size_t *ret_len);

#endif
