/*
 * sig_encode.h - the byte encodings of the signature format: base64 (the
 * protobuf JSON form of bytes fields), hex digests, and DSSE's
 * pre-authentication encoding (PAE) in both forms the reference accepts.
 */
#ifndef PW_AGENT_SIG_ENCODE_H
#define PW_AGENT_SIG_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decodes base64 as protobuf's JSON mapping accepts it for bytes fields:
 * the standard or the URL-safe alphabet, with or without '=' padding.
 * Anything else (whitespace, a stray '=', a length of 4k+1) fails.
 * Returns 0 and a malloc'ed buffer (*ret, *ret_len; a NUL follows the bytes
 * for convenience), or -1 (EINVAL bad input, ENOMEM).
 */
int sig_b64_decode(const char *s, size_t len, unsigned char **ret,
		   size_t *ret_len);

/* Lower- or upper-case hex of exactly 2*cap digits into out; false on a
 * bad digit or length.  */
bool sig_hex_decode(const char *s, unsigned char *out, size_t cap);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void sig_hex_encode(const unsigned char *p, size_t n, char *out);

/*
 * DSSE v1 PAE, as sigstore+model-transparency's sign_sigstore_pb.pae builds
 * it: "DSSEv1 <len(type)> <type> <len(payload)> <payload>".
 * Returns a malloc'ed buffer, or NULL (ENOMEM, EOVERFLOW).
 */
unsigned char *sig_pae(const char *type, const unsigned char *payload,
		       size_t len, size_t *ret_len);
/*
 * The v0.2.0 encoding the reference still accepts (pae_compat in
 * sign_sigstore_pb.py): "DSSEV1 <len(type)> <type> <len(payload)> " followed
 * by Python's repr() of the payload bytes, b'...' with escapes: a bug of
 * that release that signatures of it carry forever.
 */
unsigned char *sig_pae_compat(const char *type, const unsigned char *payload,
			      size_t len, size_t *ret_len);

#endif
