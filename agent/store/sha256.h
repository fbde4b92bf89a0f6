/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h - SHA-256 with OpenSSL's libcrypto (EVP): no hand-written
 * hashing.
 */
#ifndef PW_AGENT_SHA256_H
#define PW_AGENT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256;

/* A running digest.  sha256_new returns NULL when out of memory;
 * sha256_free(NULL) is a no-op.  sha256_final writes 64 lower-case hex
 * digits and a NUL into hex (65 bytes) and may be called once. */
struct sha256 *sha256_new(void);
int sha256_update(struct sha256 *ctx, const void *buf, size_t len);
int sha256_final(struct sha256 *ctx, char hex[SHA256_HEX_LEN + 1]);
void sha256_free(struct sha256 *ctx);

/*
 * Digest of everything in fd, read with pread from offset 0 (the file
 * offset does not move).  Returns 0, or -1 with errno (EIO for libcrypto
 * failures).  *ret_size (may be NULL) is the number of bytes hashed.
 */
int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1], uint64_t *ret_size);

/* Digest of a buffer. */
int sha256_buf(const void *buf, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
