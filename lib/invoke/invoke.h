/* SPDX-License-Identifier: Apache-2.0 */
/*
 * invoke.h — running one plugin, for whoever runs one: the runtime (libcni's
 * role) and a plugin delegating to another (SPEC.md section 4). It finds the
 * binary in CNI_PATH, builds its environment, runs it (or, when the binary
 * is this very executable and the plugin is built in, calls it in-process),
 * and decodes what it answered: its error object or its output. It knows
 * nothing of networks, caches or requests; the caller says what to run.
 * Internal.
 */
#ifndef CCNI_INVOKE_H
#define CCNI_INVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/command.h>
#include <ccni/error.h>
#include <ccni/plugin.h>
#include <ccni/result.h>

/* Environment variables a plugin is given, ours included. More is an error
 * (a plugin run with part of its caller's environment would be a puzzle). */
#define INVOKE_ENV_MAX 512
/* Bytes of stderr kept for an error's details and the trace. */
#define INVOKE_ERR_MAX (64 * 1024)

struct invoke {
	const char *type;          /* the plugin type: a file name looked up in path */
	const char *path;          /* CNI_PATH, ':'-separated */
	enum ccni_command command; /* CNI_COMMAND; always set by the invoker */
	char *const *set;          /* "K=V" this call sets, NULL-terminated; may be NULL */
	char *const *inherit;      /* the environment passed on (a key in set is replaced) */
	bool inherit_cni;          /* also pass inherit's CNI_* (a delegate gets its caller's) */
	const char *in;            /* stdin bytes */
	size_t in_len;
	int timeout_ms;            /* <= 0: none */
	bool capture_stderr;       /* keep stderr (details, trace) rather than pass it to ours */
	ccni_builtin_fn builtins;  /* plugins built into this executable, or NULL */
};

struct invoke_result {
	char *exe;          /* the executable found (NULL: none) */
	bool ran;           /* it was started (status, ms and rss are set) */
	int status;         /* wait status */
	double ms;          /* wall time of the run */
	long max_rss_kib;
	json_t *out;        /* success: the output of ADD or VERSION, parsed (NULL: empty) */
	char *err;          /* captured stderr, NUL-terminated (NULL: not captured) */
	size_t err_len;
	bool plugin_error;  /* failure: the error is the plugin's own error object, unchanged */
};

/*
 * Run it. 0 when the plugin succeeded; -1 with err set otherwise: code 102
 * when it cannot be found or run, ended without an error object (the
 * message says how it ended, details hold its stderr or stdout), or when
 * the environment would exceed INVOKE_ENV_MAX; 106 when it ran out of time;
 * 6 when ADD or VERSION printed something that is not JSON; the plugin's
 * own code, msg and details when it printed an error object (plugin_error;
 * details get its stderr when it gave none). DEL, CHECK, STATUS and GC
 * output is ignored, as libcni ignores it. res is filled either way
 * (release it with invoke_result_free).
 */
int invoke_run(const struct invoke *iv, struct invoke_result *res, struct ccni_error *err);
/* The plugin built into this executable that running `type` from path
 * would run in-process (builtins knows it and path's binary of that name is
 * this very executable), or NULL. */
const struct ccni_plugin *invoke_builtin(const char *type, const char *path,
					 ccni_builtin_fn builtins);
void invoke_result_free(struct invoke_result *res);

/* The ADD result the plugin printed, decoded in `version` (code 6 naming
 * the plugin when there is none or it is malformed). */
int invoke_decode_result(const struct invoke *iv, json_t *out, const char *version,
			 struct ccni_result **model, struct ccni_error *err);

/* The environment a run gets: the set variables, CNI_COMMAND, then the
 * inherited ones not replaced. v is NULL-terminated; its strings are
 * borrowed but for `command`. Exposed for the tests. */
struct invoke_env {
	char **v;
	size_t n;
	char *command; /* "CNI_COMMAND=..." (owned) */
};
int invoke_env_build(const struct invoke *iv, struct invoke_env *env, struct ccni_error *err);
void invoke_env_free(struct invoke_env *env);

#endif
