/* SPDX-License-Identifier: Apache-2.0 */
/* commands.c — ccni's own commands: list, version, show (validate: validate.c). */
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
