/* Temporary: the pickle VM lands next. */
#include "config.h"
#include "pickle/pickle.h"
int pickle_scan_stream(struct scan_ctx *ctx, struct stream *st, const struct pickle_opts *opts)
{ (void)st; (void)opts; scan_report(ctx, PW_SEV_ERROR, PW_KIND_PARSE, NULL, 0, "pickle analysis not built yet"); return PW_OK; }
int pickle_vm_new(struct scan_ctx *ctx, const struct pickle_opts *opts, struct pickle_vm **ret_vm)
{ (void)ctx; (void)opts; (void)ret_vm; return PW_ERR_NOMEM; }
void pickle_vm_free(struct pickle_vm *vm) { (void)vm; }
int pickle_vm_run(struct pickle_vm *vm, struct stream *st, struct pickle_outcome *out)
{ (void)vm; (void)st; (void)out; return PW_ERR_NOMEM; }
