/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate.c — a plugin running another plugin (SPEC.md section 4, IPAM):
 * the same environment and stdin, CNI_COMMAND as asked, found in CNI_PATH.
 * The running itself is the invoker's (lib/invoke), shared with the runtime.
 */
#include <assert.h>
#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/invoke/invoke.h"
#include "lib/plugin/internal.h"

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

int ccni_request_ipam_type_optional(const struct ccni_request *req, const char **type,
				    struct ccni_error *err)
{
	json_t *ipam = json_object_get(req->config, "ipam"), *t;

	*type = NULL;
	if (!ipam || json_is_null(ipam))
		return 0;
	if (!json_is_object(ipam))
		return ccni_json_type_error(ipam, "ipam", "an object", err);
	t = json_object_get(ipam, "type");
	if (!t || json_is_null(t) || (json_is_string(t) && !*json_string_value(t)))
		return 0;
	return ccni_request_ipam_type(req, type, err);
}

static ccni_builtin_fn builtin_lookup;

void ccni_plugin_set_builtins(ccni_builtin_fn lookup)
{
	builtin_lookup = lookup;
}

const struct ccni_plugin *delegate_builtin(const char *type, const char *path)
{
	return invoke_builtin(type, path, builtin_lookup);
}

int ccni_delegate(const struct ccni_request *req, const char *type, enum ccni_command command,
		  struct ccni_result **result, struct ccni_error *err)
{
	const struct invoke iv = {
		.type = type,
		.path = req->path,
		.command = command,
		.inherit = req->envp,
		.inherit_cni = true,
		.in = req->stdin_data,
		.in_len = req->stdin_len,
		.builtins = builtin_lookup,
	};
	struct invoke_result res;
	int rc;

	assert(req);
	if (result)
		*result = NULL;
	/* The delegate's error object passes up unchanged. */
	rc = invoke_run(&iv, &res, err);
	if (rc == 0 && command == CCNI_CMD_ADD && result)
		rc = invoke_decode_result(&iv, res.out, req->cni_version, result, err);
	invoke_result_free(&res);
	return rc;
}
