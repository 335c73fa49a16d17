/* SPDX-License-Identifier: Apache-2.0 */
/* plugin-config.c — the config a plugin gets, for callers outside the
 * runtime that need it exactly as the runtime sends it (ccni validate). */
#include <ccni/ccni.h>

#include "lib/runtime/internal.h"

char *ccni_network_plugin_config(const struct ccni_network *net, json_t *plugin,
				 const struct ccni_attachment *att)
{
	return rt_plugin_config(net, plugin, NULL, att, NULL);
}
