/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gc.c — GC of a network (SPEC.md, 1.1.0), in libcni's order: DEL of every
 * cached attachment that is not valid, then GC of each plugin with the
 * valid attachments. All of it under the network's exclusive lock, taken
 * first, and on one listing of the cache: an ADD in flight holds the shared
 * lock until its entry is written, so GC either waits for it and sees its
 * entry, or runs before it started; it never collects it.
 */
#include <assert.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

struct gc {
	struct ccni_runtime *rt;
	const struct ccni_network *net;
	json_t *valid;            /* cni.dev/valid-attachments, NULL: none given */
	ccni_gc_keep_fn keep;     /* the cache as the truth: which entries stay valid */
	void *keep_data;
	json_t *names;            /* the valid ones' cache file names, as a set */
	struct ccni_error first;  /* the first failure; GC goes on past it */
};

static void keep_first(struct gc *g, struct ccni_error *e)
{
	if (!ccni_error_is_set(&g->first))
		ccni_error_move(&g->first, e);
	ccni_error_clear(e);
}

/* The cache file name of an attachment of the network ("NET-CID-IFNAME"). */
static char *file_name(const struct gc *g, const char *cid, const char *ifname)
{
	return util_asprintf("%s-%s-%s", ccni_network_name(g->net), cid, ifname);
}

/* The valid attachments' file names as a set: one lookup per entry, where
 * a walk of the list for each would cost cached x valid. */
static int name_set(struct gc *g, struct ccni_error *err)
{
	size_t i;
	json_t *v;

	g->names = json_object();
	if (!g->names)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(g->valid, i, v) {
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *f = json_string_value(json_object_get(v, "ifname"));
		_cleanup_free_ char *name = c && f ? file_name(g, c, f) : NULL;

		if (name && json_object_set_new(g->names, name, json_true()) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

static bool is_valid(const struct gc *g, const char *name)
{
	return name && json_object_get(g->names, name);
}

/* The valid attachments when the cache is taken as the truth (but those
 * g->keep refuses). */
static json_t *valid_from(const struct gc *g, json_t *entries)
{
	json_t *valid = json_array(), *e;
	size_t i;

	json_array_foreach(entries, i, e)
		if (!g->keep || g->keep(e, g->keep_data))
			json_array_append_new(valid, json_pack("{s:O,s:O}", "containerID",
						       json_object_get(e, "containerId"), "ifname",
						       json_object_get(e, "ifName")));
	return valid;
}

/* CNI_ARGS text of an entry's cniArgs pairs (libcni's [[k, v], ...]). */
static char *entry_args(json_t *e)
{
	json_t *pairs = json_object_get(e, "cniArgs"), *pair;
	char *args = NULL;
	size_t k;

	json_array_foreach(pairs, k, pair) {
		char *n = util_asprintf("%s%s%s=%s", args ? args : "", args ? ";" : "",
					json_string_value(json_array_get(pair, 0)),
					json_string_value(json_array_get(pair, 1)));
		free(args);
		args = n;
	}
	return args;
}

/* DEL of a stale attachment as libcni does it: what its entry recorded,
 * its cached result as prevResult (0.4.0 and later). */
static void del_stale(struct gc *g, json_t *e)
{
	struct ccni_error de = CCNI_ERROR_INIT;
	_cleanup_free_ char *args = entry_args(e), *name = NULL;
	json_t *result = json_object_get(e, "result");
	struct ccni_attachment a = {
		.container_id = json_string_value(json_object_get(e, "containerId")),
		.ifname = json_string_value(json_object_get(e, "ifName")),
		.netns = json_string_value(json_object_get(e, "netns")),
		.args = args,
		.capability_args = json_object_get(e, "capabilityArgs"),
	};

	if (!a.container_id || !a.ifname)
		return;
	name = file_name(g, a.container_id, a.ifname);
	if (g->valid && is_valid(g, name))
		return;
	if (!json_is_object(result) || !ccni_version_ge(g->net->version, "0.4.0"))
		result = NULL;
	rt_trace(g->rt, "gc", "deleting stale attachment %s %s", a.container_id, a.ifname);
	if (rt_del_locked(g->rt, g->net, &a, result, &de) < 0)
		keep_first(g, &de);
}

/* An entry that cannot be read would stay forever: nothing can DEL it
 * (its attachment is unknown) and no prevResult comes of it. It goes,
 * unless it is named for a valid attachment; the plugins' GC then frees
 * what its attachment held, as it is not among the valid ones. */
static void drop_unreadable(struct gc *g, json_t *u)
{
	const char *file = json_string_value(json_object_get(u, "file"));

	if (is_valid(g, file))
		return;
	rt_trace(g->rt, "gc", "removing unreadable cache entry %s (%s)", file,
		 json_string_value(json_object_get(u, "why")));
	cache_remove_file(&g->rt->cache, file);
}

/* GC of each plugin (1.1.0) with the valid attachments. */
static int gc_plugins(struct gc *g, struct ccni_error *err)
{
	_cleanup_json_ json_t *extra = NULL;

	if (!ccni_version_ge(g->net->version, "1.1.0"))
		return 0;
	if (g->valid)
		extra = json_pack("{s:O,s:O}", "cni.dev/valid-attachments", g->valid,
				  "cni.dev/attachments", g->valid); /* the spec's first name */
	for (size_t i = 0; i < ccni_network_n_plugins(g->net); i++) {
		json_t *p = ccni_network_plugin(g->net, i);
		_cleanup_free_ char *in = rt_plugin_config(g->net, p, NULL, NULL, extra);
		struct rt_call c = { rt_plugin_type(p), CCNI_CMD_GC, NULL, in, NULL };
		struct ccni_error pe = CCNI_ERROR_INIT;

		if (!in)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (rt_run_plugin(g->rt, &c, NULL, &pe) < 0)
			keep_first(g, &pe);
	}
	return 0;
}

static int gc_locked(struct gc *g, bool keep_cached, struct ccni_error *err)
{
	_cleanup_json_ json_t *entries = NULL, *unreadable = NULL, *own = NULL;
	size_t i;
	json_t *e;

	if (cache_list(&g->rt->cache, ccni_network_name(g->net), &entries, &unreadable, err) < 0)
		return -1;
	if (keep_cached) {
		g->valid = own = valid_from(g, entries);
		if (!own)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	if (name_set(g, err) < 0)
		return -1;
	json_array_foreach(entries, i, e)
		del_stale(g, e);
	json_array_foreach(unreadable, i, e)
		drop_unreadable(g, e);
	if (gc_plugins(g, err) < 0)
		return -1;
	if (ccni_error_is_set(&g->first)) {
		ccni_error_move(err, &g->first);
		return -1;
	}
	return 0;
}

static int gc(struct ccni_runtime *rt, const struct ccni_network *net, json_t *valid,
	      bool keep_cached, ccni_gc_keep_fn keep, void *data, struct ccni_error *err)
{
	struct gc g = { rt, net, valid, keep, data, NULL, CCNI_ERROR_INIT };
	_cleanup_close_ int lock = -1;
	int rc;

	assert(rt && net);
	if (net->list->disable_gc) {
		rt_trace(rt, "gc", "disabled by disableGC");
		return 0;
	}
	if (valid && !json_is_array(valid))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "valid attachments: expected an array");
	lock = cache_lock(&rt->cache, ccni_network_name(net), true, err);
	if (lock < 0)
		return -1;
	rc = gc_locked(&g, keep_cached, err);
	json_decref(g.names);
	ccni_error_clear(&g.first);
	return rc;
}

int ccni_gc(struct ccni_runtime *rt, const struct ccni_network *net, json_t *valid,
	    struct ccni_error *err)
{
	return gc(rt, net, valid, false, NULL, NULL, err);
}

int ccni_gc_cached(struct ccni_runtime *rt, const struct ccni_network *net,
		   struct ccni_error *err)
{
	return gc(rt, net, NULL, true, NULL, NULL, err);
}

int ccni_gc_cached_keep(struct ccni_runtime *rt, const struct ccni_network *net,
			ccni_gc_keep_fn keep, void *data, struct ccni_error *err)
{
	return gc(rt, net, NULL, true, keep, data, err);
}
