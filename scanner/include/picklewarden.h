/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picklewarden.h - the public interface of libpicklewarden.
 *
 * The library statically analyses model files (Python pickles and the
 * containers that carry them) without ever unpickling them.  It never
 * prints, exits or logs: every function returns a status, and what a scan
 * found is data in a pw_result.
 *
 * Thread safety: a pw_scanner is immutable once created, so any number of
 * threads may scan with the same scanner at once.  A pw_result belongs to
 * the caller that received it.  The library keeps no global mutable state.
 */
#ifndef PICKLEWARDEN_H
#define PICKLEWARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The library is built with -fvisibility=hidden: only what is marked PW_API
 * (every function below, all named pw_*) is exported; everything else is
 * internal.  tests/scanner/exports.sh checks it.
 */
#if defined(__GNUC__)
#define PW_API __attribute__((visibility("default")))
#else
#define PW_API
#endif

/*
 * Status codes.  Append-only: values are never renumbered.
 * A status reports whether the library could do what was asked; a file
 * that cannot be analysed is not a failed call but a result whose verdict
 * is PW_VERDICT_ERROR.
 */
enum pw_status {
	PW_OK = 0,
	PW_ERR_NOMEM = 1,	/* an allocation failed */
	PW_ERR_INVALID = 2,	/* a bad argument (NULL, unknown limit, ...) */
	PW_ERR_IO = 3,		/* reading the file descriptor failed */
	PW_ERR_NOT_REGULAR = 4,	/* the descriptor is not a regular file */
	PW_ERR_PATTERN = 5,	/* a malformed allow/deny pattern */
};

/* A static, human readable text for a status; never NULL. */
PW_API const char *pw_strerror(int status);

/* The library's version string, e.g. "0.1.0"; never NULL. */
PW_API const char *pw_version(void);

/*
 * Verdicts, ordered from best to worst: a file's verdict is the worst
 * severity among its findings.  An error outranks suspicious (the file could
 * not be cleared) and malicious outranks everything (something dangerous was
 * found, whatever else went wrong).
 */
enum pw_verdict {
	PW_VERDICT_CLEAN = 0,
	PW_VERDICT_SUSPICIOUS = 1,
	PW_VERDICT_ERROR = 2,
	PW_VERDICT_MALICIOUS = 3,
};

/* "clean", "suspicious", "error", "malicious"; never NULL. */
PW_API const char *pw_verdict_name(enum pw_verdict verdict);

/* Severity of one finding.  PW_SEV_INFO records an allowlisted import or a
 * harmless observation; it does not change the verdict from clean. */
enum pw_severity {
	PW_SEV_INFO = 0,
	PW_SEV_SUSPICIOUS = 1,
	PW_SEV_ERROR = 2,
	PW_SEV_MALICIOUS = 3,
};

/* "info", "suspicious", "error", "malicious"; never NULL. */
PW_API const char *pw_severity_name(enum pw_severity severity);

/* What a finding is about.  Append-only. */
enum pw_finding_kind {
	PW_KIND_IMPORT = 0,	 /* a global the unpickler would import */
	PW_KIND_CALL = 1,	 /* a call of a resolved or unknown callable */
	PW_KIND_STRUCTURE = 2,	 /* a structural anomaly of a pickle stream */
	PW_KIND_DIFFERENTIAL = 3,/* the two CPython unpicklers disagree */
	PW_KIND_CONTAINER = 4,	 /* a container anomaly (CRC, flags, polyglot) */
	PW_KIND_LIMIT = 5,	 /* an analysis limit was hit */
	PW_KIND_PARSE = 6,	 /* the data could not be parsed */
};

/* "import", "call", "structure", ...; never NULL. */
PW_API const char *pw_kind_name(enum pw_finding_kind kind);

/*
 * One finding.  All strings are owned by the result that holds the finding
 * and are NUL-terminated; strings taken from the scanned file may contain
 * any byte but NUL (callers must escape them before printing or logging).
 */
struct pw_finding {
	enum pw_severity severity;
	enum pw_finding_kind kind;
	const char *global;	/* resolved "module.qualname", or NULL */
	const char *module;	/* module as written in the file, or NULL */
	const char *name;	/* name as written in the file, or NULL */
	const char *opcode;	/* pickle opcode name, or NULL */
	uint64_t offset;	/* byte offset in the innermost stream */
	const char *location;	/* container path, "" for the file itself,
				   e.g. "archive/data.pkl" or "a.npz!b.npy" */
	const char *reason;	/* why this is a finding; never NULL */
};

/* Limits a caller may tighten or loosen.  Append-only. */
enum pw_limit {
	PW_LIMIT_MAX_DEPTH = 0,		  /* container nesting depth */
	PW_LIMIT_MAX_MEMBERS = 1,	  /* members of one archive */
	PW_LIMIT_MAX_DECOMPRESSED = 2,	  /* decompressed bytes per file */
	PW_LIMIT_MAX_RATIO = 3,		  /* decompressed : compressed ratio */
	PW_LIMIT_MAX_OPCODES = 4,	  /* opcodes decoded per file */
	PW_LIMIT_MAX_FILE_SIZE = 5,	  /* bytes of one scanned file */
	PW_LIMIT_MAX_FINDINGS = 6,	  /* findings kept per file */
	PW_LIMIT_COUNT_ /* not a limit: the number of limits */
};

struct pw_options;
struct pw_scanner;
struct pw_result;

/*
 * Options.  pw_options_new writes *ret_opts only on success.
 * Patterns name resolved globals: "module.qualname" matches exactly;
 * "module.*" or "module.prefix.*" matches the module and everything below
 * it.  A denied global is always malicious; an allowed one is clean
 * unless the built-in denylist names it (a user cannot allow os.system).
 * Returns PW_OK, PW_ERR_NOMEM, PW_ERR_INVALID or PW_ERR_PATTERN.
 */
PW_API int pw_options_new(struct pw_options **ret_opts);
PW_API void pw_options_free(struct pw_options *opts);
PW_API int pw_options_allow_global(struct pw_options *opts, const char *pattern);
PW_API int pw_options_deny_global(struct pw_options *opts, const char *pattern);
PW_API int pw_options_set_limit(struct pw_options *opts,
				enum pw_limit limit, uint64_t value);
/* The built-in default of a limit, or 0 for an unknown one. */
PW_API uint64_t pw_limit_default(enum pw_limit limit);
/* "max_depth", "max_members", ...: the name used in configuration. */
PW_API const char *pw_limit_name(enum pw_limit limit);

/*
 * Stopping a scan (for sandboxes, guards and impatient callers).  A scan
 * checks whether it must stop when it starts, before every container member
 * and every 4096 pickle opcodes; a stopped scan returns PW_OK and a result
 * with a PW_KIND_LIMIT error finding naming the deadline or the abort (its
 * verdict is error, or malicious if something malicious was found before).
 *
 * pw_options_set_deadline: scans stop at this absolute CLOCK_MONOTONIC
 *   time (NULL clears it).  Meant for a scanner built for one job.
 * pw_options_set_timeout_ms: each scan stops this many milliseconds after
 *   it began (0 clears it).  With both, the earlier one wins.
 * pw_options_set_abort_flag: scans stop once *flag is non-zero.  The
 *   library only reads the flag; the caller owns it, sets it from any thread
 *   or a signal handler, and keeps it alive as long as scanners built from
 *   these options (NULL clears it).
 * Each returns PW_OK, or PW_ERR_INVALID (NULL options, tv_nsec out of range).
 */
PW_API int pw_options_set_deadline(struct pw_options *opts,
				   const struct timespec *deadline);
PW_API int pw_options_set_timeout_ms(struct pw_options *opts, uint64_t ms);
PW_API int pw_options_set_abort_flag(struct pw_options *opts,
				     const volatile int *flag);

/*
 * A scanner is built from options (NULL means the built-in defaults); the
 * options are copied, so the caller may free them afterwards.
 * Writes *ret_scanner only on success.  pw_scanner_free(NULL) is a no-op.
 */
PW_API int pw_scanner_new(const struct pw_options *opts,
			  struct pw_scanner **ret_scanner);
PW_API void pw_scanner_free(struct pw_scanner *scanner);

/*
 * Scans.  On PW_OK, *ret_result holds a new result the caller frees with
 * pw_result_free.  The buffer is only read during the call.
 * pw_scan_fd reads the descriptor with pread (it never moves the file
 * offset, and never reads a whole large file into memory); it refuses a
 * descriptor that is not a regular file with PW_ERR_NOT_REGULAR.
 * A file that cannot be analysed gives PW_OK and a result whose verdict is
 * PW_VERDICT_ERROR with a finding saying why.
 */
PW_API int pw_scan_buffer(const struct pw_scanner *scanner,
			  const void *buf, size_t len,
			  struct pw_result **ret_result);
PW_API int pw_scan_fd(const struct pw_scanner *scanner, int fd,
		      struct pw_result **ret_result);

/*
 * Scans a file that is still being written (a download landing): only its
 * first prefix_len bytes (fewer if the file is shorter), read with pread,
 * never past them, without moving the offset.  The reading tolerates the
 * cut: a raw pickle stream (and a legacy torch or joblib file, which are
 * pickle streams first) is read as far as its bytes go; a zip, whose
 * central directory is written last, is walked by its local headers and
 * its .pkl members (PyTorch's data.pkl, TorchScript's constants.pkl),
 * stored or deflated, are read as pickles as far as they have landed
 * (at most max_members headers).  Readings that need the rest of the file
 * (an embedded zip found by its end records) are left to the full scan.
 * The result's bytes_total is the prefix's size; a prefix usually ends in
 * an error finding (the data ends early) - only pw_result_prefix_final
 * says something a caller may act on before the file is complete.
 * Returns and writes like pw_scan_fd.
 */
PW_API int pw_scan_fd_prefix(const struct pw_scanner *scanner, int fd,
			     uint64_t prefix_len,
			     struct pw_result **ret_result);

/*
 * True when the scan found a malicious import or call (a finding of kind
 * import or call and severity malicious, counted even when the finding
 * itself was dropped by max_findings).  For a prefix scan this is final:
 * an unpickler runs opcodes as it reads them, so a loader reaches that
 * import or call before the data ends, whatever is written after it.  A
 * prefix that is merely cut short, or whose only trouble is structural,
 * is not final.  False for NULL.
 */
PW_API bool pw_result_prefix_final(const struct pw_result *result);

PW_API void pw_result_free(struct pw_result *result);
PW_API enum pw_verdict pw_result_verdict(const struct pw_result *result);
/* The outer format as sniffed from content: "pickle", "pytorch-zip",
 * "torchscript", "legacy-torch", "numpy", "npz", "joblib", "zip", "gzip",
 * "safetensors", "unknown", ...  Never NULL. */
PW_API const char *pw_result_format(const struct pw_result *result);
PW_API size_t pw_result_finding_count(const struct pw_result *result);
/* The i-th finding, or NULL when i is out of range.  Valid until the
 * result is freed. */
PW_API const struct pw_finding *
pw_result_finding(const struct pw_result *result, size_t i);
/*
 * True when some loader would execute the file: some reading of it (as a
 * raw pickle, through a compressor, a zip, tar or 7z member, an .npy object
 * array, a nested loader's payload...) reached pickle code that runs - a
 * STOP, an import, a call or a persistent load - even if the reading broke
 * or hit a limit later; or a compressed stream (what joblib and pandas
 * unpickle) could not be decoded or analysed to its end, since Python's
 * readers hand over a truncated stream's prefix before they raise.
 * Decides how an `error` verdict is acted on: an
 * error on such a file is one an attacker may have forced (fail closed);
 * an error on any other file (nothing decodes to pickle code) is not.
 */
PW_API bool pw_result_executable(const struct pw_result *result);
/* Bytes the scan read from the file (not counting decompressed bytes). */
PW_API uint64_t pw_result_bytes_read(const struct pw_result *result);
/* Size of the scanned file or buffer. */
PW_API uint64_t pw_result_bytes_total(const struct pw_result *result);
/* Pickle opcodes decoded. */
PW_API uint64_t pw_result_opcodes(const struct pw_result *result);

#ifdef __cplusplus
}
#endif
#endif /* PICKLEWARDEN_H */
