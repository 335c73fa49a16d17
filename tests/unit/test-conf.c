/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <ccni/conf.h>

static struct ccni_conflist *parse_ok(const char *text)
{
	struct ccni_conflist *l = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (ccni_conflist_parse(text, strlen(text), "t.conflist", &l, &e) < 0)
		fail_msg("unexpected error: %s", e.msg);
	return l;
}

static void parse_err(const char *text, int code, const char *needle)
{
	struct ccni_conflist *l = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	assert_int_equal(ccni_conflist_parse(text, strlen(text), "t.conflist", &l, &e), -1);
	assert_null(l);
	assert_int_equal(e.code, code);
	if (!strstr(e.msg, needle))
		fail_msg("\"%s\" not in \"%s\"", needle, e.msg);
	ccni_error_clear(&e);
}

static void test_conflist(void **state)
{
	struct ccni_conflist *l;
	char *text;

	(void)state;
	l = parse_ok("{\"cniVersion\":\"1.1.0\",\"cniVersions\":[\"1.0.0\",\"1.1.0\"],\"name\":\"n1\","
		     "\"disableCheck\":true,\"disableGC\":\"true\",\"zzz\":1,"
		     "\"plugins\":[{\"type\":\"bridge\",\"unknown\":{\"b\":1,\"a\":2}},{\"type\":\"portmap\"}]}");
	assert_string_equal(l->name, "n1");
	assert_string_equal(l->cni_version, "1.1.0");
	assert_string_equal(l->cni_versions[1], "1.1.0");
	assert_null(l->cni_versions[2]);
	assert_true(l->disable_check);
	assert_true(l->disable_gc);
	assert_false(l->single);
	assert_int_equal(l->n_plugins, 2);
	/* unknown keys kept, in order */
	text = json_dumps(l->plugins[0], JSON_COMPACT);
	assert_string_equal(text, "{\"type\":\"bridge\",\"unknown\":{\"b\":1,\"a\":2}}");
	free(text);
	ccni_conflist_free(l);
}

static void test_single_conf(void **state)
{
	struct ccni_conflist *l;

	(void)state;
	l = parse_ok("{\"cniVersion\":\"0.4.0\",\"name\":\"c\",\"type\":\"bridge\",\"bridge\":\"br0\"}");
	assert_true(l->single);
	assert_int_equal(l->n_plugins, 1);
	assert_ptr_equal(l->plugins[0], l->json);
	ccni_conflist_free(l);
	/* no plugins: allowed (aggregation adds them) */
	l = parse_ok("{\"cniVersion\":\"1.1.0\",\"name\":\"agg\"}");
	assert_int_equal(l->n_plugins, 0);
	ccni_conflist_free(l);
}

static void test_errors(void **state)
{
	(void)state;
	parse_err("{\"name\":", CCNI_ERR_DECODE, "t.conflist:1:");
	parse_err("[]", CCNI_ERR_INVALID_CONFIG, "expected a JSON object");
	parse_err("{\"plugins\":[{\"type\":\"x\"}]}", CCNI_ERR_INVALID_CONFIG, "name: missing");
	parse_err("{\"name\":\"a b\",\"plugins\":[{\"type\":\"x\"}]}", CCNI_ERR_INVALID_CONFIG, "\"a b\"");
	parse_err("{\"name\":\"n\",\"plugins\":[]}", CCNI_ERR_INVALID_CONFIG, "empty");
	parse_err("{\"name\":\"n\",\"plugins\":{}}", CCNI_ERR_INVALID_CONFIG, "plugins: expected an array");
	parse_err("{\"name\":\"n\",\"plugins\":[{\"type\":\"../x\"}]}", CCNI_ERR_INVALID_CONFIG,
		  "plugins[0].type: invalid plugin type \"../x\"");
	parse_err("{\"name\":\"n\",\"plugins\":[{\"typo\":\"x\"}]}", CCNI_ERR_INVALID_CONFIG,
		  "plugins[0].type: missing");
	parse_err("{\"name\":\"n\",\"cniVersion\":1,\"type\":\"x\"}", CCNI_ERR_INVALID_CONFIG,
		  "cniVersion: expected a string");
	parse_err("{\"name\":\"n\",\"disableCheck\":\"maybe\",\"type\":\"x\"}", CCNI_ERR_INVALID_CONFIG,
		  "disableCheck");
	parse_err("{\"name\":\"n\",\"loadOnlyInlinedPlugins\":true}", CCNI_ERR_INVALID_CONFIG,
		  "loadOnlyInlinedPlugins");
}

static void test_name_rules(void **state)
{
	(void)state;
	assert_true(ccni_name_valid("cbr0"));
	assert_true(ccni_name_valid("my-net_1.2"));
	assert_false(ccni_name_valid(""));
	assert_false(ccni_name_valid("-x"));
	assert_false(ccni_name_valid("a/b"));
	assert_false(ccni_name_valid(".."));
	assert_true(ccni_container_id_valid("ctr-1_2.3"));
	assert_false(ccni_container_id_valid("a b"));
	assert_true(ccni_plugin_type_valid("host-local"));
	assert_false(ccni_plugin_type_valid("a/b"));
	assert_false(ccni_plugin_type_valid(".."));
	assert_false(ccni_plugin_type_valid("."));
	assert_false(ccni_plugin_type_valid(""));
	assert_false(ccni_plugin_type_valid("a\\b"));
	assert_true(ccni_ifname_valid("eth0"));
	assert_true(ccni_ifname_valid("abcdefghijklmno"));
	assert_false(ccni_ifname_valid("abcdefghijklmnop"));
	assert_false(ccni_ifname_valid("a:b"));
	assert_false(ccni_ifname_valid("a b"));
	assert_false(ccni_ifname_valid("a/b"));
	assert_false(ccni_ifname_valid(".."));
	assert_false(ccni_ifname_valid(""));
}

static void test_getters(void **state)
{
	json_t *o = json_loads("{\"s\":\"x\",\"b\":true,\"i\":1500,\"r\":2.0,\"f\":1.5,\"n\":null}", 0, NULL);
	struct ccni_error e = CCNI_ERROR_INIT;
	const char *s = NULL;
	bool b = false;
	long long i = 0;

	(void)state;
	assert_int_equal(ccni_json_get_string(o, "", "s", &s, &e), 0);
	assert_string_equal(s, "x");
	assert_int_equal(ccni_json_get_bool(o, "", "b", &b, &e), 0);
	assert_true(b);
	assert_int_equal(ccni_json_get_int(o, "", "i", 0, 65535, &i, &e), 0);
	assert_int_equal(i, 1500);
	assert_int_equal(ccni_json_get_int(o, "", "r", 0, 10, &i, &e), 0);
	assert_int_equal(i, 2);
	s = "unchanged";
	assert_int_equal(ccni_json_get_string(o, "", "n", &s, &e), 0);
	assert_string_equal(s, "unchanged");
	assert_int_equal(ccni_json_get_string(o, "ipam", "b", &s, &e), -1);
	assert_string_equal(e.msg, "ipam.b: expected a string, got boolean true");
	assert_int_equal(ccni_json_get_int(o, "", "i", 0, 1000, &i, &e), -1);
	assert_string_equal(e.msg, "i: 1500 is out of range [0, 1000]");
	assert_int_equal(ccni_json_get_int(o, "", "f", 0, 10, &i, &e), -1);
	assert_int_equal(ccni_json_require_string(o, "x", "missing", &s, &e), -1);
	assert_string_equal(e.msg, "x.missing: missing");
	ccni_error_clear(&e);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflist),
		cmocka_unit_test(test_single_conf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_getters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
