/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_qrecord - libFuzzer harness for the quarantine record reader: the
 * JSON parser (agent/store/json_reader.c) and the record-to-entry mapping
 * (entry_parse, static in agent/store/quarantine_record.c, which this
 * harness includes to reach it).  A record in the store is written by us, but the
 * store directory is the user's: a tampered record must fail cleanly.
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
