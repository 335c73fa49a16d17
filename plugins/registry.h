/* SPDX-License-Identifier: Apache-2.0 */
/* registry.h — the table of plugins built into the multi-call binary. */
#ifndef CCNI_PLUGINS_REGISTRY_H
#define CCNI_PLUGINS_REGISTRY_H

#include <ccni/plugin.h>

struct plugin_entry {
	const char *name;
	const struct ccni_plugin *plugin;
};

/* Terminated by an entry whose name is NULL. */
extern const struct plugin_entry plugin_registry[];

#endif
