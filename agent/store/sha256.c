/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/store/sha256.h"

/* Bytes read per pread: big enough to be fast, small enough for a
 * worker thread's stack-free buffer. */
#define SHA256_CHUNK (256 * 1024)

struct sha256 {
	EVP_MD_CTX *md;
	bool done;
};

struct sha256 *
sha256_new(void)
{
	struct sha256 *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

int
sha256_update(struct sha256 *c, const void *buf, size_t len)
{
	if (c->done || EVP_DigestUpdate(c->md, buf, len) != 1) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
sha256_final(struct sha256 *c, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (c->done || EVP_DigestFinal_ex(c->md, md, &len) != 1 || len != 32) {
		errno = EIO;
		return -1;
	}
	c->done = true;
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
	return 0;
}

void
sha256_free(struct sha256 *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

int
sha256_buf(const void *buf, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 *c = sha256_new();
	int rc = -1;

	if (!c)
		return -1;
	if (sha256_update(c, buf, len) == 0 && sha256_final(c, hex) == 0)
		rc = 0;
	sha256_free(c);
	return rc;
}

int
sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1], uint64_t *ret_size)
{
	struct sha256 *c = NULL;
	unsigned char *buf = NULL;
	uint64_t off = 0;
	int rc = -1, saved = 0;

	c = sha256_new();
	buf = malloc(SHA256_CHUNK);
	if (!c || !buf) {
		saved = ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = pread(fd, buf, SHA256_CHUNK, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			goto out;
		}
		if (r == 0)
			break;
		if (sha256_update(c, buf, (size_t)r) != 0) {
			saved = errno;
			goto out;
		}
		off += (uint64_t)r;
	}
	if (sha256_final(c, hex) != 0) {
		saved = errno;
		goto out;
	}
	if (ret_size)
		*ret_size = off;
	rc = 0;
out:
	free(buf);
	sha256_free(c);
	if (rc != 0)
		errno = saved;
	return rc;
}
