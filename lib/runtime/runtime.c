/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.c — libcni's counterpart, the handle: where plugins, configs and
 * the cache are, the deadline, the trace; and the cache's public face.
 * Loading is load.c, chains chain.c, GC gc.c, running a plugin exec.c.
 */
#include <assert.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

int ccni_runtime_new(const struct ccni_runtime_opts *opts, struct ccni_runtime **out,
		     struct ccni_error *err)
{
	struct ccni_runtime *rt = calloc(1, sizeof(*rt));
	const char *t = getenv("CCNI_TRACE");

	assert(out);
	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rt->plugin_path = strdup(opts && opts->plugin_path ? opts->plugin_path : "/opt/cni/bin");
	rt->conf_dir = strdup(opts && opts->conf_dir ? opts->conf_dir : CCNI_DEFAULT_CONF_DIR);
	rt->cache_dir = strdup(opts && opts->cache_dir ? opts->cache_dir : CCNI_DEFAULT_CACHE_DIR);
	rt->timeout_ms = opts ? opts->timeout_ms : 0;
	rt->trace.json = t && streq(t, "json");
	rt->trace.on = (opts && opts->trace) || rt->trace.json ||
		       (t && (streq(t, "1") || streq(t, "true")));
	rt->trace.fn = opts ? opts->trace_fn : NULL;
	rt->trace.data = opts ? opts->trace_data : NULL;
	rt->trace.t0 = util_now_ns();
	rt->cache.dir = rt->cache_dir;
	rt->cache.trace = &rt->trace;
	pthread_mutex_init(&rt->lock, NULL);
	if (!rt->plugin_path || !rt->conf_dir || !rt->cache_dir) {
		ccni_runtime_free(rt);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	*out = rt;
	return 0;
}

void ccni_runtime_free(struct ccni_runtime *rt)
{
	if (!rt)
		return;
	while (rt->memo) {
		struct memo *m = rt->memo;

		rt->memo = m->next;
		free(m->path);
		json_decref(m->info);
		free(m);
	}
	pthread_mutex_destroy(&rt->lock);
	free(rt->plugin_path);
	free(rt->conf_dir);
	free(rt->cache_dir);
	free(rt);
}

int ccni_cache_get(struct ccni_runtime *rt, const char *network, const char *container_id,
		   const char *ifname, json_t **entry, struct ccni_error *err)
{
	assert(rt && entry);
	if (cache_read(&rt->cache, network, container_id, ifname ? ifname : "eth0", entry, err) < 0)
		return -1;
	if (!*entry)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "cache: no attachment of %s on network %s", container_id, network);
	return 0;
}

int ccni_cache_list(struct ccni_runtime *rt, const char *network, json_t **entries,
		    struct ccni_error *err)
{
	assert(rt && entries);
	return cache_list(&rt->cache, network, entries, NULL, err);
}
