/* SPDX-License-Identifier: Apache-2.0 */
/* commands.c — ccni's own commands: list, validate, version, show. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ccni/ccni.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/cli.h"
#include "tools/ccni/locate.h"


static bool conf_name(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	return (l > 9 && streq(n + l - 9, ".conflist")) || (l > 5 && streq(n + l - 5, ".conf")) ||
	       (l > 5 && streq(n + l - 5, ".json"));
}

static json_t *plugin_types(const struct ccni_network *net)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ccni_network_n_plugins(net); i++)
		json_array_append(a, json_object_get(ccni_network_plugin(net, i), "type"));
	return a;
}

int cli_list(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *out = json_array();
	const char *dir = getenv("NETCONFPATH");
	struct dirent **names = NULL;
	int n;

	(void)cmd;
	(void)argc;
	(void)argv;
	if (!dir || !*dir)
		dir = CCNI_DEFAULT_CONF_DIR;
	if (cli_runtime(c, &rt, &err) < 0)
		return cli_fail(c, &err);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "conf dir %s: cannot list", dir);
		return cli_fail(c, &err);
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;
		struct ccni_network *net = NULL;
		struct ccni_error e = CCNI_ERROR_INIT;
		json_t *row;

		if (!conf_name(names[i]->d_name) || !(path = util_asprintf("%s/%s", dir, names[i]->d_name))) {
			free(names[i]);
			continue;
		}
		free(names[i]);
		if (ccni_network_load_file(rt, path, &net, &e) < 0) {
			row = json_pack("{s:s,s:s?}", "file", path, "error", e.msg);
			ccni_error_clear(&e);
		} else {
			row = json_pack("{s:s,s:s,s:s,s:o}", "name", ccni_network_name(net), "file", path,
					"cniVersion", ccni_network_version(net), "plugins",
					plugin_types(net));
			ccni_network_free(net);
		}
		json_array_append_new(out, row);
	}
	free(names);
	if (c->json) {
		cli_print_json(out);
		return 0;
	}
	if (json_array_size(out) == 0) {
		printf("no network configurations in %s\n", dir);
		return 0;
	}
	printf("%-20s %-8s %-40s %s\n", "NETWORK", "VERSION", "PLUGINS", "FILE");
	for (size_t i = 0; i < json_array_size(out); i++) {
		json_t *row = json_array_get(out, i), *p;
		char plugins[256] = "";
		size_t k;

		if (json_object_get(row, "error")) {
			printf("%-20s %-8s %-40s %s\n  error: %s\n", "(invalid)", "-", "-",
			       json_string_value(json_object_get(row, "file")),
			       json_string_value(json_object_get(row, "error")));
			continue;
		}
		json_array_foreach(json_object_get(row, "plugins"), k, p) {
			size_t l = strlen(plugins);

			snprintf(plugins + l, sizeof(plugins) - l, "%s%s", k ? "," : "",
				 json_string_value(p));
		}
		printf("%-20s %-8s %-40s %s\n", json_string_value(json_object_get(row, "name")),
		       json_string_value(json_object_get(row, "cniVersion")), plugins,
		       json_string_value(json_object_get(row, "file")));
	}
	return 0;
}

/* --- validate ------------------------------------------------------------- */

struct problems {
	json_t *list;
};

static void problem(struct problems *p, const char *file, const char *text, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct problems *p, const char *file, const char *text, const char *path,
		    const char *fmt, ...)
{
	char msg[512];
	struct json_pos pos = { 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (text && path)
		json_locate(text, path, &pos);
	json_array_append_new(p->list, json_pack("{s:s,s:i,s:i,s:s?,s:s}", "file", file, "line",
						 pos.line, "column", pos.column, "key", path,
						 "message", msg));
}

static void validate_plugin(struct ccni_runtime *rt, struct problems *pb, const char *file,
			    const char *text, json_t *p, const char *where, const char *version)
{
	const char *type = json_string_value(json_object_get(p, "type"));
	char path[96];
	struct ccni_error e = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *info = NULL;
	json_t *caps = json_object_get(p, "capabilities");

	snprintf(path, sizeof(path), "%s%stype", where, *where ? "." : "");
	if (!json_is_object(p)) {
		problem(pb, file, text, where, "%s: expected a plugin object", where);
		return;
	}
	if (!type) {
		problem(pb, file, text, where, "%s: missing \"type\"", *where ? where : "config");
		return;
	}
	if (!ccni_plugin_type_valid(type)) {
		problem(pb, file, text, path, "%s: invalid plugin type \"%s\"", path, type);
		return;
	}
	if (caps && !json_is_object(caps)) {
		snprintf(path, sizeof(path), "%s%scapabilities", where, *where ? "." : "");
		problem(pb, file, text, path, "%s: expected an object of booleans", path);
	}
	if (ccni_plugin_info(rt, type, &info, &e) < 0) {
		problem(pb, file, text, path, "%s: %s", path, e.msg);
		ccni_error_clear(&e);
		return;
	}
	if (version && *version) {
		json_t *sv = json_object_get(info, "supportedVersions"), *v;
		size_t i;
		bool ok = false;

		json_array_foreach(sv, i, v) ok = ok || (json_is_string(v) &&
							 streq(json_string_value(v), version));
		if (!ok)
			problem(pb, file, text, path,
				"%s: plugin \"%s\" does not support cniVersion %s", path, type,
				version);
	}
}

static void validate_file(struct ccni_runtime *rt, struct problems *pb, const char *file)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *doc = NULL;
	struct ccni_network *net = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	json_error_t jerr;
	const char *name, *version;
	json_t *plugins, *v;
	size_t len, i;

	text = util_read_file(file, CCNI_CONF_MAX_SIZE, &len, false);
	if (!text) {
		char why[96];

		problem(pb, file, NULL, NULL, "cannot read: %s",
			util_read_why(errno, CCNI_CONF_MAX_SIZE, why, sizeof(why)));
		return;
	}
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc) {
		json_array_append_new(pb->list,
				      json_pack("{s:s,s:i,s:i,s:s}", "file", file, "line", jerr.line,
						"column", jerr.column, "message", jerr.text));
		return;
	}
	if (!json_is_object(doc)) {
		problem(pb, file, NULL, NULL, "expected a JSON object");
		return;
	}
	name = json_string_value(json_object_get(doc, "name"));
	if (!name)
		problem(pb, file, text, "name", "name: missing (a network name is required)");
	else if (!ccni_name_valid(name))
		problem(pb, file, text, "name", "name: invalid network name \"%s\"", name);
	v = json_object_get(doc, "cniVersion");
	if (v && !json_is_string(v))
		problem(pb, file, text, "cniVersion", "cniVersion: expected a string");
	else if (v && !ccni_version_supported(json_string_value(v)))
		problem(pb, file, text, "cniVersion", "cniVersion: unknown version \"%s\"",
			json_string_value(v));
	v = json_object_get(doc, "cniVersions");
	if (v) {
		json_t *x;

		if (!json_is_array(v))
			problem(pb, file, text, "cniVersions", "cniVersions: expected an array");
		json_array_foreach(v, i, x) {
			struct ccni_version ver;

			if (json_is_string(x) && ccni_version_parse(json_string_value(x), &ver) == 0)
				continue;
			char path[48];

			snprintf(path, sizeof(path), "cniVersions[%zu]", i);
			problem(pb, file, text, path, "%s: not a version", path);
		}
	}
	/* The version actually used, as the runtime chooses it. */
	version = NULL;
	if (ccni_network_load_file(rt, file, &net, &e) == 0)
		version = ccni_network_version(net);
	plugins = json_object_get(doc, "plugins");
	if (plugins && !json_is_array(plugins)) {
		problem(pb, file, text, "plugins", "plugins: expected an array");
	} else if (plugins) {
		json_t *p;

		if (!json_array_size(plugins))
			problem(pb, file, text, "plugins", "plugins: the list is empty");
		json_array_foreach(plugins, i, p) {
			char where[48];

			snprintf(where, sizeof(where), "plugins[%zu]", i);
			validate_plugin(rt, pb, file, text, p, where, version);
		}
	} else if (json_object_get(doc, "type")) {
		validate_plugin(rt, pb, file, text, doc, "", version);
	}
	if (!net && json_array_size(pb->list) == 0)
		problem(pb, file, NULL, NULL, "%s", e.msg);
	ccni_error_clear(&e);
	ccni_network_free(net);
}

int cli_validate(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	struct problems pb = { json_array() };
	_cleanup_json_ json_t *list = pb.list;
	const char *target = argc > 0 ? argv[0] : getenv("NETCONFPATH");
	struct stat st;
	size_t files = 0;

	(void)cmd;
	if (!target || !*target)
		target = CCNI_DEFAULT_CONF_DIR;
	if (cli_runtime(c, &rt, &err) < 0)
		return cli_fail(c, &err);
	if (stat(target, &st) < 0) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "%s", target);
		return cli_fail(c, &err);
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **names = NULL;
		int n = scandir(target, &names, NULL, alphasort);

		for (int i = 0; i < n; i++) {
			if (conf_name(names[i]->d_name)) {
				_cleanup_free_ char *path = util_asprintf("%s/%s", target,
									  names[i]->d_name);

				if (path) {
					validate_file(rt, &pb, path);
					files++;
				}
			}
			free(names[i]);
		}
		free(names);
	} else {
		validate_file(rt, &pb, target);
		files = 1;
	}
	if (c->json) {
		_cleanup_json_ json_t *o = json_pack("{s:i,s:O}", "files", (int)files, "problems", list);

		cli_print_json(o);
	} else {
		size_t i;
		json_t *p;

		json_array_foreach(list, i, p) {
			int line = (int)json_integer_value(json_object_get(p, "line"));

			if (line > 0)
				printf("%s:%d:%d: %s\n", json_string_value(json_object_get(p, "file")), line,
				       (int)json_integer_value(json_object_get(p, "column")),
				       json_string_value(json_object_get(p, "message")));
			else
				printf("%s: %s\n", json_string_value(json_object_get(p, "file")),
				       json_string_value(json_object_get(p, "message")));
		}
		printf("%zu file%s checked, %zu problem%s\n", files, files == 1 ? "" : "s",
		       json_array_size(list), json_array_size(list) == 1 ? "" : "s");
	}
	return json_array_size(list) ? 1 : 0;
}

int cli_version(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *info = NULL;
	json_t *v;
	size_t i;

	(void)cmd;
	if (argc < 1) {
		fprintf(stderr, "ccni version: a plugin name is required\n");
		return 2;
	}
	if (cli_runtime(c, &rt, &err) < 0 || ccni_plugin_info(rt, argv[0], &info, &err) < 0)
		return cli_fail(c, &err);
	if (c->json) {
		cli_print_json(info);
		return 0;
	}
	printf("%s supports CNI versions:", argv[0]);
	json_array_foreach(json_object_get(info, "supportedVersions"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
	return 0;
}

int cli_show(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *all = NULL, *mine = json_array();
	_cleanup_free_ char *netns = NULL;
	json_t *e;
	size_t i;

	(void)cmd;
	if (argc < 1) {
		fprintf(stderr, "ccni show: a netns path is required\n");
		return 2;
	}
	netns = cli_abs(argv[0]);
	if (!netns || cli_runtime(c, &rt, &err) < 0 || ccni_cache_list(rt, NULL, &all, &err) < 0)
		return cli_fail(c, &err);
	json_array_foreach(all, i, e) {
		const char *ns = json_string_value(json_object_get(e, "netns"));

		if (ns && streq(ns, netns))
			json_array_append(mine, e);
	}
	if (c->json) {
		cli_print_json(mine);
		return 0;
	}
	if (!json_array_size(mine)) {
		printf("no cached attachments for %s\n", netns);
		return 0;
	}
	json_array_foreach(mine, i, e) {
		json_t *ips = json_object_get(json_object_get(e, "result"), "ips"), *ip;
		size_t k;

		printf("network %s  container %s  ifname %s\n",
		       json_string_value(json_object_get(e, "networkName")),
		       json_string_value(json_object_get(e, "containerId")),
		       json_string_value(json_object_get(e, "ifName")));
		json_array_foreach(ips, k, ip) printf("  address %s%s%s\n",
						      json_string_value(json_object_get(ip, "address")),
						      json_object_get(ip, "gateway") ? "  gateway " : "",
						      json_object_get(ip, "gateway") ?
							      json_string_value(json_object_get(ip, "gateway")) :
							      "");
	}
	return 0;
}
