/*
 * sig_limits.h - every cap of the signature code, each with its reason.
 */
#ifndef PW_AGENT_SIG_LIMITS_H
#define PW_AGENT_SIG_LIMITS_H

/* A bundle is read whole.  A model of 100,000 files has a payload of about
 * 15 MB (≈150 bytes per resource), base64 makes it 20 MB: 64 MiB is far
 * above any real signature and still bounds memory. */
#define SIG_MAX_BUNDLE (64u * 1024 * 1024)
/* The JSON reader's caps (depth 32, 256 members an object, 4 Mi values)
 * are agent/store/json_reader.h's: one strict reader serves bundles and
 * quarantine records.  Its input cap must hold a whole bundle
 * (sig_bundle.c checks). */
/* Resources (files or shards) in one manifest. */
#define SIG_MAX_RESOURCES 1000000u
/* Entries in ignore_paths, and certificates in a chain. */
#define SIG_MAX_IGNORE 4096u
#define SIG_MAX_CHAIN 16u
/* Files walked in a model directory, and its depth. */
#define SIG_MAX_FILES 1000000u
#define SIG_MAX_DIR_DEPTH 64u
/* Levels walked up from a file to find its model.sig (an HF snapshot file
 * sits 1-3 levels below its model directory). */
#define SIG_MAX_WALK_UP 16u
/* Read size when hashing: large buffered reads keep the disk streaming. */
#define SIG_HASH_CHUNK (1024u * 1024)
/* A PEM key or certificate file. */
#define SIG_MAX_PEM (1024u * 1024)

#endif
