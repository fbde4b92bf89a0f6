/*
 * pv_weak.c - TEMPORARY weak fallbacks for the pickle value accessors, so
 * the containers link while the pickle VM (scanner/pickle/values.c) is not
 * yet in the build.  The VM's strong definitions replace these; delete this
 * file once values.c is listed in scanner/local.mk.
 */
#include "config.h"

#include "pickle/pickle.h"

__attribute__((weak)) enum pv_kind
pv_kind(const struct pv *v)
{
	(void)v;
	return PV_NONE;
}

__attribute__((weak)) bool
pv_get_int(const struct pv *v, int64_t *ret)
{
	(void)v;
	(void)ret;
	return false;
}

__attribute__((weak)) const char *
pv_get_str(const struct pv *v, size_t *ret_len)
{
	(void)v;
	(void)ret_len;
	return NULL;
}

__attribute__((weak)) size_t
pv_count(const struct pv *v)
{
	(void)v;
	return 0;
}

__attribute__((weak)) const struct pv *
pv_item(const struct pv *v, size_t i)
{
	(void)v;
	(void)i;
	return NULL;
}

__attribute__((weak)) const char *
pv_global_name(const struct pv *v)
{
	(void)v;
	return NULL;
}
