/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/command.h — the spec's commands (CNI_COMMAND, SPEC.md section 2) and
 * their names, shared by the runtime that sends them and the plugin SDK that
 * receives them.
 */
#ifndef CCNI_COMMAND_H
#define CCNI_COMMAND_H

#ifdef __cplusplus
extern "C" {
#endif

enum ccni_command {
	CCNI_CMD_ADD,
	CCNI_CMD_DEL,
	CCNI_CMD_CHECK,
	CCNI_CMD_STATUS,
	CCNI_CMD_GC,
	CCNI_CMD_VERSION,
};

/* "ADD", "DEL", ...; "?" for a value outside the enum. */
const char *ccni_command_name(enum ccni_command c);
/* The command named exactly s (case matters, as in the spec). 0 or -1. */
int ccni_command_parse(const char *s, enum ccni_command *out);

#ifdef __cplusplus
}
#endif
#endif
