/*
 * fuzz_policy - libFuzzer harness for the INI configuration reader
 * (policy_load_string: the text checks, iniparser, value validation).
 * A load either succeeds with a policy that dumps and reloads to the same
 * dump, or fails with a file:line message; nothing else.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
dump(const struct policy *p, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	if (policy_write(p, f) != 0)
		abort();
	fclose(f);
	*ret_len = len;
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL, *q = NULL;
	struct policy_error err;
	char *text, *d1, *d2;
	size_t l1, l2;

	/* HOME is read for "~" paths and default roots. */
	setenv("HOME", "/home/fuzz", 0);
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	if (policy_load_string(text, "fuzz.ini", &p, &err) != 0) {
		if (err.message[0] == '\0')
			abort();	/* a failure must say why */
		free(text);
		return 0;
	}
	/* What we write, we read back the same (same name: the dump names
	 * its source). */
	d1 = dump(p, &l1);
	if (policy_load_string(d1, "fuzz.ini", &q, &err) != 0) {
		fprintf(stderr, "dump does not reload: %s\n", err.message);
		abort();
	}
	d2 = dump(q, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
		fprintf(stderr, "dump changed on reload:\n%s\n---\n%s\n", d1,
			d2);
		abort();
	}
	free(d1);
	free(d2);
	policy_free(p);
	policy_free(q);
	free(text);
	return 0;
}
