/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c — network configuration documents (SPEC.md section 1). A document
 * with a "plugins" key, or without a "type", is a list; otherwise it is a
 * single-plugin .conf and becomes a one-plugin list. The jansson objects are
 * kept as they were, so unknown keys travel on unchanged and in order.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"

void ccni_conflist_free(struct ccni_conflist *list)
{
	if (!list)
		return;
	if (list->cni_versions)
		for (char **v = list->cni_versions; *v; v++)
			free(*v);
	free(list->cni_versions);
	free(list->plugins);
	free(list->source);
	json_decref(list->json);
	free(list);
}

/* A bool that may also be written as a string, as libcni accepts. */
static int get_flag(json_t *obj, const char *src, const char *key, bool *out,
		    struct ccni_error *err)
{
	json_t *v = json_object_get(obj, key);
	char b[72];

	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (!strcasecmp(s, "true") || streq(s, "1") || streq(s, "t")) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, "false") || streq(s, "0") || streq(s, "f")) {
			*out = false;
			return 0;
		}
	}
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: %s: expected true or false, got %s",
			      src, key, ccni_json_brief(v, b, sizeof(b)));
}

static int check_plugin(json_t *p, const char *src, size_t i, bool single,
			struct ccni_error *err)
{
	char where[32] = "";
	const char *type = NULL;
	char b[72];

	if (!single)
		snprintf(where, sizeof(where), "plugins[%zu]", i);
	if (!json_is_object(p))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: %s: expected an object, got %s",
				      src, where, ccni_json_brief(p, b, sizeof(b)));
	if (ccni_json_require_string(p, where, "type", &type, err) < 0)
		return ccni_error_prefix(err, "%s", src);
	if (!ccni_plugin_type_valid(type))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: %s%stype: invalid plugin type \"%s\" (a file name: no '/', "
				      "'\\\\', \".\" or \"..\")",
				      src, where, *where ? "." : "", type);
	return 0;
}

int ccni_conflist_parse(const char *data, size_t len, const char *source,
			struct ccni_conflist **out, struct ccni_error *err)
{
	_cleanup_(ccni_conflist_freep) struct ccni_conflist *list = NULL;
	const char *src = source ? source : "config";
	json_error_t jerr;
	json_t *v, *plugins;
	char b[72];

	if (len > CCNI_CONF_MAX_SIZE)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: %zu bytes is larger than the limit of %d bytes (%d MiB)", src,
				      len, CCNI_CONF_MAX_SIZE, CCNI_CONF_MAX_SIZE >> 20);
	list = calloc(1, sizeof(*list));
	if (!list)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (source && !(list->source = strdup(source)))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	list->json = json_loadb(data, len, 0, &jerr);
	if (!list->json)
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s:%d:%d: invalid JSON: %s", src,
				      jerr.line, jerr.column, jerr.text);
	if (!json_is_object(list->json))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: expected a JSON object, got %s", src,
				      ccni_json_brief(list->json, b, sizeof(b)));

	if (ccni_json_get_string(list->json, "", "cniVersion", &list->cni_version, err) < 0 ||
	    ccni_json_get_string(list->json, "", "name", &list->name, err) < 0)
		return ccni_error_prefix(err, "%s", src);

	v = json_object_get(list->json, "cniVersions");
	if (v && !json_is_null(v)) {
		size_t i, n;
		json_t *e;

		if (!json_is_array(v) || json_array_size(v) > 32)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: cniVersions: expected an array of at most 32 "
					      "versions, got %s",
					      src, ccni_json_brief(v, b, sizeof(b)));
		n = json_array_size(v);
		list->cni_versions = calloc(n + 1, sizeof(char *));
		if (!list->cni_versions)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "%s: cniVersions[%zu]: expected a string, got %s",
						      src, i, ccni_json_brief(e, b, sizeof(b)));
			if (!(list->cni_versions[i] = strdup(json_string_value(e))))
				return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		}
	}

	if (get_flag(list->json, src, "disableCheck", &list->disable_check, err) < 0 ||
	    get_flag(list->json, src, "disableGC", &list->disable_gc, err) < 0 ||
	    get_flag(list->json, src, "loadOnlyInlinedPlugins", &list->load_only_inlined, err) < 0)
		return -1;

	plugins = json_object_get(list->json, "plugins");
	list->single = !plugins && json_object_get(list->json, "type");

	if (!list->name)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: name: missing", src);
	if (!ccni_name_valid(list->name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: name: invalid network name \"%s\" (letters, digits, "
				      "'_', '.', '-'; starting with a letter or digit)",
				      src, list->name);

	if (list->single) {
		if (check_plugin(list->json, src, 0, true, err) < 0)
			return -1;
		list->plugins = calloc(1, sizeof(json_t *));
		if (!list->plugins)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		list->plugins[0] = list->json;
		list->n_plugins = 1;
	} else if (plugins) {
		size_t i;
		json_t *p;

		if (!json_is_array(plugins))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: plugins: expected an array, got %s", src,
					      ccni_json_brief(plugins, b, sizeof(b)));
		if (json_array_size(plugins) == 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: plugins: the list is empty", src);
		if (json_array_size(plugins) > CCNI_CONF_MAX_PLUGINS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: plugins: %zu plugins, more than the limit of %d",
					      src, json_array_size(plugins), CCNI_CONF_MAX_PLUGINS);
		list->plugins = calloc(json_array_size(plugins), sizeof(json_t *));
		if (!list->plugins)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		json_array_foreach(plugins, i, p) {
			if (check_plugin(p, src, i, false, err) < 0)
				return -1;
			list->plugins[list->n_plugins++] = p;
		}
	} else if (list->load_only_inlined) {
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: loadOnlyInlinedPlugins is true but there is no \"plugins\" "
				      "key",
				      src);
	}
	*out = TAKE_PTR(list);
	return 0;
}

int ccni_conflist_load_file(const char *path, struct ccni_conflist **out,
			    struct ccni_error *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;

	data = util_read_file(path, CCNI_CONF_MAX_SIZE, &len, false);
	if (!data)
		return util_read_error(err, path, CCNI_CONF_MAX_SIZE);
	return ccni_conflist_parse(data, len, path, out, err);
}
