/* SPDX-License-Identifier: Apache-2.0 */
/* The tap plugin's configuration: defaults, every key, the MAC's sources
 * in the reference's order, and errors that name the key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/main/tap/tap.h"

TEST_CONF_PARSER(struct tap_conf, tap_conf_parse, CCNI_CMD_ADD)

/* DEL looks at neither CNI_ARGS nor runtimeConfig */
static int parse_del(const char *conf, const char *args, struct tap_conf *c, struct ccni_error *e)
{
	test_request_free(&last);
	test_request_init(&last, CCNI_CMD_DEL, conf, args);
	return tap_conf_parse(&last.r, c, e);
}

#define HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"tap\""

static void test_defaults(void **state)
{
	struct tap_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD "}", &c, &e), 0);
	assert_false(c.has_mac);
	assert_int_equal(c.mtu, 0);
	assert_null(c.selinux);
	assert_false(c.multi_queue);
	assert_false(c.has_owner);
	assert_false(c.has_group);
	assert_null(c.bridge);
	assert_null(c.ipam_type);
}

static void test_every_key(void **state)
{
	struct tap_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD ",\"mac\":\"02:00:00:00:00:01\",\"mtu\":1400,\"multiQueue\":true,"
				    "\"owner\":0,\"group\":4294967295,\"bridge\":\"br1\","
				    "\"selinuxcontext\":\"system_u:system_r:container_t:s0\","
				    "\"ipam\":{\"type\":\"host-local\"}}",
			       &c, &e),
			 0);
	assert_true(c.has_mac);
	assert_int_equal(c.mac[5], 1);
	assert_int_equal(c.mtu, 1400);
	assert_true(c.multi_queue);
	assert_true(c.has_owner);
	assert_int_equal(c.owner, 0);
	assert_true(c.has_group);
	assert_int_equal(c.group, 4294967295u);
	assert_string_equal(c.bridge, "br1");
	assert_string_equal(c.selinux, "system_u:system_r:container_t:s0");
	assert_string_equal(c.ipam_type, "host-local");
	/* the reference's code spells it selinuxContext */
	assert_int_equal(parse(HEAD ",\"selinuxContext\":\"x_u:x_r:x_t:s0\",\"bridge\":\"\"}", &c, &e),
			 0);
	assert_string_equal(c.selinux, "x_u:x_r:x_t:s0");
	assert_null(c.bridge);
}

static void test_mac_sources(void **state)
{
	struct tap_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;
	const char *conf = HEAD ",\"mac\":\"02:00:00:00:00:01\"}";
	const char *rt = HEAD ",\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":"
			      "{\"mac\":\"02:00:00:00:00:03\"}}";

	(void)state;
	assert_int_equal(parse_args(conf, "MAC=02:00:00:00:00:02", &c, &e), 0);
	assert_int_equal(c.mac[5], 2);
	assert_int_equal(parse_args(rt, "MAC=02:00:00:00:00:02", &c, &e), 0);
	assert_int_equal(c.mac[5], 3);
	/* an empty value overrides nothing */
	assert_int_equal(parse_args(conf, "MAC=", &c, &e), 0);
	assert_int_equal(c.mac[5], 1);
	/* DEL looks at neither CNI_ARGS nor runtimeConfig */
	assert_int_equal(parse_del(conf, "FOO=1", &c, &e), 0);
	assert_int_equal(c.mac[5], 1);
	expect_err(conf, "FOO=1", CCNI_ERR_UNSUPPORTED_FIELD, "FOO");
	assert_int_equal(parse_args(conf, "IgnoreUnknown=1;FOO=1", &c, &e), 0);
	expect_err(conf, "MAC=xx", CCNI_ERR_INVALID_CONFIG, "CNI_ARGS MAC: invalid MAC address \"xx\"");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_err(HEAD ",\"mac\":\"02:00\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		   "mac: invalid MAC address \"02:00\"");
	expect_err(HEAD ",\"mtu\":-1}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"mtu\":65536}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"owner\":-1}", NULL, CCNI_ERR_INVALID_CONFIG, "owner");
	expect_err(HEAD ",\"group\":4294967296}", NULL, CCNI_ERR_INVALID_CONFIG, "group");
	expect_err(HEAD ",\"multiQueue\":1}", NULL, CCNI_ERR_INVALID_CONFIG, "multiQueue");
	expect_err(HEAD ",\"bridge\":\"a:b\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		   "bridge: invalid interface name \"a:b\"");
	expect_err(HEAD ",\"selinuxcontext\":5}", NULL, CCNI_ERR_INVALID_CONFIG, "selinuxcontext");
	expect_err(HEAD ",\"ipam\":\"x\"}", NULL, CCNI_ERR_INVALID_CONFIG, "ipam");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_mac_sources),
		cmocka_unit_test(test_bad_values),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_request_free(&last);
	return rc;
}
