/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-plugin.c — one plugin object of a network: its type (and its
 * IPAM type) found in CNI_PATH and supporting the network's version (asked
 * with VERSION), then, for ccni's own plugins, the plugin's own config
 * parser on the config as the runtime would send it (the binary run with
 * --ccni-validate), each problem it reports mapped back to the key at
 * fault and its FILE:LINE:COL. A plugin not ccni's answers VERSION to that
 * run and is checked by VERSION only. No rule of any plugin is here.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/distance.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"
#include "tools/ccni/locate.h"
#include "tools/ccni/validate.h"

#define VALIDATE_OUT_MAX (1024 * 1024)
#define VALIDATE_TIMEOUT_MS 10000

DEFINE_CLEANUP(DIR *, closedir)

static void join(char *out, size_t len, const char *prefix, const char *key)
{
	snprintf(out, len, "%s%s%s", prefix, *prefix && *key && *key != '[' ? "." : "", key);
}

/* A plugin type in CNI_PATH close to the one not found. */
static void suggest_type(const struct vctx *v, const char *type, char *out, size_t len)
{
	_cleanup_free_ char *path = strdup(v->plugin_path);
	size_t best = 99;
	char *save = NULL;

	out[0] = '\0';
	for (char *d = path ? strtok_r(path, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_(closedirp) DIR *dir = opendir(d);
		struct dirent *e;

		while (dir && (e = readdir(dir))) {
			size_t dist = util_distance(type, e->d_name);

			if (e->d_name[0] != '.' && util_close(type, e->d_name) && dist < best &&
			    strlen(e->d_name) < len) {
				best = dist;
				memcpy(out, e->d_name, strlen(e->d_name) + 1);
			}
		}
	}
}

/* The binary of type is there and supports version; else reported at key. */
static bool version_ok(struct vctx *v, const struct vdoc *d, const char *key, const char *type,
		       const char *version)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *info = NULL;
	json_t *sv;
	size_t i;

	if (ccni_plugin_info(v->rt, type, &info, &e) < 0) {
		char close[64];

		suggest_type(v, type, close, sizeof(close));
		if (*close)
			vreport(v, d, true, key, "%s: %s (did you mean \"%s\"?)", key, e.msg, close);
		else
			vreport(v, d, true, key, "%s: %s", key, e.msg);
		ccni_error_clear(&e);
		return false;
	}
	if (!version || !*version)
		return true;
	json_array_foreach(json_object_get(info, "supportedVersions"), i, sv)
		if (json_is_string(sv) && streq(json_string_value(sv), version))
			return true;
	vreport(v, d, true, key, "%s: plugin \"%s\" does not support cniVersion %s", key, type,
		version);
	return false;
}

/* Run type's binary in validation mode on config: its answer when it is
 * one of ccni's ({"problems", "facts", "validated"}), else NULL. */
static json_t *run_validation(const struct vctx *v, const char *type, const char *config)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	_cleanup_free_ char *exe = ccni_find_in_path(type, v->plugin_path, &e);
	_cleanup_free_ char *path_env = util_asprintf("CNI_PATH=%s", v->plugin_path);
	char *argv[] = { (char *)type, CCNI_VALIDATE_ARG, NULL };
	char *envp[] = { "CNI_COMMAND=VERSION", path_env, NULL };
	struct util_spawn s = { .argv = argv, .envp = envp, .in = config, .in_len = strlen(config),
				.out_max = VALIDATE_OUT_MAX, .err_max = 4096,
				.timeout_ms = v->c->timeout_ms > 0 ? v->c->timeout_ms :
								     VALIDATE_TIMEOUT_MS };
	struct util_spawn_result r = { 0 };
	json_t *out = NULL;

	ccni_error_clear(&e);
	if (!exe || !path_env)
		return NULL;
	s.path = exe;
	if (util_spawn_run(&s, &r) == 0 && r.out_len)
		out = json_loadb(r.out, r.out_len, 0, NULL);
	util_spawn_result_free(&r);
	if (out && !json_is_array(json_object_get(out, "problems"))) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

static bool key_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./[]", s[i]))
			return false;
	return n > 0;
}

/* Is key a member of obj, or a missing member of one (the parser says
 * "ipam.subnet: missing"), or something the runtime adds? */
static bool names_member(json_t *obj, const char *key)
{
	char parent[256];
	char *cut;

	if (!strncmp(key, "runtimeConfig", 13) || !strncmp(key, "args", 4) || json_path_get(obj, key))
		return true;
	snprintf(parent, sizeof(parent), "%s", key);
	cut = strrchr(parent, '.');
	if (!cut || cut < strrchr(parent, '['))
		cut = strrchr(parent, '[');
	if (!cut) /* a key of the plugin object itself */
		return true;
	*cut = '\0';
	return json_path_get(obj, parent) != NULL;
}

/* The first ": "-separated segment of msg that is a key of obj. */
static bool find_key(const char *msg, json_t *obj, size_t *off, size_t *len)
{
	for (size_t o = 0;;) {
		const char *end = strstr(msg + o, ": ");
		size_t n = end ? (size_t)(end - (msg + o)) : 0;
		char key[256];

		if (!end)
			return false;
		if (n < sizeof(key) && key_chars(msg + o, n)) {
			memcpy(key, msg + o, n);
			key[n] = '\0';
			if (names_member(obj, key)) {
				*off = o;
				*len = n;
				return true;
			}
		}
		o += n + 2;
	}
}

/* A problem the plugin reported, its key made a path in the document and
 * put first: "invalid VLAN ID: vlan: 5000 ..." becomes
 * "plugins[0].vlan: invalid VLAN ID: 5000 ...". A key the runtime adds
 * (runtimeConfig.X, from CAP_ARGS) points at capabilities.X. */
static void map_problem(struct vctx *v, const struct vdoc *d, const char *prefix, json_t *obj,
			json_t *p)
{
	const char *msg = json_string_value(json_object_get(p, "message"));
	bool error = !streq(json_string_value(json_object_get(p, "severity")) ?: "", "warning");
	char key[300], where[300], rel[256];
	size_t off, len;

	if (!msg)
		return;
	if (!find_key(msg, obj, &off, &len)) {
		vreport(v, d, error, prefix, "%s%s%s", prefix, *prefix ? ": " : "", msg);
		return;
	}
	snprintf(rel, sizeof(rel), "%.*s", (int)len, msg + off);
	join(key, sizeof(key), prefix, rel);
	snprintf(where, sizeof(where), "%s", key);
	if (!strncmp(rel, "runtimeConfig.", 14)) {
		char cap[128];

		snprintf(cap, sizeof(cap), "capabilities.%.*s", (int)strcspn(rel + 14, ".["), rel + 14);
		join(where, sizeof(where), prefix, cap);
	}
	vreport(v, d, error, where, "%s: %.*s%s%s", key, (int)off, msg, msg + off + len + 2,
		strcmp(where, key) ? " (given by CAP_ARGS)" : "");
}

static bool plugin_type_ok(struct vctx *v, const struct vdoc *d, const char *prefix, json_t *obj,
			   const char **type)
{
	char key[300];
	json_t *caps = json_object_get(obj, "capabilities");

	*type = json_string_value(json_object_get(obj, "type"));
	join(key, sizeof(key), prefix, "type");
	if (!json_is_object(obj)) {
		vreport(v, d, true, prefix, "%s: expected a plugin object", *prefix ? prefix : "config");
		return false;
	}
	if (!*type) {
		vreport(v, d, true, prefix, "%s: missing \"type\"", *prefix ? prefix : "config");
		return false;
	}
	if (!ccni_plugin_type_valid(*type)) {
		vreport(v, d, true, key, "%s: invalid plugin type \"%s\"", key, *type);
		return false;
	}
	if (caps && !json_is_object(caps)) {
		join(key, sizeof(key), prefix, "capabilities");
		vreport(v, d, true, key, "%s: expected an object of booleans", key);
	}
	return true;
}

void validate_plugin(struct vctx *v, const struct vdoc *d, const char *prefix, json_t *obj,
		     const struct ccni_network *net, json_t **facts)
{
	const char *version = net ? ccni_network_version(net) : NULL, *type, *ipam_type;
	struct ccni_attachment att = { .capability_args = v->cap_args };
	_cleanup_json_ json_t *out = NULL;
	_cleanup_free_ char *config = NULL;
	char key[300];
	bool ok;
	size_t i;
	json_t *p;

	*facts = NULL;
	if (!plugin_type_ok(v, d, prefix, obj, &type))
		return;
	join(key, sizeof(key), prefix, "type");
	ok = version_ok(v, d, key, type, version);
	ipam_type = json_string_value(json_object_get(json_object_get(obj, "ipam"), "type"));
	if (ipam_type && *ipam_type && ccni_plugin_type_valid(ipam_type)) {
		join(key, sizeof(key), prefix, "ipam.type");
		version_ok(v, d, key, ipam_type, version); /* the main plugin is still checked */
	}
	if (!ok || !net || !(config = ccni_network_plugin_config(net, obj, &att)))
		return;
	out = run_validation(v, type, config);
	json_array_foreach(json_object_get(out, "problems"), i, p)
		map_problem(v, d, prefix, obj, p);
	if (json_is_true(json_object_get(out, "validated")))
		*facts = json_incref(json_object_get(out, "facts"));
}
