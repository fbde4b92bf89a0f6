/*
 * fuzz_sig_bundle - libFuzzer harness for the signature file reader: the
 * strict JSON reader, the Sigstore bundle and the in-toto statement (read
 * here without a signature check, which is what a forged file reaches
 * only after OpenSSL accepts it, but the parser must hold either way).
 * Build: CC=clang ./configure --enable-fuzz --enable-asan --enable-ubsan
 * then run tests/fuzz/fuzz_sig_bundle DIR (seed it with a model.sig made
 * by tests/signing/sign.py).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/signing/sig_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_bundle *b = NULL;
	struct sig_manifest *m = NULL;
	char why[256];
	size_t first, i;

	if (sig_bundle_parse((const char *)data, size, &b, why,
			     sizeof(why)) != SIG_PARSE_OK)
		return 0;
	if (sig_statement_parse(b, &m, why, sizeof(why)) == SIG_PARSE_OK) {
		/* Items are sorted and unique: every lookup finds itself. */
		for (i = 0; i < m->n; i++)
			if (sig_manifest_find(m, m->items[i].path, &first) == 0)
				abort();
		sig_manifest_free(m);
	}
	sig_bundle_free(b);
	return 0;
}
