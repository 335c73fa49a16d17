/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multicall.c — main() of ccni-plugin. The plugin to run is the name the
 * binary was started under (argv[0]'s last component: /opt/cni/bin/bridge),
 * or, when started as ccni-plugin itself, the first argument.
 */
#include <stdio.h>
#include <string.h>

#include "plugins/registry.h"

static const struct ccni_plugin *lookup(const char *name)
{
	for (const struct plugin_entry *e = plugin_registry; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e->plugin;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 && argv[0] ? argv[0] : "ccni-plugin";
	const char *base = strrchr(self, '/');
	const struct ccni_plugin *plugin;

	base = base ? base + 1 : self;
	plugin = lookup(base);
	if (!plugin && argc > 1 && strcmp(base, "ccni-plugin") == 0) {
		plugin = lookup(argv[1]);
		argv++;
		argc--;
	}
	if (!plugin) {
		fprintf(stderr, "ccni-plugin: no plugin named \"%s\"; built in:", base);
		for (const struct plugin_entry *e = plugin_registry; e->name; e++)
			fprintf(stderr, " %s", e->name);
		fputc('\n', stderr);
		return 1;
	}
	ccni_plugin_set_builtins(lookup);
	return ccni_plugin_main(plugin, argc, argv);
}
