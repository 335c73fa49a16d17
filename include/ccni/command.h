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
	/* Not the spec's: re-apply the firewall state (ipMasq, macspoofchk,
	 * port mappings, firewall accepts) of an existing attachment from its
	 * result (prevResult), without touching links or addresses, after a
	 * firewall flush. Sent by `ccni reload` to ccni's own plugins only. */
	CCNI_CMD_REAPPLY,
};

/* "ADD", "DEL", ...; "?" for a value outside the enum. */
const char *ccni_command_name(enum ccni_command c);
/* The command named exactly s (case matters, as in the spec). 0 or -1. */
int ccni_command_parse(const char *s, enum ccni_command *out);

#ifdef __cplusplus
}
#endif
#endif
