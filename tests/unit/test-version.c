/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ccni/version.h>

static void test_parse(void **state)
{
	struct ccni_version v;

	(void)state;
	assert_int_equal(ccni_version_parse("1.1.0", &v), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 1);
	assert_int_equal(v.patch, 0);
	assert_int_equal(ccni_version_parse("0.3.1", &v), 0);
	assert_int_equal(v.patch, 1);
	assert_int_equal(ccni_version_parse("1.0", &v), 0);
	assert_int_equal(v.patch, 0);
	assert_int_equal(ccni_version_parse("", &v), -1);
	assert_int_equal(ccni_version_parse("1", &v), -1);
	assert_int_equal(ccni_version_parse("a.b.c", &v), -1);
	assert_int_equal(ccni_version_parse("1.0.0.0", &v), -1);
	assert_int_equal(ccni_version_parse("-1.0.0", &v), -1);
	assert_int_equal(ccni_version_parse("+1.0.0", &v), -1);
	assert_int_equal(ccni_version_parse(NULL, &v), -1);
}

static void test_compare(void **state)
{
	(void)state;
	assert_true(ccni_version_cmp("0.3.1", "0.4.0") < 0);
	assert_true(ccni_version_cmp("1.0.0", "0.4.0") > 0);
	assert_true(ccni_version_cmp("1.1.0", "1.1.0") == 0);
	assert_true(ccni_version_cmp("0.10.0", "0.9.0") > 0);
	assert_true(ccni_version_cmp("junk", "0.1.0") < 0);
	assert_true(ccni_version_ge("1.1.0", "0.4.0"));
	assert_false(ccni_version_ge("0.3.1", "0.4.0"));
	assert_false(ccni_version_ge("junk", "0.1.0"));
}

static void test_supported(void **state)
{
	const char *want[] = { "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
	size_t n = 0;

	(void)state;
	for (const char *const *v = ccni_supported_versions; *v; v++, n++)
		assert_string_equal(*v, want[n]);
	assert_int_equal(n, 7);
	assert_string_equal(ccni_version_supported("1.0.0"), "1.0.0");
	assert_null(ccni_version_supported("1.2.0"));
	assert_null(ccni_version_supported("0.5.0"));
	assert_true(ccni_version_in("0.4.0", ccni_supported_versions));
	assert_false(ccni_version_in("2.0.0", ccni_supported_versions));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_supported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
