/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_names.h - which names mean "a download in progress" or "a
 * directory with nothing loadable", decided from the name AND its place.
 *
 * A name proves nothing by itself: torch.hub names the final file after the
 * URL's last component and archives extract any name, so a loader opens
 * "x.incomplete" or "xet/model.bin" as readily as anything else.  These
 * rules therefore only apply where each downloader writes such names, and
 * even there they only delay a scan (see watch_events.c): a file under an
 * in-progress name is scanned when its writer closes it, when it is renamed,
 * and at the latest a grace period after its last write.
 */
#ifndef PW_AGENT_WATCH_NAMES_H
#define PW_AGENT_WATCH_NAMES_H

#include <stdbool.h>

/*
 * True for a file name that is a download in progress at its downloader's
 * position:
 *   "<x>.incomplete"  in a directory named "blobs" (huggingface_hub, both
 *                     the current <etag>.<hex>.incomplete and the older
 *                     <etag>.incomplete)
 *   "<x>.partial"     in a directory named "checkpoints" (torch.hub 2.x,
 *                     <name>.<uuid>.partial)
 *   "tmpXXXXXXXX"     in a directory named "checkpoints" (torch.hub 1.x,
 *                     Python's tempfile: "tmp" and 8 of [a-z0-9_])
 *   "<x>.lock"        in a directory below a ".locks" directory (filelock
 *                     files of huggingface_hub)
 * parent_name is the last component of the containing directory and
 * grandparent_name the one above it ("" or NULL if unknown).
 */
bool watch_name_is_temporary(const char *name, const char *parent_name,
			     const char *grandparent_name);

/*
 * True for a directory that holds no loadable files and is neither watched
 * nor walked, at its Hugging Face position only: ".locks" directly in a
 * hub cache (a directory named "hub", or a root: HF_HUB_CACHE can be any
 * directory) and "xet" directly in a directory named "huggingface" or in a
 * root (content-addressed chunks, never opened by a loader).  parent_is_root
 * says the directory's parent is a configured root.
 */
bool watch_name_is_skipped_dir(const char *name, const char *parent_name,
			       bool parent_is_root);

#endif
