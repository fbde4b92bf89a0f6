/*
 * code.h - Python-like source that a loader runs, which is not pickle:
 * TorchScript's code/ (compiled and run by torch.jit.load, and by
 * torch.load on a TorchScript archive: __setstate__ runs on load) and
 * torch.package's packaged modules (imported, so run, when a pickle of the
 * package names them).  Read at the token level, bounded.
 */
#ifndef PW_CODE_H
#define PW_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"

enum code_kind {
	CODE_TORCHSCRIPT,	/* <top>/code/...py of a TorchScript archive */
	CODE_PACKAGE,		/* a .py module of a torch.package archive */
};

/* Reads a member's text (up to PW_MAX_CODE_BYTES) from st and reports what
 * it runs.  Returns PW_OK or a fatal status; verdicts are findings. */
int code_scan_stream(struct scan_ctx *ctx, struct stream *st,
		     enum code_kind kind);

/* The same on bytes in memory (exposed for tests). */
void code_scan_text(struct scan_ctx *ctx, const char *text, size_t len,
		    enum code_kind kind);

#endif
