/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gc.c — GC of a network (SPEC.md, 1.1.0): DEL of every cached attachment
 * that is not valid, then GC of each plugin with the valid attachments.
 */
#include <assert.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

static bool is_valid(json_t *valid, const char *cid, const char *ifname)
{
	size_t i;
	json_t *v;

	json_array_foreach(valid, i, v) {
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *f = json_string_value(json_object_get(v, "ifname"));

		if (c && f && streq(c, cid) && streq(f, ifname))
			return true;
	}
	return false;
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

static void keep_first(struct ccni_error *first, struct ccni_error *e)
{
	if (!ccni_error_is_set(first))
		ccni_error_move(first, e);
	ccni_error_clear(e);
}

int ccni_gc(struct ccni_runtime *rt, const struct ccni_network *net, json_t *valid,
	    struct ccni_error *err)
{
	_cleanup_json_ json_t *entries = NULL;
	_cleanup_json_ json_t *extra = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_error first = CCNI_ERROR_INIT;
	size_t i;
	json_t *e;

	assert(rt && net);
	if (net->list->disable_gc) {
		rt_trace(rt, "gc", "disabled by disableGC");
		return 0;
	}
	if (valid && !json_is_array(valid))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "valid attachments: expected an array");
	if (cache_list(&rt->cache, ccni_network_name(net), &entries, err) < 0)
		return -1;
	/* DEL of each stale attachment (it takes the shared lock itself). */
	json_array_foreach(entries, i, e) {
		struct ccni_error de = CCNI_ERROR_INIT;
		struct ccni_attachment a = {
			.container_id = json_string_value(json_object_get(e, "containerId")),
			.ifname = json_string_value(json_object_get(e, "ifName")),
			.netns = json_string_value(json_object_get(e, "netns")),
			.capability_args = json_object_get(e, "capabilityArgs"),
		};
		_cleanup_free_ char *args = NULL;

		if (!a.container_id || !a.ifname)
			continue;
		if (valid && is_valid(valid, a.container_id, a.ifname))
			continue;
		args = entry_args(e);
		a.args = args;
		rt_trace(rt, "gc", "deleting stale attachment %s %s", a.container_id, a.ifname);
		if (ccni_del(rt, net, &a, &de) < 0)
			keep_first(&first, &de);
	}
	lock = cache_lock(&rt->cache, ccni_network_name(net), true, err);
	if (lock < 0)
		return -1;
	if (ccni_version_ge(net->version, "1.1.0")) {
		if (valid)
			extra = json_pack("{s:O,s:O}", "cni.dev/valid-attachments", valid,
					  "cni.dev/attachments", valid);
		for (i = 0; i < ccni_network_n_plugins(net); i++) {
			json_t *p = ccni_network_plugin(net, i);
			_cleanup_free_ char *in = rt_plugin_config(net, p, NULL, NULL, extra);
			struct rt_call c = { rt_plugin_type(p), CCNI_CMD_GC, NULL, in, NULL };
			struct ccni_error pe = CCNI_ERROR_INIT;

			if (!in)
				return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			if (rt_run_plugin(rt, &c, NULL, &pe) < 0)
				keep_first(&first, &pe);
		}
	}
	if (ccni_error_is_set(&first)) {
		ccni_error_move(err, &first);
		return -1;
	}
	return 0;
}
