/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/plugin.h — the plugin SDK. A plugin is a descriptor naming its verbs;
 * ccni_plugin_main() does the protocol: reads the environment and stdin
 * (bounded), answers VERSION, checks cniVersion (code 1), the environment
 * (code 4) and the JSON (code 6), decodes prevResult, calls the verb, and
 * prints the result converted to the config's cniVersion, or the error JSON
 * with exit status 1.
 *
 * A verb gets a read-only request and fills `result` (ADD, optionally CHECK
 * passes nothing back) or `err`. It never prints.
 */
#ifndef CCNI_PLUGIN_H
#define CCNI_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/args.h>
#include <ccni/command.h>
#include <ccni/conf.h>
#include <ccni/error.h>
#include <ccni/result.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCNI_STDIN_MAX CCNI_CONF_MAX_SIZE /* bytes of config a plugin accepts */

struct ccni_request {
	enum ccni_command command;
	const char *command_name; /* "ADD", ... */
	const char *container_id; /* NULL for STATUS/GC/VERSION */
	const char *netns;        /* may be NULL/"" for DEL */
	const char *ifname;
	const char *path;         /* CNI_PATH, may be NULL */
	const char *args_text;    /* CNI_ARGS as given, may be NULL */
	struct ccni_args args;    /* CNI_ARGS parsed */

	const char *stdin_data;   /* the config bytes exactly as received */
	size_t stdin_len;
	json_t *config;           /* the parsed config object */
	const char *cni_version;  /* the config's cniVersion ("0.1.0" when absent, as libcni) */
	const char *name;         /* the config's "name" (may be NULL for VERSION) */
	json_t *runtime_config;   /* "runtimeConfig" object or NULL */
	json_t *cni_args;         /* "args"."cni" object or NULL */
	struct ccni_result *prev_result; /* decoded "prevResult" or NULL */
	json_t *valid_attachments; /* GC: "cni.dev/valid-attachments" array or NULL */
	char *const *envp;        /* the environment the plugin was run with */
};

typedef int (*ccni_verb_fn)(const struct ccni_request *req, struct ccni_result **result,
			    struct ccni_error *err);

struct ccni_plugin {
	const char *name;  /* the binary name: "bridge" */
	const char *about; /* one line, printed when run with no CNI_COMMAND */
	const char *const *versions; /* NULL: every version ccni supports */
	ccni_verb_fn add;    /* required */
	ccni_verb_fn del;    /* required */
	ccni_verb_fn check;  /* NULL: CHECK succeeds */
	ccni_verb_fn status; /* NULL: STATUS succeeds */
	ccni_verb_fn gc;     /* NULL: GC succeeds */
	/* An IPAM plugin prints its result without interfaces/ips[].interface. */
	bool ipam;
	/* REAPPLY (ccni's, not the spec's: see ccni/command.h); NULL: the plugin
	 * leaves no firewall state, nothing to do. */
	ccni_verb_fn reapply;
	/* NULL: none. A plugin that also has a command line (dhcp's "daemon")
	 * gets argv when it is started with arguments; it returns the exit
	 * status, or -1 to run the CNI protocol as usual. */
	int (*command)(int argc, char **argv);
};

/* Run the protocol for one plugin; returns the process exit status. */
int ccni_plugin_main(const struct ccni_plugin *plugin, int argc, char **argv);

/* For tests and multi-call binaries: run with explicit env (NULL-terminated
 * "K=V" list, NULL for the process environment) and stdin/stdout fds. */
int ccni_plugin_run(const struct ccni_plugin *plugin, char *const *envp, int in_fd,
		    int out_fd);

/*
 * Delegation (SPEC.md section 4): run the plugin `type` found in CNI_PATH
 * with the same environment and the same stdin bytes as this request, but
 * CNI_COMMAND set to `command`. ADD gives its result (decoded in the
 * request's cniVersion); the other verbs give only success. The delegate's
 * error object is passed up unchanged (code, msg, details); its stderr goes to
 * ours. Returns 0 or -1.
 */
int ccni_delegate(const struct ccni_request *req, const char *type, enum ccni_command command,
		  struct ccni_result **result, struct ccni_error *err);
/* Multi-call binaries: when a delegate found in CNI_PATH is this very
 * executable and lookup(type) knows the plugin, it runs in-process (the
 * same code, without fork/exec). A binary of another origin under that name
 * is always executed. */
typedef const struct ccni_plugin *(*ccni_builtin_fn)(const char *type);
void ccni_plugin_set_builtins(ccni_builtin_fn lookup);
/* Read "ipam"."type" from the config (code 7 when missing or invalid). */
int ccni_request_ipam_type(const struct ccni_request *req, const char **type,
			   struct ccni_error *err);

/* Look a binary up in a ':'-separated path list. Returns a malloc'd path,
 * or NULL with err set (code 102 naming the type and the path). */
char *ccni_find_in_path(const char *type, const char *path, struct ccni_error *err);

#ifdef __cplusplus
}
#endif
#endif
