/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.c — libcni's counterpart: conf dir loading with version selection
 * and 1.1.0 aggregation, plugin execution with a deadline, ADD/CHECK/DEL
 * chains with prevResult, STATUS, GC, and VERSION probing with a memo.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"
#include "lib/runtime/internal.h"

extern char **environ;

#define PLUGIN_OUT_MAX (4 * 1024 * 1024)
#define PLUGIN_ERR_MAX (64 * 1024)
#define ENV_MAX 512

void rt_trace(struct ccni_runtime *rt, const char *fmt, ...)
{
	char line[1024];
	int n;
	va_list ap;

	if (!rt->trace)
		return;
	n = snprintf(line, sizeof(line), "+%.3fms ",
		     (double)(util_now_ns() - rt->t0) / 1e6);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (rt->trace_fn)
		rt->trace_fn(rt->trace_data, line);
	else
		fprintf(stderr, "ccni: trace: %s\n", line);
}

int ccni_runtime_new(const struct ccni_runtime_opts *opts, struct ccni_runtime **out,
		     struct ccni_error *err)
{
	struct ccni_runtime *rt = calloc(1, sizeof(*rt));
	const char *t = getenv("CCNI_TRACE");

	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rt->plugin_path = strdup(opts && opts->plugin_path ? opts->plugin_path : "/opt/cni/bin");
	rt->conf_dir = strdup(opts && opts->conf_dir ? opts->conf_dir : CCNI_DEFAULT_CONF_DIR);
	rt->cache_dir = strdup(opts && opts->cache_dir ? opts->cache_dir : CCNI_DEFAULT_CACHE_DIR);
	rt->timeout_ms = opts ? opts->timeout_ms : 0;
	rt->trace = (opts && opts->trace) || (t && (streq(t, "1") || streq(t, "true")));
	rt->trace_fn = opts ? opts->trace_fn : NULL;
	rt->trace_data = opts ? opts->trace_data : NULL;
	rt->t0 = util_now_ns();
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

/* --- networks ----------------------------------------------------------- */

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
DEFINE_CLEANUP(struct ccni_network *, ccni_network_free)

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
			rc = ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot read", path);
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
	data = util_read_file(path, CCNI_CONF_MAX_SIZE, &len, false);
	if (!data)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot read", path);
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

int ccni_network_load(struct ccni_runtime *rt, const char *name, struct ccni_network **out,
		      struct ccni_error *err)
{
	static const char *const exts[][2] = { { ".conflist", NULL }, { ".conf", ".json" } };
	struct dirent **names = NULL;
	struct ccni_error first = CCNI_ERROR_INIT;
	int n, rc = -1;
	bool found = false;

	if (name && !ccni_name_valid(name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "network name \"%.64s\" is not valid (letters, digits, '_', '.', "
				      "'-')",
				      name);
	n = scandir(rt->conf_dir, &names, NULL, alphasort);
	if (n < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "conf dir %s: cannot list",
					rt->conf_dir);
	rt_trace(rt, "load: %s has %d entries, looking for %s", rt->conf_dir, n,
		 name ? name : "the default network");
	/* libcni's order: every .conflist first, then .conf/.json. Without a
	 * name, the first valid file in lexical order wins. */
	for (size_t pass = 0; pass < (name ? 2u : 1u) && !found; pass++) {
		for (int i = 0; i < n && !found; i++) {
			const char *fn = names[i]->d_name;
			_cleanup_free_ char *path = NULL;
			struct ccni_network *net = NULL;
			struct ccni_error e = CCNI_ERROR_INIT;
			bool match;

			if (name)
				match = has_ext(fn, exts[pass][0]) ||
					(exts[pass][1] && has_ext(fn, exts[pass][1]));
			else
				match = has_ext(fn, ".conflist") || has_ext(fn, ".conf") ||
					has_ext(fn, ".json");
			if (!match || fn[0] == '.')
				continue;
			path = util_asprintf("%s/%s", rt->conf_dir, fn);
			if (!path)
				continue;
			if (ccni_network_load_file(rt, path, &net, &e) < 0) {
				rt_trace(rt, "load: skipped %s: %s", path, e.msg);
				if (!ccni_error_is_set(&first))
					ccni_error_move(&first, &e);
				ccni_error_clear(&e);
				continue;
			}
			if (name && !streq(ccni_network_name(net), name)) {
				ccni_network_free(net);
				continue;
			}
			rt_trace(rt, "load: network %s from %s, version %s, %zu plugins",
				 ccni_network_name(net), path, ccni_network_version(net),
				 ccni_network_n_plugins(net));
			*out = net;
			found = true;
			rc = 0;
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!found) {
		if (!name && ccni_error_is_set(&first))
			ccni_error_move(err, &first);
		else if (ccni_error_is_set(&first))
			ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				       "no network named \"%s\" in %s (a file was skipped: %s)", name,
				       rt->conf_dir, first.msg);
		else
			ccni_error_set(err, CCNI_ERR_NOT_FOUND, "no network %s%s%s in %s",
				       name ? "named \"" : "configuration", name ? name : "",
				       name ? "\"" : "", rt->conf_dir);
	}
	ccni_error_clear(&first);
	return rc;
}

/* --- running plugins ------------------------------------------------------ */

struct run {
	const char *type;
	enum ccni_command cmd;
	const struct ccni_attachment *att;
	const char *stdin_text;
};

static int build_env(struct ccni_runtime *rt, const struct run *r, char **env, char **own,
		     size_t *n_own)
{
	const struct ccni_attachment *a = r->att;
	size_t n = 0;
	char *v;

	*n_own = 0;
#define PUT(...)                                         \
	do {                                             \
		v = util_asprintf(__VA_ARGS__);          \
		if (!v)                                  \
			return -1;                       \
		own[(*n_own)++] = v;                     \
		env[n++] = v;                            \
	} while (0)
	PUT("CNI_COMMAND=%s", ccni_command_name(r->cmd));
	if (a && a->container_id)
		PUT("CNI_CONTAINERID=%s", a->container_id);
	if (a && a->netns)
		PUT("CNI_NETNS=%s", a->netns);
	if (a)
		PUT("CNI_IFNAME=%s", a->ifname ? a->ifname : "eth0");
	if (a && a->args && *a->args)
		PUT("CNI_ARGS=%s", a->args);
	PUT("CNI_PATH=%s", rt->plugin_path);
#undef PUT
	for (char **e = environ; e && *e && n < ENV_MAX; e++)
		if (strncmp(*e, "CNI_", 4) != 0)
			env[n++] = *e;
	env[n] = NULL;
	return 0;
}

/* Run one plugin; *out gets its stdout parsed (success only; may be NULL
 * for verbs without output). */
static int run_plugin(struct ccni_runtime *rt, const struct run *r, json_t **out,
		      struct ccni_error *err)
{
	_cleanup_free_ char *exe = NULL;
	char *env[ENV_MAX + 8], *own[8];
	char *argv[2] = { (char *)r->type, NULL };
	struct util_spawn s = { 0 };
	struct util_spawn_result res;
	size_t n_own = 0;
	unsigned long long t;
	json_t *j = NULL;
	json_error_t jerr;
	char how[96];
	int rc = -1;

	if (out)
		*out = NULL;
	exe = ccni_find_in_path(r->type, rt->plugin_path, err);
	if (!exe)
		return -1;
	if (build_env(rt, r, env, own, &n_own) < 0) {
		for (size_t i = 0; i < n_own; i++)
			free(own[i]);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	s.path = exe;
	s.argv = argv;
	s.envp = env;
	s.in = r->stdin_text;
	s.in_len = r->stdin_text ? strlen(r->stdin_text) : 0;
	s.out_max = PLUGIN_OUT_MAX;
	s.err_max = PLUGIN_ERR_MAX;
	s.timeout_ms = rt->timeout_ms;
	t = util_now_ns();
	rc = util_spawn_run(&s, &res);
	for (size_t i = 0; i < n_own; i++)
		free(own[i]);
	if (rc < 0)
		return ccni_error_errno(err, CCNI_ERR_EXEC, errno, "plugin \"%s\": cannot run %s",
					r->type, exe);
	rc = -1;
	rt_trace(rt, "exec: %s %s %s in %.3f ms (max rss %ld KiB)", exe, ccni_command_name(r->cmd),
		 util_spawn_describe(res.status, how, sizeof(how)),
		 (double)(util_now_ns() - t) / 1e6, res.usage.ru_maxrss);
	if (res.err_len && !rt->trace)
		fputs(res.err, stderr);
	else if (res.err_len)
		rt_trace(rt, "exec: %s stderr: %.2000s", r->type, res.err);

	if (res.timed_out) {
		ccni_error_set(err, CCNI_ERR_TIMEOUT, "plugin \"%s\" %s timed out after %d ms and was "
			       "killed", r->type, ccni_command_name(r->cmd), rt->timeout_ms);
		goto done;
	}
	if (res.out_len)
		j = json_loadb(res.out, res.out_len, 0, &jerr);
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
		struct ccni_error e = CCNI_ERROR_INIT;

		if (WIFEXITED(res.status) && j && ccni_error_from_json(j, &e) == 0) {
			ccni_error_move(err, &e);
			ccni_error_prefix(err, "plugin \"%s\" %s", r->type, ccni_command_name(r->cmd));
		} else {
			ccni_error_set(err, CCNI_ERR_EXEC, "plugin \"%s\" %s %s%s", r->type,
				       ccni_command_name(r->cmd),
				       util_spawn_describe(res.status, how, sizeof(how)),
				       res.out_truncated ? " (output too large)" : "");
		}
		if (res.err_len && !err->details)
			ccni_error_set_details(err, "stderr: %.4000s", res.err);
		goto done;
	}
	if (res.out_len && !j) {
		ccni_error_set(err, CCNI_ERR_DECODE, "plugin \"%s\" %s: output is not JSON: %s",
			       r->type, ccni_command_name(r->cmd), jerr.text);
		goto done;
	}
	if (out)
		*out = TAKE_PTR(j);
	rc = 0;
done:
	json_decref(j);
	util_spawn_result_free(&res);
	return rc;
}

/* The config a plugin gets: its object with name, cniVersion, prevResult,
 * runtimeConfig (capabilities it declares and the caller gave). */
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

static int check_att(const struct ccni_attachment *att, struct ccni_error *err)
{
	if (!att || !att->container_id || !ccni_container_id_valid(att->container_id))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "invalid container id \"%s\"",
				      att && att->container_id ? att->container_id : "");
	if (att->ifname && !ccni_ifname_valid(att->ifname))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "invalid interface name \"%s\"",
				      att->ifname);
	return 0;
}

static const char *plugin_type(json_t *p)
{
	return json_string_value(json_object_get(p, "type"));
}

int ccni_add(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, json_t **result, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	unsigned long long t = util_now_ns();

	if (result)
		*result = NULL;
	if (check_att(att, err) < 0)
		return -1;
	a = *att;
	if (!a.ifname)
		a.ifname = "eth0";
	lock = cache_lock(rt, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		json_t *p = ccni_network_plugin(net, i);
		_cleanup_free_ char *in = rt_plugin_config(net, p, prev, &a, NULL);
		struct run r = { plugin_type(p), CCNI_CMD_ADD, &a, in };
		json_t *res = NULL;
		struct ccni_result *model = NULL;

		if (!in)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (run_plugin(rt, &r, &res, err) < 0)
			return -1;
		if (!res || ccni_result_decode(res, net->version, &model, err) < 0) {
			if (!res)
				ccni_error_set(err, CCNI_ERR_DECODE, "plugin \"%s\" ADD: no result",
					       r.type);
			else
				ccni_error_prefix(err, "plugin \"%s\" ADD result", r.type);
			json_decref(res);
			return -1;
		}
		ccni_result_free(model);
		json_decref(prev);
		prev = res;
	}
	if (cache_write(rt, net, &a, prev, err) < 0)
		return -1;
	rt_trace(rt, "add: %s %s %s done in %.3f ms", ccni_network_name(net), a.container_id,
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
	if (cache_read(rt, ccni_network_name(net), a->container_id, a->ifname, &entry, &e) < 0) {
		rt_trace(rt, "cache: %s; going on without prevResult", e.msg);
		ccni_error_clear(&e);
		*corrupt = true;
		return NULL;
	}
	r = json_object_get(entry, "result");
	return json_is_object(r) ? json_incref(r) : NULL;
}

int ccni_del(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	bool corrupt;

	if (check_att(att, err) < 0)
		return -1;
	a = *att;
	if (!a.ifname)
		a.ifname = "eth0";
	lock = cache_lock(rt, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	if (ccni_version_ge(net->version, "0.4.0")) {
		prev = cached_result(rt, net, &a, &corrupt);
		rt_trace(rt, "del: %s", prev ? "using the cached result as prevResult" :
					corrupt ? "cache entry unreadable, no prevResult" :
						  "no cached result");
	}
	for (size_t i = ccni_network_n_plugins(net); i-- > 0;) {
		json_t *p = ccni_network_plugin(net, i);
		_cleanup_free_ char *in = rt_plugin_config(net, p, prev, &a, NULL);
		struct run r = { plugin_type(p), CCNI_CMD_DEL, &a, in };

		if (!in)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (run_plugin(rt, &r, NULL, err) < 0)
			return -1;
	}
	cache_remove(rt, ccni_network_name(net), a.container_id, a.ifname);
	return 0;
}

int ccni_check(struct ccni_runtime *rt, const struct ccni_network *net,
	       const struct ccni_attachment *att, struct ccni_error *err)
{
	_cleanup_json_ json_t *prev = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_attachment a;
	bool corrupt;

	if (check_att(att, err) < 0)
		return -1;
	if (!ccni_version_ge(net->version, "0.4.0"))
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "network %s: configuration version \"%s\" does not support CHECK "
				      "(0.4.0 or later)",
				      ccni_network_name(net), net->version);
	if (net->list->disable_check) {
		rt_trace(rt, "check: disabled by disableCheck");
		return 0;
	}
	a = *att;
	if (!a.ifname)
		a.ifname = "eth0";
	lock = cache_lock(rt, ccni_network_name(net), false, err);
	if (lock < 0)
		return -1;
	prev = cached_result(rt, net, &a, &corrupt);
	if (!prev)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "network %s: no cached result for container %s ifname %s%s",
				      ccni_network_name(net), a.container_id, a.ifname,
				      corrupt ? " (the cache entry is unreadable)" : "");
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		json_t *p = ccni_network_plugin(net, i);
		_cleanup_free_ char *in = rt_plugin_config(net, p, prev, &a, NULL);
		struct run r = { plugin_type(p), CCNI_CMD_CHECK, &a, in };

		if (!in)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (run_plugin(rt, &r, NULL, err) < 0)
			return -1;
	}
	return 0;
}

int ccni_status(struct ccni_runtime *rt, const struct ccni_network *net,
		struct ccni_error *err)
{
	if (!ccni_version_ge(net->version, "1.1.0")) {
		rt_trace(rt, "status: version %s has no STATUS; reporting ready", net->version);
		return 0;
	}
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		json_t *p = ccni_network_plugin(net, i);
		_cleanup_free_ char *in = rt_plugin_config(net, p, NULL, NULL, NULL);
		struct run r = { plugin_type(p), CCNI_CMD_STATUS, NULL, in };

		if (!in)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (run_plugin(rt, &r, NULL, err) < 0)
			return -1;
	}
	return 0;
}

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

int ccni_gc(struct ccni_runtime *rt, const struct ccni_network *net, json_t *valid,
	    struct ccni_error *err)
{
	_cleanup_json_ json_t *entries = NULL;
	_cleanup_json_ json_t *extra = NULL;
	_cleanup_close_ int lock = -1;
	struct ccni_error first = CCNI_ERROR_INIT;
	size_t i;
	json_t *e;

	if (net->list->disable_gc) {
		rt_trace(rt, "gc: disabled by disableGC");
		return 0;
	}
	if (valid && !json_is_array(valid))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "valid attachments: expected an array");
	if (ccni_cache_list(rt, ccni_network_name(net), &entries, err) < 0)
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
		json_t *pairs = json_object_get(e, "cniArgs"), *pair;
		size_t k;

		if (!a.container_id || !a.ifname)
			continue;
		if (valid && is_valid(valid, a.container_id, a.ifname))
			continue;
		json_array_foreach(pairs, k, pair) {
			char *n = util_asprintf("%s%s%s=%s", args ? args : "", args ? ";" : "",
						json_string_value(json_array_get(pair, 0)),
						json_string_value(json_array_get(pair, 1)));
			free(args);
			args = n;
		}
		a.args = args;
		rt_trace(rt, "gc: deleting stale attachment %s %s", a.container_id, a.ifname);
		if (ccni_del(rt, net, &a, &de) < 0) {
			if (!ccni_error_is_set(&first))
				ccni_error_move(&first, &de);
			ccni_error_clear(&de);
		}
	}
	lock = cache_lock(rt, ccni_network_name(net), true, err);
	if (lock < 0)
		return -1;
	if (ccni_version_ge(net->version, "1.1.0")) {
		if (valid)
			extra = json_pack("{s:O,s:O}", "cni.dev/valid-attachments", valid,
					  "cni.dev/attachments", valid);
		for (i = 0; i < ccni_network_n_plugins(net); i++) {
			json_t *p = ccni_network_plugin(net, i);
			_cleanup_free_ char *in = rt_plugin_config(net, p, NULL, NULL, extra);
			struct run r = { plugin_type(p), CCNI_CMD_GC, NULL, in };
			struct ccni_error pe = CCNI_ERROR_INIT;

			if (!in)
				return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			if (run_plugin(rt, &r, NULL, &pe) < 0) {
				if (!ccni_error_is_set(&first))
					ccni_error_move(&first, &pe);
				ccni_error_clear(&pe);
			}
		}
	}
	if (ccni_error_is_set(&first)) {
		ccni_error_move(err, &first);
		return -1;
	}
	return 0;
}

int ccni_plugin_info(struct ccni_runtime *rt, const char *type, json_t **info,
		     struct ccni_error *err)
{
	_cleanup_free_ char *exe = ccni_find_in_path(type, rt->plugin_path, err);
	struct run r = { type, CCNI_CMD_VERSION, NULL, "{\"cniVersion\":\"" CCNI_SPEC_VERSION "\"}" };
	json_t *j = NULL;

	if (!exe)
		return -1;
	pthread_mutex_lock(&rt->lock);
	for (struct memo *m = rt->memo; m; m = m->next)
		if (streq(m->path, exe)) {
			*info = json_incref(m->info);
			pthread_mutex_unlock(&rt->lock);
			return 0;
		}
	pthread_mutex_unlock(&rt->lock);
	if (run_plugin(rt, &r, &j, err) < 0)
		return -1;
	if (!json_is_array(json_object_get(j, "supportedVersions"))) {
		json_decref(j);
		return ccni_error_set(err, CCNI_ERR_DECODE,
				      "plugin \"%s\" VERSION: no \"supportedVersions\" array", type);
	}
	pthread_mutex_lock(&rt->lock);
	{
		struct memo *m = calloc(1, sizeof(*m));

		if (m && (m->path = strdup(exe))) {
			m->info = json_incref(j);
			m->next = rt->memo;
			rt->memo = m;
		} else {
			free(m);
		}
	}
	pthread_mutex_unlock(&rt->lock);
	*info = j;
	return 0;
}
