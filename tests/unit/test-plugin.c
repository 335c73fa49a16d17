/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK skeleton, driven in-process with explicit env and fds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/util.h"
#include "tests/unit/helpers.h"

static int calls;
static const struct ccni_request *seen;

static int t_add(const struct ccni_request *req, struct ccni_result **r, struct ccni_error *err)
{
	struct ccni_ipnet a;

	calls++;
	seen = req;
	if (ccni_args_get(&req->args, "FAIL"))
		return ccni_error_set(err, 123, "asked to fail");
	*r = ccni_result_new(req->cni_version);
	ccni_result_add_interface(*r, req->ifname, "aa:bb:cc:dd:ee:ff", req->netns);
	ccni_ipnet_parse("10.1.2.3/24", &a);
	ccni_result_add_ip(*r, &a, NULL, 0);
	return 0;
}

static int t_del(const struct ccni_request *req, struct ccni_result **r, struct ccni_error *err)
{
	(void)req;
	(void)r;
	(void)err;
	calls++;
	return 0;
}

static const char *const only_new[] = { "1.0.0", "1.1.0", NULL };
static const struct ccni_plugin plug = { .name = "t", .add = t_add, .del = t_del };
static const struct ccni_plugin plug_new = { .name = "t", .add = t_add, .del = t_del,
					     .versions = only_new };

/* Run the plugin with env and stdin; return stdout (malloc'd) and status. */
static char *run(const struct ccni_plugin *p, const char *cmd, const char *conf, int *status,
		 const char *extra_env)
{
	return test_plugin_run(p, cmd, conf, extra_env, status);
}

static void test_add_encodes_in_config_version(void **state)
{
	int st;
	char *out;
	json_t *j;

	(void)state;
	calls = 0;
	out = run(&plug, "ADD", "{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"t\",\"args\":{\"cni\":{\"ips\":[\"1.2.3.4\"]}},\"runtimeConfig\":{\"mac\":\"x\"}}", &st, NULL);
	assert_int_equal(st, 0);
	assert_int_equal(calls, 1);
	j = json_loads(out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "0.3.1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "ips"), 0), "version")), "4");
	json_decref(j);
	free(out);
}

static void test_request_fields(void **state)
{
	int st;
	char *out;

	(void)state;
	out = run(&plug, "ADD",
		  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/8\"}]}}",
		  &st, "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web");
	assert_int_equal(st, 0);
	free(out);
}

static void test_errors(void **state)
{
	int st;
	char *out;
	json_t *j;

	(void)state;
	calls = 0;
	out = run(&plug, "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", &st, "CNI_ARGS=FAIL=1");
	assert_int_equal(st, 1);
	j = json_loads(out, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "code")), 123);
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "1.0.0");
	json_decref(j);
	free(out);

	calls = 0;
	out = run(&plug_new, "ADD", "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}", &st, NULL);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "\"code\": 1"));
	assert_non_null(strstr(out, "1.0.0, 1.1.0"));
	free(out);

	out = run(&plug, "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"prevResult\":{\"ips\":[{\"address\":\"bad\"}]}}", &st, NULL);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "prevResult"));
	assert_non_null(strstr(out, "\\\"bad\\\""));
	free(out);
	assert_int_equal(calls, 0);
}

static void test_del_and_version(void **state)
{
	int st;
	char *out;

	(void)state;
	calls = 0;
	out = run(&plug, "DEL", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", &st, NULL);
	assert_int_equal(st, 0);
	assert_int_equal(calls, 1);
	assert_string_equal(out, "");
	free(out);
	out = run(&plug_new, "VERSION", "", &st, NULL);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "\"supportedVersions\""));
	assert_null(strstr(out, "0.4.0"));
	free(out);
}

static void test_command_names(void **state)
{
	enum ccni_command c;

	(void)state;
	assert_int_equal(ccni_command_parse("GC", &c), 0);
	assert_int_equal(c, CCNI_CMD_GC);
	assert_string_equal(ccni_command_name(CCNI_CMD_CHECK), "CHECK");
	assert_int_equal(ccni_command_parse("add", &c), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_encodes_in_config_version),
		cmocka_unit_test(test_request_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_del_and_version),
		cmocka_unit_test(test_command_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
