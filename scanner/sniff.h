/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sniff.h - decides a format from content, never from a file name.
 */
#ifndef PW_SNIFF_H
#define PW_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats.h"


/*
 * Decides the format of data whose first bytes are head[0..len) (len is
 * what was available, up to 512; total is the full size, or UINT64_MAX if
 * unknown).  Pure and cheap: it inspects only head.
 */
enum pw_format sniff_format(const uint8_t *head, size_t len, uint64_t total);

/*
 * True when head (at least 512 bytes) is a header block Python's tarfile
 * accepts as the first member: its checksum field parses as tarfile's nti()
 * does and equals the unsigned or the signed byte sum.  No "ustar" needed.
 */
bool sniff_tar_header(const uint8_t *head, size_t len);
/* The size field of a header sniff_tar_header() accepted (0 if negative). */
uint64_t sniff_tar_size(const uint8_t *head);

/*
 * True when head could start an .lzma ("alone") stream as liblzma's
 * non-strict decoder - Python's lzma.LZMAFile with FORMAT_AUTO, which
 * pandas uses for any name ending in .xz - accepts one: a weak signature,
 * so the dispatcher only tries it (dispatch.c), never trusts it.
 */
bool sniff_lzma_alone(const uint8_t *head, size_t len);

#endif
