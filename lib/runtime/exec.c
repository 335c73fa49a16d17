/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c — how the runtime runs one plugin of a chain: the CNI_* variables
 * of the attachment over the runtime's own environment (TRACEPARENT,
 * TRACESTATE and BAGGAGE included, so a plugin's spans join the caller's
 * trace), the deadline, stderr kept for the error and the trace; and
 * VERSION probing with a memo. The running itself is lib/invoke's.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"
#include "lib/invoke/invoke.h"
#include "lib/runtime/internal.h"

extern char **environ;

#define CALL_VARS 5 /* CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH */

struct call_env {
	char *v[CALL_VARS + 1];
	size_t n;
};

static void call_env_free(struct call_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
}

static int put(struct call_env *e, char *v)
{
	if (!v)
		return -1;
	e->v[e->n++] = v;
	e->v[e->n] = NULL;
	return 0;
}

/* The attachment's variables; the rest of CNI_* in our environment is not
 * passed on (a stray CNI_NETNS must not reach a GC). */
static int call_env(const struct ccni_runtime *rt, const struct ccni_attachment *a,
		    struct call_env *e)
{
	int rc = 0;

	e->n = 0;
	e->v[0] = NULL;
	if (a && a->container_id)
		rc |= put(e, util_asprintf("CNI_CONTAINERID=%s", a->container_id));
	if (a && a->netns)
		rc |= put(e, util_asprintf("CNI_NETNS=%s", a->netns));
	if (a)
		rc |= put(e, util_asprintf("CNI_IFNAME=%s", a->ifname ? a->ifname : "eth0"));
	if (a && a->args && *a->args)
		rc |= put(e, util_asprintf("CNI_ARGS=%s", a->args));
	rc |= put(e, util_asprintf("CNI_PATH=%s", rt->plugin_path));
	return rc;
}

static void trace_run(struct ccni_runtime *rt, const struct invoke *iv,
		      const struct invoke_result *res)
{
	char how[96];

	if (!res->ran)
		return;
	util_spawn_describe(res->status, how, sizeof(how));
	if (trace_on(&rt->trace))
		trace_step(&rt->trace, "exec",
			   json_pack("{s:s,s:s,s:s,s:f,s:i,s:I}", "plugin", iv->type, "command",
				     ccni_command_name(iv->command), "exe", res->exe, "duration_ms",
				     res->ms, "wait_status", res->status, "max_rss_kib",
				     (json_int_t)res->max_rss_kib),
			   "%s %s %s in %.3f ms (max rss %ld KiB)", res->exe,
			   ccni_command_name(iv->command), how, res->ms, res->max_rss_kib);
	if (!res->err_len)
		return;
	if (!trace_on(&rt->trace))
		fputs(res->err, stderr);
	else
		trace_step(&rt->trace, "exec", json_pack("{s:s,s:s}", "plugin", iv->type, "stderr",
							  res->err),
			   "%s stderr: %.2000s", iv->type, res->err);
}

int rt_run_plugin(struct ccni_runtime *rt, const struct rt_call *c, json_t **out,
		  struct ccni_error *err)
{
	struct call_env e = { 0 };
	struct invoke iv = {
		.type = c->type,
		.path = rt->plugin_path,
		.command = c->cmd,
		.set = e.v,
		.inherit = environ,
		.in = c->stdin_text,
		.in_len = c->stdin_text ? strlen(c->stdin_text) : 0,
		.timeout_ms = rt->timeout_ms,
		.capture_stderr = true,
	};
	struct invoke_result res;
	int rc;

	if (out)
		*out = NULL;
	if (call_env(rt, c->att, &e) < 0) {
		call_env_free(&e);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	rc = invoke_run(&iv, &res, err);
	call_env_free(&e);
	trace_run(rt, &iv, &res);
	if (rc < 0 && res.plugin_error)
		ccni_error_prefix(err, "plugin \"%s\" %s", c->type, ccni_command_name(c->cmd));
	if (rc == 0 && c->cmd == CCNI_CMD_ADD) {
		struct ccni_result *model = NULL;

		rc = invoke_decode_result(&iv, res.out, c->version, &model, err);
		ccni_result_free(model);
	}
	if (rc == 0 && out)
		*out = TAKE_PTR(res.out);
	invoke_result_free(&res);
	return rc;
}

static json_t *memo_get(struct ccni_runtime *rt, const char *exe)
{
	json_t *info = NULL;

	pthread_mutex_lock(&rt->lock);
	for (struct memo *m = rt->memo; m && !info; m = m->next)
		if (streq(m->path, exe))
			info = json_incref(m->info);
	pthread_mutex_unlock(&rt->lock);
	return info;
}

static void memo_put(struct ccni_runtime *rt, const char *exe, json_t *info)
{
	struct memo *m = calloc(1, sizeof(*m));

	if (!m || !(m->path = strdup(exe))) {
		free(m);
		return;
	}
	m->info = json_incref(info);
	pthread_mutex_lock(&rt->lock);
	m->next = rt->memo;
	rt->memo = m;
	pthread_mutex_unlock(&rt->lock);
}

int ccni_plugin_info(struct ccni_runtime *rt, const char *type, json_t **info,
		     struct ccni_error *err)
{
	_cleanup_free_ char *exe = ccni_find_in_path(type, rt->plugin_path, err);
	struct rt_call c = { type, CCNI_CMD_VERSION, NULL,
			     "{\"cniVersion\":\"" CCNI_SPEC_VERSION "\"}", NULL };
	json_t *j = NULL;

	assert(rt && info);
	if (!exe)
		return -1;
	*info = memo_get(rt, exe);
	if (*info)
		return 0;
	if (rt_run_plugin(rt, &c, &j, err) < 0)
		return -1;
	if (!json_is_array(json_object_get(j, "supportedVersions"))) {
		json_decref(j);
		return ccni_error_set(err, CCNI_ERR_DECODE,
				      "plugin \"%s\" VERSION: no \"supportedVersions\" array", type);
	}
	memo_put(rt, exe, j);
	*info = j;
	return 0;
}
