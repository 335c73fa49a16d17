/* SPDX-License-Identifier: Apache-2.0 */
/* skel.c — placeholder until the SDK lands. */
#include <ccni/plugin.h>

int ccni_plugin_main(const struct ccni_plugin *plugin, int argc, char **argv)
{
	(void)plugin;
	(void)argc;
	(void)argv;
	return 1;
}
