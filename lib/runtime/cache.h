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
/* Every readable entry (network NULL: of every network). */
int cache_list(const struct cache *c, const char *network, json_t **entries,
	       struct ccni_error *err);
/* Shared (ADD/DEL/CHECK) or exclusive (GC) lock of a network; returns the
 * fd that holds it (close it to unlock). */
int cache_lock(const struct cache *c, const char *network, bool exclusive,
	       struct ccni_error *err);

#endif
