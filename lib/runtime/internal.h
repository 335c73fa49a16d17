/* SPDX-License-Identifier: Apache-2.0 */
/* internal.h — what the runtime's files share. Internal. */
#ifndef CCNI_RUNTIME_INTERNAL_H
#define CCNI_RUNTIME_INTERNAL_H

#include <pthread.h>

#include <ccni/ccni.h>

struct memo {
	char *path;
	json_t *info;
	struct memo *next;
};

struct ccni_runtime {
	char *plugin_path;
	char *conf_dir;
	char *cache_dir;
	int timeout_ms;
	bool trace;
	ccni_trace_fn trace_fn;
	void *trace_data;
	unsigned long long t0;
	pthread_mutex_t lock; /* guards memo */
	struct memo *memo;
};

struct ccni_network {
	struct ccni_conflist *list;
	json_t *plugins;      /* array: inlined + aggregated plugin objects (owned) */
	char *version;        /* chosen version */
	char *bytes;          /* the document as libcni caches it */
	size_t len;
};

void rt_trace(struct ccni_runtime *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Cache (cache.c). */
char *cache_path(struct ccni_runtime *rt, const char *network, const char *cid,
		 const char *ifname);
int cache_write(struct ccni_runtime *rt, const struct ccni_network *net,
		const struct ccni_attachment *att, json_t *result, struct ccni_error *err);
/* 0 with *entry NULL when there is none; -1 when it cannot be read/parsed. */
int cache_read(struct ccni_runtime *rt, const char *network, const char *cid,
	       const char *ifname, json_t **entry, struct ccni_error *err);
int cache_remove(struct ccni_runtime *rt, const char *network, const char *cid,
		 const char *ifname);
/* Shared (ADD/DEL/CHECK) or exclusive (GC) lock of a network; returns fd. */
int cache_lock(struct ccni_runtime *rt, const char *network, bool exclusive,
	       struct ccni_error *err);

/* The config one plugin gets (compact JSON text): its object with name,
 * cniVersion, prevResult and runtimeConfig from the capabilities it declares,
 * plus extra keys. */
char *rt_plugin_config(const struct ccni_network *net, json_t *plugin, json_t *prev,
		       const struct ccni_attachment *att, json_t *extra);
/* The version the network runs at. */
const char *rt_choose_version(const struct ccni_conflist *list);

char *b64_encode(const void *data, size_t len);
void *b64_decode(const char *s, size_t *len);

#endif
