/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanner.h - the body of pw_options and pw_scanner (internal).
 */
#ifndef PW_SCANNER_H
#define PW_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "picklewarden.h"

/* A list of global-name patterns: "mod.name" exact, "mod.*" prefix. */
struct pattern_list {
	char **items;
	size_t count, cap;
};

struct pw_options {
	struct pattern_list allow, deny;
	uint64_t limits[PW_LIMIT_COUNT_];
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC, 0 = none */
	uint64_t timeout_ms;		/* per scan, 0 = none */
	const volatile int *abort_flag;	/* owned by the caller, or NULL */
};

struct pw_scanner {
	struct pw_options opts;
};

/* True when name matches pattern (exact, or "prefix.*"). */
bool pattern_match(const char *pattern, const char *name, size_t name_len);
/* Index of the first matching pattern, or -1. */
long pattern_list_find(const struct pattern_list *list, const char *name,
		       size_t name_len);

#endif
