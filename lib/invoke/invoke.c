/* SPDX-License-Identifier: Apache-2.0 */
/*
 * invoke.c — find, run and understand one plugin: the one path by which
 * the runtime runs a chain's plugins and a plugin runs its IPAM.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"
#include "lib/invoke/invoke.h"

/* A result is bounded like the config it came from. */
#define INVOKE_OUT_MAX CCNI_CONF_MAX_SIZE

char *ccni_find_in_path(const char *type, const char *path, struct ccni_error *err)
{
	const char *p = path;

	if (!ccni_plugin_type_valid(type)) {
		ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			       "type: invalid plugin type \"%.64s\" (a file name: no '/', '\\\\', \".\" "
			       "or \"..\")",
			       type ? type : "");
		return NULL;
	}
	while (p && *p) {
		const char *end = strchrnul(p, ':');
		size_t n = (size_t)(end - p);
		struct stat st;

		if (n > 0) {
			char *full = util_asprintf("%.*s/%s", (int)n, p, type);

			if (!full) {
				ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
				return NULL;
			}
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
				return full;
			free(full);
		}
		p = *end ? end + 1 : end;
	}
	ccni_error_set(err, CCNI_ERR_EXEC, "failed to find plugin \"%s\" in path [%s]", type,
		       path ? path : "");
	return NULL;
}

/* "KEY=..." has the key of "KEY=VALUE". */
static bool same_key(const char *a, const char *b)
{
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);

	return strncmp(a, b, n) == 0 && b[n] == '=';
}

static bool replaced(const struct invoke *iv, const char *e)
{
	if (!iv->inherit_cni && strncmp(e, "CNI_", 4) == 0)
		return true;
	if (same_key("CNI_COMMAND=", e))
		return true;
	for (char *const *s = iv->set; s && *s; s++)
		if (same_key(*s, e))
			return true;
	return false;
}

int invoke_env_build(const struct invoke *iv, struct invoke_env *env, struct ccni_error *err)
{
	size_t cap = 1;

	memset(env, 0, sizeof(*env));
	for (char *const *s = iv->set; s && *s; s++)
		cap++;
	for (char *const *e = iv->inherit; e && *e; e++)
		cap += !replaced(iv, *e);
	if (cap > INVOKE_ENV_MAX)
		return ccni_error_set(err, CCNI_ERR_EXEC,
				      "plugin \"%s\" %s: its environment would have %zu variables, more "
				      "than the limit of %d",
				      iv->type, ccni_command_name(iv->command), cap, INVOKE_ENV_MAX);
	env->v = calloc(cap + 1, sizeof(*env->v));
	env->command = util_asprintf("CNI_COMMAND=%s", ccni_command_name(iv->command));
	if (!env->v || !env->command) {
		invoke_env_free(env);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	for (char *const *s = iv->set; s && *s; s++)
		env->v[env->n++] = *s;
	env->v[env->n++] = env->command;
	for (char *const *e = iv->inherit; e && *e; e++)
		if (!replaced(iv, *e))
			env->v[env->n++] = *e;
	env->v[env->n] = NULL;
	return 0;
}

void invoke_env_free(struct invoke_env *env)
{
	free(env->v);
	free(env->command);
	memset(env, 0, sizeof(*env));
}

/* Is exe this very executable (a multi-call binary's name in CNI_PATH)? */
static bool is_self(const char *exe)
{
	struct stat a, b;

	return stat(exe, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

const struct ccni_plugin *invoke_builtin(const char *type, const char *path,
					 ccni_builtin_fn builtins)
{
	const struct ccni_plugin *builtin = builtins ? builtins(type) : NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_free_ char *exe = builtin ? ccni_find_in_path(type, path, &err) : NULL;

	ccni_error_clear(&err);
	return exe && is_self(exe) ? builtin : NULL;
}

/* A plugin built into this executable, in-process: the same code the exec
 * would run, on memfd stdin/stdout, minus fork, exec and dynamic linking. */
static int run_builtin(const struct ccni_plugin *p, char **env, const struct invoke *iv,
		       struct util_spawn_result *r)
{
	_cleanup_close_ int in = memfd_create("ccni-invoke-in", MFD_CLOEXEC);
	_cleanup_close_ int out = memfd_create("ccni-invoke-out", MFD_CLOEXEC);
	int code;

	memset(r, 0, sizeof(*r));
	if (in < 0 || out < 0 || util_write_all(in, iv->in, iv->in_len) < 0 ||
	    lseek(in, 0, SEEK_SET) < 0)
		return -1;
	code = ccni_plugin_run(p, env, in, out);
	if (lseek(out, 0, SEEK_SET) < 0)
		return -1;
	r->out = util_read_fd(out, INVOKE_OUT_MAX, &r->out_len);
	if (!r->out)
		return -1;
	r->status = W_EXITCODE(code & 0xff, 0);
	return 0;
}

static int run(const struct invoke *iv, char **env, struct invoke_result *res,
	       struct util_spawn_result *r)
{
	const struct ccni_plugin *builtin = iv->builtins ? iv->builtins(iv->type) : NULL;
	char *argv[2] = { (char *)iv->type, NULL };
	struct util_spawn s = {
		.path = res->exe,
		.argv = argv,
		.envp = env,
		.in = iv->in,
		.in_len = iv->in_len,
		.out_max = INVOKE_OUT_MAX,
		.err_max = INVOKE_ERR_MAX,
		.inherit_stderr = !iv->capture_stderr,
		.timeout_ms = iv->timeout_ms,
	};
	unsigned long long t = util_now_ns();
	int rc;

	if (builtin && is_self(res->exe))
		rc = run_builtin(builtin, env, iv, r);
	else
		rc = util_spawn_run(&s, r);
	if (rc < 0)
		return -1;
	res->ran = true;
	res->status = r->status;
	res->ms = (double)(util_now_ns() - t) / 1e6;
	res->max_rss_kib = r->usage.ru_maxrss;
	if (iv->capture_stderr) {
		res->err = TAKE_PTR(r->err);
		res->err_len = r->err_len;
	}
	return 0;
}

/* A failed run: the plugin's error object, or how it ended. */
static int failed(const struct invoke *iv, const struct util_spawn_result *r, json_t *out,
		  struct invoke_result *res, struct ccni_error *err)
{
	const char *cmd = ccni_command_name(iv->command);
	struct ccni_error e = CCNI_ERROR_INIT;
	char how[96];

	if (WIFEXITED(r->status) && out && ccni_error_from_json(out, &e) == 0) {
		ccni_error_move(err, &e);
		res->plugin_error = true;
	} else {
		ccni_error_set(err, CCNI_ERR_EXEC, "plugin \"%s\" %s %s%s", iv->type, cmd,
			       util_spawn_describe(r->status, how, sizeof(how)),
			       r->out_truncated ? " (output too large)" : "");
	}
	if (err->details)
		return -1;
	if (res->err_len)
		ccni_error_set_details(err, "stderr: %.4000s", res->err);
	else if (!res->plugin_error && r->out_len)
		ccni_error_set_details(err, "stdout: %.4000s", r->out);
	return -1;
}

static bool has_output(enum ccni_command c)
{
	return c == CCNI_CMD_ADD || c == CCNI_CMD_VERSION;
}

static int understand(const struct invoke *iv, const struct util_spawn_result *r,
		      struct invoke_result *res, struct ccni_error *err)
{
	const char *cmd = ccni_command_name(iv->command);
	_cleanup_json_ json_t *out = NULL;
	json_error_t jerr;

	if (r->timed_out)
		return ccni_error_set(err, CCNI_ERR_TIMEOUT,
				      "plugin \"%s\" %s timed out after %d ms and was killed", iv->type,
				      cmd, iv->timeout_ms);
	if (r->out_len)
		out = json_loadb(r->out, r->out_len, 0, &jerr);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
		return failed(iv, r, out, res, err);
	if (!has_output(iv->command))
		return 0;
	if (r->out_len && !out)
		return ccni_error_set(err, CCNI_ERR_DECODE, "plugin \"%s\" %s: output is not JSON: %s",
				      iv->type, cmd, jerr.text);
	res->out = TAKE_PTR(out);
	return 0;
}

int invoke_run(const struct invoke *iv, struct invoke_result *res, struct ccni_error *err)
{
	struct invoke_env env;
	struct util_spawn_result r = { 0 };
	int rc;

	assert(iv && res);
	memset(res, 0, sizeof(*res));
	res->exe = ccni_find_in_path(iv->type, iv->path, err);
	if (!res->exe)
		return -1;
	if (invoke_env_build(iv, &env, err) < 0)
		return -1;
	rc = run(iv, env.v, res, &r);
	invoke_env_free(&env);
	if (rc < 0) {
		rc = ccni_error_errno(err, CCNI_ERR_EXEC, errno, "plugin \"%s\" %s: cannot run %s",
				      iv->type, ccni_command_name(iv->command), res->exe);
	} else {
		rc = understand(iv, &r, res, err);
	}
	util_spawn_result_free(&r);
	return rc;
}

void invoke_result_free(struct invoke_result *res)
{
	free(res->exe);
	free(res->err);
	json_decref(res->out);
	memset(res, 0, sizeof(*res));
}

int invoke_decode_result(const struct invoke *iv, json_t *out, const char *version,
			 struct ccni_result **model, struct ccni_error *err)
{
	*model = NULL;
	if (!out)
		return ccni_error_set(err, CCNI_ERR_DECODE, "plugin \"%s\" %s: no result", iv->type,
				      ccni_command_name(iv->command));
	if (ccni_result_decode(out, version, model, err) < 0)
		return ccni_error_prefix(err, "plugin \"%s\" %s result", iv->type,
					 ccni_command_name(iv->command));
	return 0;
}
