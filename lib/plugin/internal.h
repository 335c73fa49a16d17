/* SPDX-License-Identifier: Apache-2.0 */
/* internal.h — what the SDK's files share. Internal. */
#ifndef CCNI_PLUGIN_INTERNAL_H
#define CCNI_PLUGIN_INTERNAL_H

#include <stdbool.h>
#include <jansson.h>

#include <ccni/plugin.h>

/* skel.c: parse the config bytes of req (stdin_data) into *config and fill
 * req's name, cniVersion, runtimeConfig, args, prevResult (as every verb
 * gets them). */
int skel_read_config(struct ccni_request *req, const struct ccni_plugin *plugin,
		     json_t **config, struct ccni_error *err);

/* delegate.c: the plugin built into this executable that CNI_PATH's `type`
 * would run (the path found is this very executable), or NULL. */
const struct ccni_plugin *delegate_builtin(const char *type, const char *path);

/* keys.c: warn (through req->validation) about every key of the config
 * object that no list in `lists` (NULL-terminated array of key lists, see
 * struct ccni_plugin.keys) names, with a close known key as suggestion.
 * The warning names plugin, or ipam_plugin for a key below "ipam". */
void keys_check(const struct ccni_request *req, const char *plugin, const char *ipam_plugin,
		const char *const *const *lists);

#endif
