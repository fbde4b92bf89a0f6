/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sig_bundle - libFuzzer harness for the signature file reader: the
 * strict JSON reader (agent/store/json_reader.c), the Sigstore bundle and
 * the in-toto statement (read here without a signature check, which is
 * what a forged file reaches only after OpenSSL accepts it, but the parser
 * must hold either way).  The statement sits base64-encoded inside a
 * bundle, where mutations rarely leave it readable, so the input is also
 * read as a statement directly (seeds: tests/fuzz/seeds/sig_bundle, bundles
 * made by tests/signing/sign.py and their decoded statements).
 * Build: CC=clang ./configure --enable-fuzz --enable-asan --enable-ubsan
 * then run tests/fuzz/fuzz_sig_bundle DIR; every build also has
 * tests/fuzz/replay_sig_bundle, which make check runs over the seeds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/signing/sig_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
statement(const struct sig_bundle *b)
{
	struct sig_manifest *m = NULL;
	char why[256];
	size_t first, i;

	if (sig_statement_parse(b, &m, why, sizeof(why)) != SIG_PARSE_OK)
		return;
	/* Items are sorted and unique: every lookup finds itself. */
	for (i = 0; i < m->n; i++)
		if (sig_manifest_find(m, m->items[i].path, &first) == 0)
			abort();
	sig_manifest_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_bundle *b = NULL;
	struct sig_bundle raw;
	char why[256];
	unsigned char *copy;

	if (sig_bundle_parse((const char *)data, size, &b, why,
			     sizeof(why)) == SIG_PARSE_OK) {
		statement(b);
		sig_bundle_free(b);
	}
	/* The input as the decoded payload of a bundle: an exact-size
	 * copy (plus the NUL a decoded payload has), so reading past the
	 * statement's length is caught. */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&raw, 0, sizeof(raw));
	raw.payload_type = (char *)"application/vnd.in-toto+json";
	raw.payload = copy;
	raw.payload_len = size;
	statement(&raw);
	free(copy);
	return 0;
}
