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

struct ccni_validation; /* the problems of a `ccni validate` run */

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
	/* Non-NULL while `ccni validate` runs the plugin's parser (see
	 * "Validation" below); NULL in every verb the runtime calls. */
	struct ccni_validation *validation;
};

typedef int (*ccni_verb_fn)(const struct ccni_request *req, struct ccni_result **result,
			    struct ccni_error *err);
typedef int (*ccni_validate_fn)(const struct ccni_request *req, struct ccni_error *err);

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
	/* `ccni validate` (see "Validation" below): the config parser ADD uses,
	 * run alone; NULL: the plugin is checked by VERSION only. */
	ccni_validate_fn validate;
	/* The keys the plugin reads, as paths below its config object:
	 * "bridge", "vlanTrunk[].minID" ([] is any array index),
	 * "ipam.ranges[][].subnet" (an IPAM plugin lists its keys under
	 * "ipam."), "args.*" (anything below). A main plugin that delegates to
	 * IPAM lists "ipam.type". NULL-terminated; NULL: keys are not checked. */
	const char *const *keys;
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

/* The same for a plugin that may go without IPAM: *type is NULL when there
 * is no "ipam" or its "type" is absent, null or "" (the reference's layer
 * 2 only); an "ipam" that is not an object is code 7. */
int ccni_request_ipam_type_optional(const struct ccni_request *req, const char **type,
				    struct ccni_error *err);

/* Look a binary up in a ':'-separated path list. Returns a malloc'd path,
 * or NULL with err set (code 102 naming the type and the path). */
char *ccni_find_in_path(const char *type, const char *path, struct ccni_error *err);

/*
 * Validation. `ccni validate` runs every plugin of a network with the
 * argument --ccni-validate (and CNI_COMMAND=VERSION, so that a plugin that
 * does not know the argument only prints its versions). ccni_plugin_main()
 * then reads the config from stdin as ADD would, sets req->validation and
 * calls plugin->validate, then the validate of the IPAM plugin named by
 * "ipam.type" when that is built into the same executable, and warns about
 * keys outside plugin->keys. It prints {"problems": [{"severity", "message"},
 * ...], "facts": {...}} and exits 0.
 *
 * A validate function calls the parser its ADD calls, and nothing with a
 * side effect (no kernel, no files, no delegation). So that one run reports
 * every problem, the parser goes on after a problem where it can, with the
 * default in place of the bad value:
 *
 *	if (CCNI_CONF_TRY(req, err, ccni_json_get_bool(c, "", "ipMasq", &b, err)) < 0 ||
 *	    CCNI_CONF_TRY(req, err, parse_mtu(c, &mtu, err)) < 0)
 *		return -1;
 *
 * In a verb (req->validation NULL) that returns the first error, unchanged.
 * A message starts with the key path of the value at fault, relative to the
 * plugin's object ("ipam.ranges[0][0].subnet: invalid CIDR \"10.1.2.300/24\""):
 * the validator points at that key's FILE:LINE:COL. A problem the parser
 * cannot go past is its ordinary -1 return.
 */
/* When validating: record err as a problem, clear it and return 0 (go on).
 * Otherwise return -1 with err untouched (stop, as before). */
int ccni_conf_problem(const struct ccni_request *req, struct ccni_error *err);
#define CCNI_CONF_TRY(req, err, call) ((call) < 0 ? ccni_conf_problem((req), (err)) : 0)
/* ccni_error_set() then ccni_conf_problem(): 0 when validating, else -1.
 *	if (mtu && mtu < 68 && ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
 *						"mtu: %lld is below 68", mtu) < 0)
 *		return -1; */
int ccni_conf_error(const struct ccni_request *req, struct ccni_error *err, int code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* When validating: record a warning (a config that works, but likely not as
 * meant). Otherwise nothing. */
void ccni_conf_warning(const struct ccni_request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * When validating: record a fact about what the config means, for checks
 * across the networks of a conf dir; takes the reference of value (also when
 * not validating). Facts the validator compares:
 *   "bridge": "cni0"  the Linux bridge the containers are attached to
 *   "ranges": [{"subnet", "rangeStart", "rangeEnd", "key"}, ...]  addresses
 *             the IPAM plugin allocates from (text forms; key: the path of
 *             the range's subnet in the config)
 *   "store":  "/var/lib/cni/networks/NAME"  the directory of IPAM state
 */
void ccni_conf_fact(const struct ccni_request *req, const char *key, json_t *value);
/* When validating: the keys the plugin reads (as struct ccni_plugin.keys),
 * for a validate function that knows them better than its descriptor. */
void ccni_conf_keys(const struct ccni_request *req, const char *const *keys);
/* The argument that asks ccni_plugin_main() for validation. */
#define CCNI_VALIDATE_ARG "--ccni-validate"
/* Validation on explicit fds (ccni_plugin_main calls it). */
int ccni_plugin_validate(const struct ccni_plugin *plugin, int in_fd, int out_fd);

#ifdef __cplusplus
}
#endif
#endif
