/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h — what the ccni command's files share. */
#ifndef CCNI_CLI_H
#define CCNI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/ccni.h>

#define CLI_MAX_LIST 32

/* An exec option that belongs to a network: the --net it follows (0 when
 * given before any). */
struct cli_netarg {
	const char *value;
	size_t net;
};

struct cli {
	const char *cmd;
	const char *ifname;
	bool json;
	bool help; /* --help given: print the command's help instead */
	bool trace;
	int timeout_ms;
	int dashdash; /* index in the positional list where "--" was, 0: none */
	const char *valid[CLI_MAX_LIST];
	size_t n_valid;
	const char *nets[CLI_MAX_LIST];
	size_t n_nets;
	const char *ports[CLI_MAX_LIST];
	size_t n_ports;
	struct cli_netarg ips[CLI_MAX_LIST], macs[CLI_MAX_LIST];
	size_t n_ips, n_macs;
};

int cli_fail(const struct cli *c, struct ccni_error *err);
void cli_print_json(json_t *j);
char *cli_container_id(const char *netns_abs);
char *cli_abs(const char *p);
int cli_runtime(const struct cli *c, struct ccni_runtime **rt, struct ccni_error *err);

/* One function per verb (attach.c: the cnitool verbs; commands.c, exec.c). */
int cli_add(struct cli *c, const char *cmd, int argc, char **argv);
int cli_check(struct cli *c, const char *cmd, int argc, char **argv);
int cli_del(struct cli *c, const char *cmd, int argc, char **argv);
int cli_status(struct cli *c, const char *cmd, int argc, char **argv);
int cli_gc(struct cli *c, const char *cmd, int argc, char **argv);
int cli_list(struct cli *c, const char *cmd, int argc, char **argv);
int cli_validate(struct cli *c, const char *cmd, int argc, char **argv);
int cli_version(struct cli *c, const char *cmd, int argc, char **argv);
int cli_show(struct cli *c, const char *cmd, int argc, char **argv);
int cli_exec(struct cli *c, const char *cmd, int argc, char **argv);
int cli_reload(struct cli *c, const char *cmd, int argc, char **argv);

#endif
