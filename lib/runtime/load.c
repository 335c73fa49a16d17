/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c — networks from the conf dir as libcni finds them: .conflist
 * first, then .conf and .json, in lexical order; cniVersions selection;
 * 1.1.0 aggregation of the plugin objects in the folder named after the
 * network. It reads configs; it runs nothing.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

void ccni_network_free(struct ccni_network *net)
{
	if (!net)
		return;
	ccni_conflist_free(net->list);
	json_decref(net->plugins);
	free(net->version);
	free(net->bytes);
	free(net);
}

const char *ccni_network_name(const struct ccni_network *net) { return net->list->name; }
const char *ccni_network_version(const struct ccni_network *net) { return net->version; }
size_t ccni_network_n_plugins(const struct ccni_network *net) { return json_array_size(net->plugins); }
json_t *ccni_network_plugin(const struct ccni_network *net, size_t i) { return json_array_get(net->plugins, i); }
const char *ccni_network_source(const struct ccni_network *net) { return net->list->source; }

/* cniVersions (1.1.0): the highest version both the config and ccni know;
 * otherwise cniVersion. */
const char *rt_choose_version(const struct ccni_conflist *list)
{
	const char *best = NULL;

	if (list->cni_versions) {
		for (char **v = list->cni_versions; *v; v++)
			if (ccni_version_supported(*v) && (!best || ccni_version_cmp(*v, best) > 0))
				best = *v;
		if (list->cni_version && ccni_version_supported(list->cni_version) &&
		    (!best || ccni_version_cmp(list->cni_version, best) > 0))
			best = list->cni_version;
	}
	if (!best)
		best = list->cni_version ? list->cni_version : "";
	return best;
}

/* Plugin objects in DIR/NAME/ (*.conf files, 1.1.0), appended in lexical order. */
static int aggregate(const char *dir, struct ccni_network *net, struct ccni_error *err)
{
	_cleanup_free_ char *sub = util_asprintf("%s/%s", dir, ccni_network_name(net));
	struct dirent **names = NULL;
	int n, rc = 0;

	if (!sub)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	n = scandir(sub, &names, NULL, alphasort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t l = strlen(name);
		_cleanup_free_ char *path = NULL, *data = NULL;
		json_error_t jerr;
		const char *type = NULL;
		json_t *p;
		size_t len;

		if (rc < 0 || l < 6 || !streq(name + l - 5, ".conf") || name[0] == '.')
			continue;
		path = util_asprintf("%s/%s", sub, name);
		data = path ? util_read_file(path, CCNI_CONF_MAX_SIZE, &len, false) : NULL;
		if (!data) {
			rc = path ? util_read_error(err, path, CCNI_CONF_MAX_SIZE) :
				    ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			continue;
		}
		p = json_loadb(data, len, 0, &jerr);
		if (!p) {
			rc = ccni_error_set(err, CCNI_ERR_DECODE, "%s:%d:%d: invalid JSON: %s", path,
					    jerr.line, jerr.column, jerr.text);
			continue;
		}
		if (!json_is_object(p) || ccni_json_require_string(p, "", "type", &type, err) < 0 ||
		    !ccni_plugin_type_valid(type)) {
			if (!ccni_error_is_set(err))
				ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					       "type: invalid plugin type \"%s\"", type ? type : "");
			rc = ccni_error_prefix(err, "%s", path);
			json_decref(p);
			continue;
		}
		json_array_append_new(net->plugins, p);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int network_build(struct ccni_conflist *list, const char *data, size_t len,
			 const char *dir, struct ccni_network **out, struct ccni_error *err)
{
	_cleanup_(ccni_network_freep) struct ccni_network *net = calloc(1, sizeof(*net));

	if (!net) {
		ccni_conflist_free(list);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	net->list = list;
	net->plugins = json_array();
	net->version = strdup(rt_choose_version(list));
	if (!net->plugins || !net->version)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < list->n_plugins; i++)
		json_array_append(net->plugins, list->plugins[i]);
	if (list->single) {
		/* libcni caches a .conf as the list it turns it into. */
		_cleanup_json_ json_t *doc = json_pack("{s:s,s:s,s:[O]}", "name", list->name,
						       "cniVersion",
						       list->cni_version ? list->cni_version : "",
						       "plugins", list->json);

		net->bytes = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		net->len = net->bytes ? strlen(net->bytes) : 0;
	} else {
		net->bytes = malloc(len + 1);
		if (net->bytes) {
			memcpy(net->bytes, data, len);
			net->bytes[len] = '\0';
			net->len = len;
		}
	}
	if (!net->bytes)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (dir && !list->single && !list->load_only_inlined && aggregate(dir, net, err) < 0)
		return -1;
	if (json_array_size(net->plugins) == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: network %s has no plugins (no \"plugins\" and nothing in "
				      "%s/%s/)",
				      list->source ? list->source : "config", list->name,
				      dir ? dir : ".", list->name);
	*out = TAKE_PTR(net);
	return 0;
}

int ccni_network_from_bytes(struct ccni_runtime *rt, const char *data, size_t len,
			    struct ccni_network **out, struct ccni_error *err)
{
	struct ccni_conflist *list = NULL;

	(void)rt;
	if (ccni_conflist_parse(data, len, NULL, &list, err) < 0)
		return -1;
	return network_build(list, data, len, NULL, out, err);
}

int ccni_network_load_file(struct ccni_runtime *rt, const char *path,
			   struct ccni_network **out, struct ccni_error *err)
{
	_cleanup_free_ char *data = NULL, *dir = NULL;
	struct ccni_conflist *list = NULL;
	const char *slash;
	size_t len = 0;

	(void)rt;
	assert(path && out);
	data = util_read_file(path, CCNI_CONF_MAX_SIZE, &len, false);
	if (!data)
		return util_read_error(err, path, CCNI_CONF_MAX_SIZE);
	if (ccni_conflist_parse(data, len, path, &list, err) < 0)
		return -1;
	slash = strrchr(path, '/');
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	return network_build(list, data, len, dir, out, err);
}

static bool has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && streq(name + n - e, ext);
}

/* Is fn a config file of this pass? libcni's order: every .conflist
 * first, then .conf/.json. Without a name there is one pass over all. */
static bool pass_matches(const char *fn, const char *name, size_t pass)
{
	static const char *const exts[][2] = { { ".conflist", NULL }, { ".conf", ".json" } };

	if (fn[0] == '.')
		return false;
	if (!name)
		return has_ext(fn, ".conflist") || has_ext(fn, ".conf") || has_ext(fn, ".json");
	return has_ext(fn, exts[pass][0]) || (exts[pass][1] && has_ext(fn, exts[pass][1]));
}

/* Load conf_dir/fn when it is the network asked for (any, without a
 * name). A file that does not load is skipped; the first reason is kept. */
static struct ccni_network *try_file(struct ccni_runtime *rt, const char *fn, const char *name,
				     struct ccni_error *first)
{
	_cleanup_free_ char *path = util_asprintf("%s/%s", rt->conf_dir, fn);
	struct ccni_network *net = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (!path)
		return NULL;
	if (ccni_network_load_file(rt, path, &net, &e) < 0) {
		rt_trace(rt, "load", "skipped %s: %s", path, e.msg);
		if (!ccni_error_is_set(first))
			ccni_error_move(first, &e);
		ccni_error_clear(&e);
		return NULL;
	}
	if (name && !streq(ccni_network_name(net), name)) {
		ccni_network_free(net);
		return NULL;
	}
	rt_trace(rt, "load", "network %s from %s, version %s, %zu plugins", ccni_network_name(net),
		 path, ccni_network_version(net), ccni_network_n_plugins(net));
	return net;
}

static int not_found(struct ccni_runtime *rt, const char *name, struct ccni_error *first,
		     struct ccni_error *err)
{
	if (!name && ccni_error_is_set(first))
		ccni_error_move(err, first);
	else if (ccni_error_is_set(first))
		ccni_error_set(err, CCNI_ERR_NOT_FOUND,
			       "no network named \"%s\" in %s (a file was skipped: %s)", name,
			       rt->conf_dir, first->msg);
	else
		ccni_error_set(err, CCNI_ERR_NOT_FOUND, "no network %s%s%s in %s",
			       name ? "named \"" : "configuration", name ? name : "", name ? "\"" : "",
			       rt->conf_dir);
	return -1;
}

int ccni_network_load(struct ccni_runtime *rt, const char *name, struct ccni_network **out,
		      struct ccni_error *err)
{
	struct dirent **names = NULL;
	struct ccni_error first = CCNI_ERROR_INIT;
	struct ccni_network *net = NULL;
	int n;

	assert(rt && out);
	if (name && !ccni_name_valid(name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "network name \"%.64s\" is not valid (letters, digits, '_', '.', "
				      "'-')",
				      name);
	n = scandir(rt->conf_dir, &names, NULL, alphasort);
	if (n < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "conf dir %s: cannot list",
					rt->conf_dir);
	rt_trace(rt, "load", "%s has %d entries, looking for %s", rt->conf_dir, n,
		 name ? name : "the default network");
	for (size_t pass = 0; pass < (name ? 2u : 1u) && !net; pass++)
		for (int i = 0; i < n && !net; i++)
			if (pass_matches(names[i]->d_name, name, pass))
				net = try_file(rt, names[i]->d_name, name, &first);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!net)
		not_found(rt, name, &first, err);
	ccni_error_clear(&first);
	*out = net;
	return net ? 0 : -1;
}
