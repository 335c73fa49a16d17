/* SPDX-License-Identifier: Apache-2.0 */
/* Runtime: conf dir loading, aggregation, version selection, runtimeConfig. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/util.h"
#include "lib/common/base64.h"
#include "lib/runtime/internal.h"

struct fx {
	char dir[64];
	struct ccni_runtime *rt;
};

static void put(struct fx *f, const char *name, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(util_write_file_atomic(path, text, strlen(text), 0644, false), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ccni_runtime_opts o = { 0 };
	struct ccni_error e = CCNI_ERROR_INIT;

	strcpy(f->dir, "/tmp/ccni-rtconf.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.conf_dir = f->dir;
	o.cache_dir = f->dir;
	o.plugin_path = "/nonexistent";
	assert_int_equal(ccni_runtime_new(&o, &f->rt, &e), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	ccni_runtime_free(f->rt);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_load_order_and_default(void **state)
{
	struct fx *f = *state;
	struct ccni_network *n = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	put(f, "20-b.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"b\",\"type\":\"bridge\"}");
	put(f, "10-a.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"x\"}]}");
	put(f, "05-broken.conflist", "{\"name\":");
	put(f, "30-a.conf", "{\"cniVersion\":\"0.4.0\",\"name\":\"a\",\"type\":\"other\"}");
	/* default: the first valid file in lexical order */
	assert_int_equal(ccni_network_load(f->rt, NULL, &n, &e), 0);
	assert_string_equal(ccni_network_name(n), "a");
	ccni_network_free(n);
	/* by name: .conflist wins over .conf */
	assert_int_equal(ccni_network_load(f->rt, "a", &n, &e), 0);
	assert_string_equal(json_string_value(json_object_get(ccni_network_plugin(n, 0), "type")), "x");
	ccni_network_free(n);
	assert_int_equal(ccni_network_load(f->rt, "b", &n, &e), 0);
	assert_int_equal(ccni_network_n_plugins(n), 1);
	assert_string_equal(ccni_network_version(n), "1.0.0");
	ccni_network_free(n);
	assert_int_equal(ccni_network_load(f->rt, "zzz", &n, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_NOT_FOUND);
	assert_non_null(strstr(e.msg, "05-broken.conflist"));
	ccni_error_clear(&e);
	assert_int_equal(ccni_network_load(f->rt, "../x", &n, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_INVALID_CONFIG);
	ccni_error_clear(&e);
}

static void test_aggregation(void **state)
{
	struct fx *f = *state;
	struct ccni_network *n = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	char sub[128];

	put(f, "agg.conflist", "{\"cniVersion\":\"1.1.0\",\"name\":\"agg\",\"plugins\":[{\"type\":\"first\"}]}");
	snprintf(sub, sizeof(sub), "%s/agg", f->dir);
	mkdir(sub, 0755);
	put(f, "agg/20-third.conf", "{\"type\":\"third\"}");
	put(f, "agg/10-second.conf", "{\"type\":\"second\"}");
	put(f, "agg/ignored.json", "{\"type\":\"nope\"}");
	assert_int_equal(ccni_network_load(f->rt, "agg", &n, &e), 0);
	assert_int_equal(ccni_network_n_plugins(n), 3);
	assert_string_equal(json_string_value(json_object_get(ccni_network_plugin(n, 1), "type")), "second");
	assert_string_equal(json_string_value(json_object_get(ccni_network_plugin(n, 2), "type")), "third");
	ccni_network_free(n);
	put(f, "agg/30-bad.conf", "{\"type\":\"a/b\"}");
	assert_int_equal(ccni_network_load_file(f->rt, "/dev/null", &n, &e), -1);
	ccni_error_clear(&e);
	snprintf(sub, sizeof(sub), "%s/agg.conflist", f->dir);
	assert_int_equal(ccni_network_load_file(f->rt, sub, &n, &e), -1);
	assert_non_null(strstr(e.msg, "30-bad.conf"));
	ccni_error_clear(&e);
}

static void test_version_selection(void **state)
{
	struct ccni_conflist *l = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	const char *t1 = "{\"name\":\"v\",\"cniVersion\":\"0.3.1\",\"cniVersions\":[\"1.0.0\",\"9.9.9\",\"0.4.0\"]}";
	const char *t2 = "{\"name\":\"v\",\"cniVersion\":\"1.0.0\"}";
	const char *t3 = "{\"name\":\"v\",\"cniVersion\":\"1.1.0\",\"cniVersions\":[\"0.4.0\"]}";

	(void)state;
	assert_int_equal(ccni_conflist_parse(t1, strlen(t1), NULL, &l, &e), 0);
	assert_string_equal(rt_choose_version(l), "1.0.0");
	ccni_conflist_free(l);
	assert_int_equal(ccni_conflist_parse(t2, strlen(t2), NULL, &l, &e), 0);
	assert_string_equal(rt_choose_version(l), "1.0.0");
	ccni_conflist_free(l);
	assert_int_equal(ccni_conflist_parse(t3, strlen(t3), NULL, &l, &e), 0);
	assert_string_equal(rt_choose_version(l), "1.1.0");
	ccni_conflist_free(l);
}

static void test_runtime_config(void **state)
{
	struct fx *f = *state;
	struct ccni_network *n = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	const char *text = "{\"cniVersion\":\"1.0.0\",\"name\":\"rc\",\"plugins\":[{\"type\":\"p\",\"z\":1,"
			   "\"capabilities\":{\"portMappings\":true,\"bandwidth\":false,\"mac\":true,\"custom\":true}}]}";
	json_t *caps = json_loads("{\"portMappings\":[{\"hostPort\":1}],\"bandwidth\":{},\"ips\":[],\"custom\":\"c\"}",
				  0, NULL);
	json_t *prev = json_loads("{\"cniVersion\":\"1.0.0\",\"dns\":{}}", 0, NULL);
	struct ccni_attachment a = { .container_id = "c", .capability_args = caps };
	char *out;
	json_t *j;

	assert_int_equal(ccni_network_from_bytes(f->rt, text, strlen(text), &n, &e), 0);
	out = rt_plugin_config(n, ccni_network_plugin(n, 0), prev, &a, NULL);
	j = json_loads(out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "rc");
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "1.0.0");
	assert_int_equal(json_object_size(json_object_get(j, "runtimeConfig")), 2);
	assert_non_null(json_object_get(json_object_get(j, "runtimeConfig"), "portMappings"));
	assert_non_null(json_object_get(json_object_get(j, "runtimeConfig"), "custom"));
	assert_null(json_object_get(json_object_get(j, "runtimeConfig"), "bandwidth"));
	assert_non_null(json_object_get(j, "prevResult"));
	/* the plugin's own keys stay first and in order */
	assert_string_equal(json_object_iter_key(json_object_iter(j)), "type");
	json_decref(j);
	free(out);
	/* nothing asked: no runtimeConfig at all */
	a.capability_args = NULL;
	out = rt_plugin_config(n, ccni_network_plugin(n, 0), NULL, &a, NULL);
	j = json_loads(out, 0, NULL);
	assert_null(json_object_get(j, "runtimeConfig"));
	assert_null(json_object_get(j, "prevResult"));
	json_decref(j);
	free(out);
	ccni_network_free(n);
	json_decref(caps);
	json_decref(prev);
}

static void test_base64(void **state)
{
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		char *e = b64_encode(in[i], strlen(in[i]));
		size_t n;
		char *d = b64_decode(e, &n);

		assert_string_equal(e, want[i]);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(d, in[i], n);
		free(e);
		free(d);
	}
	assert_null(b64_decode("a*b", &(size_t){ 0 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_order_and_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aggregation, setup, teardown),
		cmocka_unit_test(test_version_selection),
		cmocka_unit_test_setup_teardown(test_runtime_config, setup, teardown),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
