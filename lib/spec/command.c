/* SPDX-License-Identifier: Apache-2.0 */
/* command.c — CNI_COMMAND values and their names. */
#include <string.h>

#include <ccni/command.h>

#include "lib/common/cleanup.h"

static const char *const command_names[] = {
	[CCNI_CMD_ADD] = "ADD",       [CCNI_CMD_DEL] = "DEL", [CCNI_CMD_CHECK] = "CHECK",
	[CCNI_CMD_STATUS] = "STATUS", [CCNI_CMD_GC] = "GC",   [CCNI_CMD_VERSION] = "VERSION",
	[CCNI_CMD_REAPPLY] = "REAPPLY",
};

const char *ccni_command_name(enum ccni_command c)
{
	return (unsigned)c < ARRAY_SIZE(command_names) ? command_names[c] : "?";
}

int ccni_command_parse(const char *s, enum ccni_command *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(command_names); i++)
		if (s && streq(s, command_names[i])) {
			*out = (enum ccni_command)i;
			return 0;
		}
	return -1;
}
