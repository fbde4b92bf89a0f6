/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_names.h - which names the watcher skips, decided from the name
 * alone (and, for torch.hub, the directory it is in).
 *
 * Downloaders write under a temporary name and rename into place; a file
 * under a temporary name is never loaded, so it is not scanned until the
 * rename (which the watcher sees as MOVED_TO).  Scanning it earlier would
 * scan half a file and, worse, race the downloader.
 */
#ifndef PW_AGENT_WATCH_NAMES_H
#define PW_AGENT_WATCH_NAMES_H

#include <stdbool.h>

/*
 * True for a file name that is a download in progress or a lock:
 *   "*.incomplete"   Hugging Face hub (blobs/<etag>.<hex>.incomplete, and
 *                    the older fixed blobs/<etag>.incomplete)
 *   "*.partial"      torch.hub 2.x (<name>.<uuid>.partial)
 *   "tmpXXXXXXXX"    torch.hub 1.x, in a directory named "checkpoints"
 *                    (Python's tempfile: "tmp" and 8 of [a-z0-9_])
 *   "*.lock"         filelock files
 * parent_name is the last component of the containing directory ("" if
 * unknown).
 */
bool watch_name_is_temporary(const char *name, const char *parent_name);

/* True for a directory that holds no loadable files and is neither
 * watched nor walked: ".locks" (Hugging Face lock files, never removed)
 * and "xet" (content-addressed chunks, not model files). */
bool watch_name_is_skipped_dir(const char *name);

#endif
