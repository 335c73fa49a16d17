/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h — what the runtime's files share: the handles, the call that
 * runs one plugin of a chain (exec.c), the config a plugin gets (chain.c)
 * and the version a network runs at (load.c). Internal.
 */
#ifndef CCNI_RUNTIME_INTERNAL_H
#define CCNI_RUNTIME_INTERNAL_H

#include <pthread.h>

#include <ccni/ccni.h>
#include <ccni/command.h>

#include "lib/common/trace.h"
#include "lib/runtime/cache.h"

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
	struct trace trace;
	struct cache cache;   /* in cache_dir, tracing to trace */
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

#define rt_trace(rt, step, ...) trace_step(&(rt)->trace, step, NULL, __VA_ARGS__)

/* One plugin run of a chain (exec.c). */
struct rt_call {
	const char *type;
	enum ccni_command cmd;
	const struct ccni_attachment *att; /* NULL for STATUS, GC, VERSION */
	const char *stdin_text;
	const char *version; /* ADD: the result must decode in this version */
};

/* Run it; *out (may be NULL) gets the output of ADD (a result of
 * c->version) and VERSION. A plugin's own error object comes back prefixed
 * with 'plugin "TYPE" CMD: '. */
int rt_run_plugin(struct ccni_runtime *rt, const struct rt_call *c, json_t **out,
		  struct ccni_error *err);

/* The config one plugin gets (compact JSON text): its object with name,
 * cniVersion, prevResult and runtimeConfig from the capabilities it declares,
 * plus extra keys (chain.c). */
char *rt_plugin_config(const struct ccni_network *net, json_t *plugin, json_t *prev,
		       const struct ccni_attachment *att, json_t *extra);
/* The plugin type of a plugin object (borrowed, may be NULL). */
const char *rt_plugin_type(json_t *plugin);
/* Container id and ifname checked, ifname defaulted to eth0 (chain.c). */
int rt_attachment(const struct ccni_attachment *att, struct ccni_attachment *out,
		  struct ccni_error *err);
/* DEL of the chain in reverse with prev (may be NULL) as prevResult, then
 * the cache entry removed; the caller holds the network's lock. */
int rt_del_locked(struct ccni_runtime *rt, const struct ccni_network *net,
		  const struct ccni_attachment *att, json_t *prev, struct ccni_error *err);

/* The version the network runs at (load.c). */
const char *rt_choose_version(const struct ccni_conflist *list);

#endif
