/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c — the plugin side of `ccni validate`: run a plugin's own config
 * parser (the one its ADD uses) on the config as the runtime sends it, with
 * no side effects, collect every problem it reports and the facts it
 * records, and print them as JSON. The rules live in the parsers only; this
 * file holds none.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/plugin/internal.h"

extern char **environ;

#define KEY_LISTS_MAX 8

struct ccni_validation {
	json_t *problems; /* [{"severity", "message"}] */
	json_t *facts;    /* {"bridge": ..., "ranges": ..., "store": ...} */
	const char *const *keys[KEY_LISTS_MAX + 1]; /* NULL-terminated */
	size_t n_keys;
};

static void record(struct ccni_validation *v, const char *severity, const char *msg)
{
	size_t i;
	json_t *p;

	/* A parser called twice on one request (main plugin and IPAM reading
	 * the same key) reports a problem once. */
	json_array_foreach(v->problems, i, p)
		if (streq(json_string_value(json_object_get(p, "message")), msg))
			return;
	json_array_append_new(v->problems,
			      json_pack("{s:s,s:s}", "severity", severity, "message", msg));
}

int ccni_conf_problem(const struct ccni_request *req, struct ccni_error *err)
{
	if (!req || !req->validation)
		return -1;
	record(req->validation, "error", err->msg ? err->msg : ccni_error_code_name(err->code));
	ccni_error_clear(err);
	return 0;
}

int ccni_conf_error(const struct ccni_request *req, struct ccni_error *err, int code,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ccni_error_setv(err, code, fmt, ap);
	va_end(ap);
	return ccni_conf_problem(req, err);
}

void ccni_conf_warning(const struct ccni_request *req, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!req || !req->validation)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	record(req->validation, "warning", msg);
}

void ccni_conf_fact(const struct ccni_request *req, const char *key, json_t *value)
{
	if (!req || !req->validation || !value) {
		json_decref(value);
		return;
	}
	json_object_set_new(req->validation->facts, key, value);
}

void ccni_conf_keys(const struct ccni_request *req, const char *const *keys)
{
	struct ccni_validation *v = req ? req->validation : NULL;

	if (!v || !keys || v->n_keys == KEY_LISTS_MAX)
		return;
	for (size_t i = 0; i < v->n_keys; i++)
		if (v->keys[i] == keys)
			return;
	v->keys[v->n_keys++] = keys;
}

static bool lists_key(const struct ccni_validation *v, const char *key)
{
	for (size_t i = 0; i < v->n_keys; i++)
		for (const char *const *k = v->keys[i]; *k; k++)
			if (streq(*k, key))
				return true;
	return false;
}

static void run_parser(const struct ccni_plugin *p, const struct ccni_request *req)
{
	struct ccni_error err = CCNI_ERROR_INIT;

	if (p->validate(req, &err) < 0) {
		if (!ccni_error_is_set(&err))
			ccni_error_set(&err, CCNI_ERR_INVALID_CONFIG, "%s: invalid config", p->name);
		ccni_conf_problem(req, &err);
	}
}

/* The plugin's parser, then its IPAM plugin's when that is one of ours
 * (the one ADD would run: CNI_PATH's binary of that name is this
 * executable), then the keys none of them reads. */
static void validate_request(const struct ccni_plugin *plugin, struct ccni_request *req)
{
	static const char *const any_ipam[] = { "ipam.*", NULL };
	struct ccni_validation *v = req->validation;
	const char *ipam_type = json_string_value(json_object_get(json_object_get(req->config,
										  "ipam"),
								  "type"));
	const struct ccni_plugin *ipam = NULL;
	size_t n_main;

	ccni_conf_keys(req, plugin->keys);
	run_parser(plugin, req);
	n_main = v->n_keys;
	if (lists_key(v, "ipam.type") && ipam_type && ccni_plugin_type_valid(ipam_type))
		ipam = delegate_builtin(ipam_type, req->path);
	if (ipam && ipam->validate) {
		ccni_conf_keys(req, ipam->keys);
		run_parser(ipam, req);
	}
	/* An IPAM plugin not ours, or without a key list: its keys are its business. */
	if (v->n_keys == n_main)
		ccni_conf_keys(req, any_ipam);
	if (n_main)
		keys_check(req, plugin->name, ipam && ipam->validate ? ipam->name : NULL, v->keys);
}

static int print(int fd, struct ccni_validation *v, bool validated)
{
	_cleanup_json_ json_t *o = json_pack("{s:O,s:O,s:b}", "problems", v->problems, "facts",
					     v->facts, "validated", validated);
	_cleanup_free_ char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;

	if (!text || util_write_all(fd, text, strlen(text)) < 0 || util_write_all(fd, "\n", 1) < 0)
		return 1;
	return 0;
}

int ccni_plugin_validate(const struct ccni_plugin *plugin, int in_fd, int out_fd)
{
	struct ccni_validation v = { json_array(), json_object() };
	_cleanup_json_ json_t *problems = v.problems, *facts = v.facts, *config = NULL;
	struct ccni_request req = { 0 };
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_free_ char *data = NULL;
	const char *path = getenv("CNI_PATH");
	int rc;

	if (!problems || !facts)
		return 1;
	/* ADD's view: a container and an interface, nothing done with them. */
	req.command = CCNI_CMD_ADD;
	req.command_name = ccni_command_name(CCNI_CMD_ADD);
	req.container_id = "ccni-validate";
	req.ifname = "eth0";
	req.path = path && *path ? path : NULL;
	req.envp = environ;
	data = util_read_fd(in_fd, CCNI_STDIN_MAX, &req.stdin_len);
	if (!data) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "stdin: cannot read the config");
		record(&v, "error", err.msg);
	} else {
		req.stdin_data = data;
		if (skel_read_config(&req, plugin, &config, &err) < 0)
			record(&v, "error", err.msg);
		else if (plugin->validate) {
			req.validation = &v;
			validate_request(plugin, &req);
		}
	}
	rc = print(out_fd, &v, plugin->validate != NULL);
	ccni_error_clear(&err);
	ccni_result_free(req.prev_result);
	ccni_args_free(&req.args);
	return rc;
}
