/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.h — the result cache in libcni's layout (CACHE_DIR/results/
 * NETWORK-CONTAINERID-IFNAME) and the per-network locks beside it
 * (CACHE_DIR/locks/NETWORK). It knows its directory and where to trace,
 * nothing of the runtime that uses it. Internal.
 */
#ifndef CCNI_RUNTIME_CACHE_H
#define CCNI_RUNTIME_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/ccni.h>

#include "lib/common/trace.h"

struct cache {
	const char *dir;           /* CACHE_DIR (borrowed) */
	const struct trace *trace; /* may be NULL */
};

/* CACHE_DIR/results/NETWORK-CID-IFNAME, or NULL when a part is empty, ".",
 * "..", holds a '/', or memory runs out. */
char *cache_path(const struct cache *c, const char *network, const char *cid,
		 const char *ifname);
/* Write the entry of an attachment: the network's config bytes (as the
 * runtime loaded them), the attachment's netns, CNI_ARGS and capability
 * arguments, and its result. Atomic. */
int cache_write(const struct cache *c, const char *network, const char *config,
		size_t config_len, const struct ccni_attachment *att, json_t *result,
		struct ccni_error *err);
/* 0 with *entry NULL when there is none; -1 when it cannot be read/parsed. */
int cache_read(const struct cache *c, const char *network, const char *cid, const char *ifname,
	       json_t **entry, struct ccni_error *err);
int cache_remove(const struct cache *c, const char *network, const char *cid,
		 const char *ifname);
/* Every readable entry of the network (NULL: of every network). With
 * unreadable (and a network), also the files of results/ named for the
 * network that cannot be read as its entry — not a regular file, too large,
 * not a JSON object, an interrupted write's temporary file — as
 * [{"file","why"}]: nothing else would ever remove them. A file that may be
 * the entry of a longer network name ("NETWORK-x", known by its lock file)
 * is left out. */
int cache_list(const struct cache *c, const char *network, json_t **entries,
	       json_t **unreadable, struct ccni_error *err);
/* Remove results/NAME (a file cache_list reported). */
int cache_remove_file(const struct cache *c, const char *name);
/* Shared (ADD/DEL/CHECK) or exclusive (GC) lock of a network; returns the
 * fd that holds it (close it to unlock). A GC waiting for it holds off new
 * shared lockers (a gate in front of the lock), so it is never starved. */
int cache_lock(const struct cache *c, const char *network, bool exclusive,
	       struct ccni_error *err);

#endif
