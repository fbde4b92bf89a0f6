/* Placeholder container parsers: every container is reported as
 * inconclusive until its parser lands (issue 3). */
#include "config.h"

#include <string.h>

#include "container/container.h"

static int
unsupported(struct scan_ctx *ctx, const char *what)
{
	scan_report(ctx, PW_SEV_ERROR, PW_KIND_CONTAINER, NULL, 0,
		    "%s containers are not analysed yet", what);
	return PW_OK;
}

int zip_scan(struct scan_ctx *ctx, const struct source *src)
{ (void)src; return unsupported(ctx, "zip"); }
int polyglot_scan(struct scan_ctx *ctx, const struct source *src)
{ (void)ctx; (void)src; return PW_OK; }
int npy_scan(struct scan_ctx *ctx, struct stream *st)
{ (void)st; return unsupported(ctx, "NumPy"); }
int compressed_scan(struct scan_ctx *ctx, struct stream *st, enum pw_format fmt)
{ (void)st; return unsupported(ctx, sniff_format_name(fmt)); }
int archive_scan(struct scan_ctx *ctx, const struct source *src, enum pw_format fmt)
{ (void)src; return unsupported(ctx, sniff_format_name(fmt)); }
int safetensors_scan(struct scan_ctx *ctx, const struct source *src)
{ (void)ctx; (void)src; return PW_OK; }
int legacy_torch_scan(struct scan_ctx *ctx, struct stream *st)
{ (void)st; return unsupported(ctx, "legacy torch"); }
bool legacy_torch_magic(const uint8_t *head, size_t len)
{ (void)head; (void)len; return false; }
