/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate.c — a plugin running another plugin (SPEC.md section 4, IPAM):
 * the same environment and stdin, CNI_COMMAND as asked, found in CNI_PATH.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"

#define DELEGATE_OUT_MAX (1024 * 1024)
#define DELEGATE_ENV_MAX 256

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

int ccni_request_ipam_type(const struct ccni_request *req, const char **type,
			   struct ccni_error *err)
{
	json_t *ipam = json_object_get(req->config, "ipam");
	char b[72];

	if (!json_is_object(ipam))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: %s; an \"ipam\" object with a \"type\" is required",
				      ipam ? ccni_json_brief(ipam, b, sizeof(b)) : "missing");
	if (ccni_json_require_string(ipam, "ipam", "type", type, err) < 0)
		return -1;
	if (!ccni_plugin_type_valid(*type))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam.type: invalid plugin type \"%.64s\"", *type);
	return 0;
}

static ccni_builtin_fn builtin_lookup;

void ccni_plugin_set_builtins(ccni_builtin_fn lookup)
{
	builtin_lookup = lookup;
}

/* Is exe this very executable (a multi-call binary's name in CNI_PATH)? */
static bool is_self(const char *exe)
{
	struct stat a, b;

	return stat(exe, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Run a plugin built into this executable in-process: the same code the
 * exec would run, on memfd stdin/stdout, minus fork, exec and dynamic
 * linking. Fills r as util_spawn_run would. */
static int run_builtin(const struct ccni_plugin *p, char **env, const struct ccni_request *req,
		       struct util_spawn_result *r)
{
	int in = memfd_create("ccni-delegate-in", MFD_CLOEXEC);
	int out = memfd_create("ccni-delegate-out", MFD_CLOEXEC);
	int code, rc = -1;

	memset(r, 0, sizeof(*r));
	if (in < 0 || out < 0 || util_write_all(in, req->stdin_data, req->stdin_len) < 0 ||
	    lseek(in, 0, SEEK_SET) < 0)
		goto out;
	code = ccni_plugin_run(p, env, in, out);
	if (lseek(out, 0, SEEK_SET) < 0)
		goto out;
	r->out = util_read_fd(out, DELEGATE_OUT_MAX, &r->out_len);
	if (!r->out)
		goto out;
	r->status = W_EXITCODE(code & 0xff, 0);
	rc = 0;
out:
	if (rc < 0) {
		free(r->out);
		r->out = NULL;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

int ccni_delegate(const struct ccni_request *req, const char *type, enum ccni_command command,
		  struct ccni_result **result, struct ccni_error *err)
{
	_cleanup_free_ char *exe = NULL;
	_cleanup_free_ char *cmd_env = NULL;
	char *env[DELEGATE_ENV_MAX + 2];
	char *argv[2];
	struct util_spawn_result r;
	struct util_spawn s = { 0 };
	_cleanup_json_ json_t *out = NULL;
	const struct ccni_plugin *builtin;
	json_error_t jerr;
	size_t n = 0;
	char how[96];
	int rc = -1;

	if (result)
		*result = NULL;
	exe = ccni_find_in_path(type, req->path, err);
	if (!exe)
		return -1;
	cmd_env = util_asprintf("CNI_COMMAND=%s", ccni_command_name(command));
	if (!cmd_env)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	env[n++] = cmd_env;
	for (char *const *e = req->envp; e && *e && n < DELEGATE_ENV_MAX; e++)
		if (strncmp(*e, "CNI_COMMAND=", 12) != 0)
			env[n++] = *e;
	env[n] = NULL;
	argv[0] = (char *)type;
	argv[1] = NULL;

	builtin = builtin_lookup ? builtin_lookup(type) : NULL;
	if (builtin && is_self(exe)) {
		if (run_builtin(builtin, env, req, &r) < 0)
			return ccni_error_errno(err, CCNI_ERR_EXEC, errno, "%s: cannot run %s built in",
						type, exe);
	} else {
		s.path = exe;
		s.argv = argv;
		s.envp = env;
		s.in = req->stdin_data;
		s.in_len = req->stdin_len;
		s.out_max = DELEGATE_OUT_MAX;
		s.inherit_stderr = true;
		if (util_spawn_run(&s, &r) < 0)
			return ccni_error_errno(err, CCNI_ERR_EXEC, errno, "%s: cannot run %s", type,
						exe);
	}

	if (r.out_len)
		out = json_loadb(r.out, r.out_len, 0, &jerr);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		struct ccni_error e = CCNI_ERROR_INIT;

		if (out && ccni_error_from_json(out, &e) == 0) {
			ccni_error_move(err, &e); /* passed up unchanged */
		} else {
			ccni_error_set(err, CCNI_ERR_EXEC, "%s %s %s", type, ccni_command_name(command),
				       util_spawn_describe(r.status, how, sizeof(how)));
			if (r.out_len)
				ccni_error_set_details(err, "stdout: %.2000s", r.out);
		}
		goto out;
	}
	if (command != CCNI_CMD_ADD || !result) {
		rc = 0;
		goto out;
	}
	if (!out) {
		ccni_error_set(err, CCNI_ERR_DECODE, "%s ADD: invalid result JSON: %s", type,
			       r.out_len ? jerr.text : "no output");
		goto out;
	}
	if (ccni_result_decode(out, req->cni_version, result, err) < 0) {
		ccni_error_prefix(err, "%s ADD result", type);
		goto out;
	}
	rc = 0;
out:
	util_spawn_result_free(&r);
	return rc;
}
