/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <ccni/error.h>

static void test_set_and_json(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *j;

	(void)state;
	assert_int_equal(ccni_error_set(&e, CCNI_ERR_INVALID_CONFIG, "bridge: mtu %d", 70000), -1);
	assert_int_equal(e.code, 7);
	assert_string_equal(e.msg, "bridge: mtu 70000");
	ccni_error_set_details(&e, "more %s", "text");
	j = ccni_error_to_json(&e, "1.0.0");
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "1.0.0");
	assert_int_equal(json_integer_value(json_object_get(j, "code")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), "bridge: mtu 70000");
	assert_string_equal(json_string_value(json_object_get(j, "details")), "more text");
	json_decref(j);
	ccni_error_clear(&e);
	assert_int_equal(e.code, 0);
	assert_null(e.msg);
}

static void test_prefix_errno_move(void **state)
{
	struct ccni_error a = CCNI_ERROR_INIT, b = CCNI_ERROR_INIT;

	(void)state;
	ccni_error_errno(&a, CCNI_ERR_IO, ENOENT, "open %s", "/x");
	assert_string_equal(a.msg, "open /x: No such file or directory");
	ccni_error_prefix(&a, "host-local");
	assert_string_equal(a.msg, "host-local: open /x: No such file or directory");
	ccni_error_move(&b, &a);
	assert_int_equal(a.code, 0);
	assert_int_equal(b.code, CCNI_ERR_IO);
	ccni_error_clear(&b);
}

static void test_from_json(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *j = json_loads("{\"code\":11,\"msg\":\"busy\",\"details\":\"d\"}", 0, NULL);

	(void)state;
	assert_int_equal(ccni_error_from_json(j, &e), 0);
	assert_int_equal(e.code, 11);
	assert_string_equal(e.msg, "busy");
	assert_string_equal(e.details, "d");
	ccni_error_clear(&e);
	json_decref(j);
	j = json_loads("{\"cniVersion\":\"1.0.0\",\"ips\":[]}", 0, NULL);
	assert_int_equal(ccni_error_from_json(j, &e), -1);
	json_decref(j);
	assert_string_equal(ccni_error_code_name(CCNI_ERR_DECODE), "failed to decode content");
	assert_non_null(ccni_error_code_name(12345));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_json),
		cmocka_unit_test(test_prefix_errno_move),
		cmocka_unit_test(test_from_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
