/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_qrecord - libFuzzer harness for the quarantine record reader: the
 * strict JSON reader (agent/store/json_reader.c, shared with the signature
 * bundles) and the record-to-entry mapping (entry_parse, static in
 * agent/store/quarantine_record.c, which this harness includes to reach
 * it).  A record in the store is written by us, but it carries text from
 * hostile files and the store directory is the user's (edited, restored
 * from a backup, left by a crash): a tampered record must fail cleanly.
 * Seeds: a record of the first writer's layout, one of today's (with the
 * members appended when a move finishes, a signer, escapes), a nested
 * document.
 */
#include "agent/store/quarantine_record.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quarantine_entry e;
	char *copy = malloc(size ? size : 1);

	/* An exact-size copy: the parser takes (text, len), not a C
	 * string, and must not read past len. */
	if (copy == NULL)
		return 0;
	if (size)
		memcpy(copy, data, size);
	(void)entry_parse("20260101T000000Z-0123456789abcdef", copy, size,
			  true, &e);
	quarantine_entry_clear(&e);
	free(copy);
	return 0;
}
