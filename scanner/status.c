/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "picklewarden.h"

const char *
pw_strerror(int status)
{
	switch (status) {
	case PW_OK:
		return "success";
	case PW_ERR_NOMEM:
		return "out of memory";
	case PW_ERR_INVALID:
		return "invalid argument";
	case PW_ERR_IO:
		return "I/O error";
	case PW_ERR_NOT_REGULAR:
		return "not a regular file";
	case PW_ERR_PATTERN:
		return "malformed global-name pattern";
	default:
		return "unknown error";
	}
}

const char *
pw_version(void)
{
	return PACKAGE_VERSION;
}

const char *
pw_verdict_name(enum pw_verdict v)
{
	switch (v) {
	case PW_VERDICT_CLEAN:
		return "clean";
	case PW_VERDICT_SUSPICIOUS:
		return "suspicious";
	case PW_VERDICT_ERROR:
		return "error";
	case PW_VERDICT_MALICIOUS:
		return "malicious";
	}
	return "unknown";
}

const char *
pw_severity_name(enum pw_severity s)
{
	switch (s) {
	case PW_SEV_INFO:
		return "info";
	case PW_SEV_SUSPICIOUS:
		return "suspicious";
	case PW_SEV_ERROR:
		return "error";
	case PW_SEV_MALICIOUS:
		return "malicious";
	}
	return "unknown";
}

const char *
pw_kind_name(enum pw_finding_kind k)
{
	switch (k) {
	case PW_KIND_IMPORT:
		return "import";
	case PW_KIND_CALL:
		return "call";
	case PW_KIND_STRUCTURE:
		return "structure";
	case PW_KIND_DIFFERENTIAL:
		return "differential";
	case PW_KIND_CONTAINER:
		return "container";
	case PW_KIND_LIMIT:
		return "limit";
	case PW_KIND_PARSE:
		return "parse";
	}
	return "unknown";
}
