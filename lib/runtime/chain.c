/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chain.c — a network's plugins run as a chain (SPEC.md section 3): ADD in
 * order, each given the previous one's result; CHECK in order and DEL in
 * reverse, each given the cached result; STATUS in order; and ccni's
 * REAPPLY in order, with the cached result, to ccni's own plugins. The network's
 * lock is held for the whole chain, the cache written at the end of ADD.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

char *rt_plugin_config(const struct ccni_network *net, json_t *plugin, json_t *prev,
		       const struct ccni_attachment *att, json_t *extra)
{
	_cleanup_json_ json_t *c = json_deep_copy(plugin);
	json_t *caps, *rc = NULL;
	const char *key;
	json_t *v;

	if (!c)
		return NULL;
	json_object_set_new(c, "name", json_string(ccni_network_name(net)));
	if (*net->version)
		json_object_set_new(c, "cniVersion", json_string(net->version));
	if (prev)
		json_object_set(c, "prevResult", prev);
	caps = json_object_get(plugin, "capabilities");
	if (att && json_is_object(caps) && json_is_object(att->capability_args)) {
		json_object_foreach(caps, key, v) {
			json_t *data;

			if (!json_is_true(v))
				continue;
			data = json_object_get(att->capability_args, key);
			if (!data)
				continue;
			if (!rc)
				rc = json_object();
			json_object_set(rc, key, data);
		}
	}
	if (rc)
		json_object_set_new(c, "runtimeConfig", rc);
	if (extra)
		json_object_update(c, extra);
	return json_dumps(c, JSON_COMPACT);
}

const char *rt_plugin_type(json_t *plugin)
{
	return json_string_value(json_object_get(plugin, "type"));
}

int rt_attachment(const struct ccni_attachment *att, struct ccni_attachment *out,
		  struct ccni_error *err)
{
	if (!att || !att->container_id || !ccni_container_id_valid(att->container_id))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "invalid container id \"%s\"",
				      att && att->container_id ? att->container_id : "");
	if (att->ifname && !ccni_ifname_valid(att->ifname))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "invalid interface name \"%s\"",
				      att->ifname);
	*out = *att;
	if (!out->ifname)
		out->ifname = "eth0";
	return 0;
}

/* Plugin i of the chain, given prev, with its config built; *out gets the
 * output of ADD. */
static int run_one(struct ccni_runtime *rt, const struct ccni_network *net, size_t i,
		   enum ccni_command cmd, const struct ccni_attachment *a, json_t *prev,
		   json_t **out, struct ccni_error *err)
{
	json_t *p = ccni_network_plugin(net, i);
	_cleanup_free_ char *in = rt_plugin_config(net, p, prev, a, NULL);
	struct rt_call c = { rt_plugin_type(p), cmd, a, in, net->version };

	if (!in)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return rt_run_plugin(rt, &c, out, err);
}

int ccni_add(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, json_t **result, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	unsigned long long t = util_now_ns();

	assert(rt && net);
	if (result)
		*result = NULL;
	if (rt_attachment(att, &a, err) < 0)
		return -1;
	lock = cache_lock(&rt->cache, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		json_t *res = NULL;

		if (run_one(rt, net, i, CCNI_CMD_ADD, &a, prev, &res, err) < 0)
			return -1;
		json_decref(prev);
		prev = res;
	}
	if (cache_write(&rt->cache, ccni_network_name(net), net->bytes, net->len, &a, prev, err) < 0)
		return -1;
	rt_trace(rt, "add", "%s %s %s done in %.3f ms", ccni_network_name(net), a.container_id,
		 a.ifname, (double)(util_now_ns() - t) / 1e6);
	if (result)
		*result = TAKE_PTR(prev);
	return 0;
}

/* The cached result of an attachment, or NULL (missing or unreadable:
 * DEL goes on without it and says so). */
static json_t *cached_result(struct ccni_runtime *rt, const struct ccni_network *net,
			     const struct ccni_attachment *a, bool *corrupt)
{
	_cleanup_json_ json_t *entry = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *r;

	*corrupt = false;
	if (cache_read(&rt->cache, ccni_network_name(net), a->container_id, a->ifname, &entry,
		       &e) < 0) {
		rt_trace(rt, "cache", "%s; going on without prevResult", e.msg);
		ccni_error_clear(&e);
		*corrupt = true;
		return NULL;
	}
	r = json_object_get(entry, "result");
	return json_is_object(r) ? json_incref(r) : NULL;
}

int rt_del_locked(struct ccni_runtime *rt, const struct ccni_network *net,
		  const struct ccni_attachment *a, json_t *prev, struct ccni_error *err)
{
	for (size_t i = ccni_network_n_plugins(net); i-- > 0;)
		if (run_one(rt, net, i, CCNI_CMD_DEL, a, prev, NULL, err) < 0)
			return -1;
	cache_remove(&rt->cache, ccni_network_name(net), a->container_id, a->ifname);
	return 0;
}

int ccni_del(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	bool corrupt;

	assert(rt && net);
	if (rt_attachment(att, &a, err) < 0)
		return -1;
	lock = cache_lock(&rt->cache, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	if (ccni_version_ge(net->version, "0.4.0")) {
		prev = cached_result(rt, net, &a, &corrupt);
		rt_trace(rt, "del", "%s", prev ? "using the cached result as prevResult" :
				    corrupt ? "cache entry unreadable, no prevResult" :
					      "no cached result");
	}
	return rt_del_locked(rt, net, &a, prev, err);
}

int ccni_check(struct ccni_runtime *rt, const struct ccni_network *net,
	       const struct ccni_attachment *att, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	bool corrupt;

	assert(rt && net);
	if (rt_attachment(att, &a, err) < 0)
		return -1;
	if (!ccni_version_ge(net->version, "0.4.0"))
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "network %s: configuration version \"%s\" does not support CHECK "
				      "(0.4.0 or later)",
				      ccni_network_name(net), net->version);
	if (net->list->disable_check) {
		rt_trace(rt, "check", "disabled by disableCheck");
		return 0;
	}
	lock = cache_lock(&rt->cache, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	prev = cached_result(rt, net, &a, &corrupt);
	if (!prev)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "network %s: no cached result for container %s ifname %s%s",
				      ccni_network_name(net), a.container_id, a.ifname,
				      corrupt ? " (the cache entry is unreadable)" : "");
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++)
		if (run_one(rt, net, i, CCNI_CMD_CHECK, &a, prev, NULL, err) < 0)
			return -1;
	return 0;
}

int ccni_status(struct ccni_runtime *rt, const struct ccni_network *net,
		struct ccni_error *err)
{
	assert(rt && net);
	if (!ccni_version_ge(net->version, "1.1.0")) {
		rt_trace(rt, "status", "version %s has no STATUS; reporting ready", net->version);
		return 0;
	}
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++)
		if (run_one(rt, net, i, CCNI_CMD_STATUS, NULL, NULL, NULL, err) < 0)
			return -1;
	return 0;
}

/* Is type one of ccni's own plugins (the multi-call executable under that
 * name)? REAPPLY is not the spec's: it goes to those only. */
static bool is_ccni_plugin(struct ccni_runtime *rt, const char *type)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	_cleanup_free_ char *path = ccni_find_in_path(type, rt->plugin_path, &e);
	char real[PATH_MAX];
	const char *base;

	ccni_error_clear(&e);
	if (!path || !realpath(path, real))
		return false;
	base = strrchr(real, '/');
	return streq(base ? base + 1 : real, "ccni-plugin");
}

int ccni_reapply(struct ccni_runtime *rt, const struct ccni_network *net,
		 const struct ccni_attachment *att, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	bool corrupt;

	assert(rt && net);
	if (rt_attachment(att, &a, err) < 0)
		return -1;
	lock = cache_lock(&rt->cache, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	prev = cached_result(rt, net, &a, &corrupt);
	if (!prev)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "network %s: no cached result for container %s ifname %s%s",
				      ccni_network_name(net), a.container_id, a.ifname,
				      corrupt ? " (the cache entry is unreadable)" : "");
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		const char *type = rt_plugin_type(ccni_network_plugin(net, i));

		if (!type || !is_ccni_plugin(rt, type)) {
			rt_trace(rt, "reapply", "%s: not one of ccni's plugins, skipped",
				 type ? type : "(no type)");
			continue;
		}
		if (run_one(rt, net, i, CCNI_CMD_REAPPLY, &a, prev, NULL, err) < 0)
			return -1;
	}
	return 0;
}
