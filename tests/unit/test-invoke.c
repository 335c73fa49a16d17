/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin invoker shared by the runtime and delegation: the environment
 * a plugin gets, and what is made of how it ended. Plugins here are small
 * sh scripts in a temp dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/invoke/invoke.h"

static char dir[] = "/tmp/ccni-invoke.XXXXXX";

static void plugin(const char *name, const char *body)
{
	char path[96], *text = util_asprintf("#!/bin/sh\ncat >/dev/null\n%s\n", body);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(util_write_file_atomic(path, text, strlen(text), 0755, false), 0);
	free(text);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	plugin("fails", "echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad key\"}'\n"
			"echo 'what went wrong' >&2; exit 1");
	plugin("dies", "echo 'not json'; echo 'the disk is on fire' >&2; exit 3");
	plugin("junk", "echo 'not json'");
	plugin("silent", "exit 0");
	plugin("recorder", "env >\"$(dirname \"$0\")/env.$CNI_COMMAND\"");
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool has(const struct invoke_env *e, const char *v)
{
	for (size_t i = 0; i < e->n; i++)
		if (streq(e->v[i], v))
			return true;
	return false;
}

static void test_set_variables_replace_the_inherited_ones(void **state)
{
	char *set[] = { "CNI_CONTAINERID=mine", "CNI_PATH=/p", NULL };
	char *inherit[] = { "CNI_CONTAINERID=theirs", "CNI_NETNS=/stray", "CNI_COMMAND=DEL",
			    "TRACEPARENT=00-ab-cd-01", "BAGGAGE=k=v", "PATH=/bin", NULL };
	struct invoke iv = { .type = "t", .command = CCNI_CMD_ADD, .set = set, .inherit = inherit };
	struct ccni_error err = CCNI_ERROR_INIT;
	struct invoke_env e;

	(void)state;
	/* the runtime: its own CNI_* are never passed on */
	assert_int_equal(invoke_env_build(&iv, &e, &err), 0);
	assert_int_equal(e.n, 6);
	assert_true(has(&e, "CNI_CONTAINERID=mine") && has(&e, "CNI_PATH=/p"));
	assert_true(has(&e, "CNI_COMMAND=ADD") && !has(&e, "CNI_COMMAND=DEL"));
	assert_false(has(&e, "CNI_NETNS=/stray"));
	assert_true(has(&e, "TRACEPARENT=00-ab-cd-01") && has(&e, "BAGGAGE=k=v"));
	assert_null(e.v[e.n]);
	invoke_env_free(&e);
	/* a delegate: the caller's CNI_* pass on but for those replaced */
	iv.set = NULL;
	iv.inherit_cni = true;
	assert_int_equal(invoke_env_build(&iv, &e, &err), 0);
	assert_int_equal(e.n, 6);
	assert_true(has(&e, "CNI_CONTAINERID=theirs") && has(&e, "CNI_NETNS=/stray"));
	assert_true(has(&e, "CNI_COMMAND=ADD") && !has(&e, "CNI_COMMAND=DEL"));
	assert_true(has(&e, "TRACEPARENT=00-ab-cd-01"));
	invoke_env_free(&e);
}

static void test_an_environment_over_the_limit_is_an_error(void **state)
{
	char **inherit = calloc(INVOKE_ENV_MAX + 1, sizeof(*inherit));
	struct invoke iv = { .type = "bridge", .command = CCNI_CMD_DEL, .inherit = inherit };
	struct ccni_error err = CCNI_ERROR_INIT;
	struct invoke_env e;

	(void)state;
	for (int i = 0; i < INVOKE_ENV_MAX; i++)
		inherit[i] = util_asprintf("V%d=x", i);
	/* with CNI_COMMAND, one over */
	assert_int_equal(invoke_env_build(&iv, &e, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_EXEC);
	assert_string_equal(err.msg, "plugin \"bridge\" DEL: its environment would have 513 "
				     "variables, more than the limit of 512");
	ccni_error_clear(&err);
	free(inherit[INVOKE_ENV_MAX - 1]);
	inherit[INVOKE_ENV_MAX - 1] = NULL;
	assert_int_equal(invoke_env_build(&iv, &e, &err), 0);
	assert_int_equal(e.n, INVOKE_ENV_MAX);
	invoke_env_free(&e);
	for (int i = 0; i < INVOKE_ENV_MAX; i++)
		free(inherit[i]);
	free(inherit);
}

static int run(const char *type, enum ccni_command cmd, bool capture, struct invoke_result *res,
	       struct ccni_error *err)
{
	struct invoke iv = { .type = type, .path = dir, .command = cmd, .in = "{}", .in_len = 2,
			     .capture_stderr = capture };

	return invoke_run(&iv, res, err);
}

static void test_an_error_object_passes_unchanged(void **state)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct invoke_result res;

	(void)state;
	assert_int_equal(run("fails", CCNI_CMD_ADD, true, &res, &err), -1);
	assert_true(res.plugin_error);
	assert_int_equal(err.code, 7);
	assert_string_equal(err.msg, "bad key");
	assert_string_equal(err.details, "stderr: what went wrong\n");
	assert_true(res.ran);
	invoke_result_free(&res);
	ccni_error_clear(&err);
}

static void test_a_plugin_without_an_error_object_is_described(void **state)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct invoke_result res;

	(void)state;
	assert_int_equal(run("dies", CCNI_CMD_CHECK, true, &res, &err), -1);
	assert_false(res.plugin_error);
	assert_int_equal(err.code, CCNI_ERR_EXEC);
	assert_string_equal(err.msg, "plugin \"dies\" CHECK exited with status 3");
	assert_string_equal(err.details, "stderr: the disk is on fire\n");
	invoke_result_free(&res);
	/* stderr not captured (a delegate's goes to its caller's): stdout */
	assert_int_equal(run("dies", CCNI_CMD_CHECK, false, &res, &err), -1);
	assert_string_equal(err.details, "stdout: not json\n");
	invoke_result_free(&res);
	ccni_error_clear(&err);
	assert_int_equal(run("nonexistent", CCNI_CMD_ADD, true, &res, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_EXEC);
	assert_non_null(strstr(err.msg, "failed to find plugin \"nonexistent\""));
	assert_false(res.ran);
	invoke_result_free(&res);
	ccni_error_clear(&err);
}

static void test_output_counts_only_for_add_and_version(void **state)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct invoke_result res;
	struct ccni_result *model = (struct ccni_result *)&res;
	struct invoke iv = { .type = "silent", .command = CCNI_CMD_ADD };

	(void)state;
	/* as libcni: what DEL, CHECK, STATUS and GC print is not read */
	assert_int_equal(run("junk", CCNI_CMD_DEL, true, &res, &err), 0);
	assert_null(res.out);
	invoke_result_free(&res);
	assert_int_equal(run("junk", CCNI_CMD_ADD, true, &res, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_DECODE);
	assert_non_null(strstr(err.msg, "plugin \"junk\" ADD: output is not JSON"));
	invoke_result_free(&res);
	ccni_error_clear(&err);
	assert_int_equal(run("silent", CCNI_CMD_ADD, true, &res, &err), 0);
	assert_int_equal(invoke_decode_result(&iv, res.out, "1.0.0", &model, &err), -1);
	assert_null(model);
	assert_string_equal(err.msg, "plugin \"silent\" ADD: no result");
	invoke_result_free(&res);
	ccni_error_clear(&err);
}

/* Delegation gets the caller's environment: CNI_* and the trace context. */
static void test_a_delegate_gets_the_callers_trace_context(void **state)
{
	char path_env[64], file[96];
	char *envp[] = { path_env, "CNI_CONTAINERID=c1", "CNI_COMMAND=ADD",
			 "TRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
			 "TRACESTATE=congo=t61rcWkgMzE", NULL };
	struct ccni_request req = { .path = dir, .envp = envp, .stdin_data = "{}", .stdin_len = 2,
				    .cni_version = "1.0.0" };
	struct ccni_error err = CCNI_ERROR_INIT;
	char *text;
	size_t len;

	(void)state;
	snprintf(path_env, sizeof(path_env), "CNI_PATH=%s", dir);
	assert_int_equal(ccni_delegate(&req, "recorder", CCNI_CMD_DEL, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/env.DEL", dir);
	text = util_read_file(file, 1 << 16, &len, true);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nTRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\n"));
	assert_non_null(strstr(text, "\nTRACESTATE=congo=t61rcWkgMzE\n"));
	assert_non_null(strstr(text, "\nCNI_CONTAINERID=c1\n"));
	assert_null(strstr(text, "CNI_COMMAND=ADD"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_variables_replace_the_inherited_ones),
		cmocka_unit_test(test_an_environment_over_the_limit_is_an_error),
		cmocka_unit_test(test_an_error_object_passes_unchanged),
		cmocka_unit_test(test_a_plugin_without_an_error_object_is_described),
		cmocka_unit_test(test_output_counts_only_for_add_and_version),
		cmocka_unit_test(test_a_delegate_gets_the_callers_trace_context),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
