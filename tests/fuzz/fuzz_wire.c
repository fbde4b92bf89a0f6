/*
 * fuzz_wire - libFuzzer harness for the scan worker's result parser
 * (agent/sandbox/wire.c): what a compromised worker can send the agent.
 * A message is either rejected with a reason, or parsed into a result
 * whose every field is in range (checked here again, independently of
 * the parser's own checks).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sandbox/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_result *res = NULL;
	const char *why = NULL;
	uint8_t *copy = malloc(size ? size : 1);
	int status = -1;
	size_t i;

	if (copy == NULL)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (sandbox_wire_parse(copy, size, &status, &res, &why) != 0) {
		if (why == NULL || res != NULL)
			abort();
		free(copy);
		return 0;
	}
	if (status != PW_OK) {
		if (res != NULL)
			abort();
		free(copy);
		return 0;
	}
	if (res == NULL || (int)scan_result_verdict(res) > PW_VERDICT_MALICIOUS)
		abort();
	for (i = 0; i < scan_result_finding_count(res); i++) {
		const struct pw_finding *f = scan_result_finding(res, i);

		if ((int)f->severity > PW_SEV_MALICIOUS ||
		    (int)f->kind > SANDBOX_WIRE_MAX_KIND ||
		    (int)f->severity > (int)scan_result_verdict(res) ||
		    f->reason == NULL || f->location == NULL ||
		    strlen(f->reason) > SANDBOX_WIRE_MAX_STRING)
			abort();
	}
	scan_result_free(res);
	free(copy);
	return 0;
}
