/* SPDX-License-Identifier: Apache-2.0 */
/* The bridge plugin's configuration: defaults, every key, and errors that
 * name the field. No kernel work: bridge_conf_parse only reads the request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"

#include "plugins/main/bridge/bridge.h"


static int parse(enum ccni_command cmd, const char *conf, const char *args, struct bridge_conf *b,
		 struct ccni_error *e)
{
	struct test_request q;
	int rc;

	test_request_init(&q, cmd, conf, args);
	rc = bridge_conf_parse(&q.r, b, e);
	/* Strings in b point into the config: keep only what the tests read
	 * after the request is gone. */
	if (rc == 0) {
		static __thread char brname[32], backend[16], ipam[64];

		snprintf(brname, sizeof(brname), "%s", b->bridge);
		snprintf(backend, sizeof(backend), "%s", b->ipmasq_backend);
		b->bridge = brname;
		b->ipmasq_backend = backend;
		if (b->ipam_type) {
			snprintf(ipam, sizeof(ipam), "%s", b->ipam_type);
			b->ipam_type = ipam;
		}
	}
	test_request_free(&q);
	return rc;
}

/* The config must fail with `code` and a message containing `sub`. */
static void expect_fail(const char *conf, const char *args, int code, const char *sub)
{
	struct bridge_conf b;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse(CCNI_CMD_ADD, conf, args, &b, &e) == 0)
		fail_msg("accepted: %s", conf);
	if (e.code != code || !e.msg || !strstr(e.msg, sub))
		fail_msg("config %s: got code %d \"%s\", want code %d containing \"%s\"", conf, e.code,
			 e.msg ? e.msg : "(null)", code, sub);
	ccni_error_clear(&e);
}

static void expect_ok(const char *conf, const char *args, struct bridge_conf *b)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse(CCNI_CMD_ADD, conf, args, b, &e) < 0)
		fail_msg("rejected (%d: %s): %s", e.code, e.msg ? e.msg : "", conf);
}

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"bridge\""

static void test_defaults(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE "}", NULL, &b);
	assert_string_equal(b.bridge, "cni0");
	assert_string_equal(b.ipmasq_backend, "nftables");
	assert_false(b.is_gw);
	assert_false(b.is_default_gw);
	assert_false(b.force_address);
	assert_false(b.ipmasq);
	assert_int_equal(b.mtu, 0);
	assert_false(b.hairpin);
	assert_false(b.promisc);
	assert_int_equal(b.vlan, 0);
	assert_int_equal(b.n_trunk, 0);
	assert_false(b.preserve_default_vlan);
	assert_false(b.macspoofchk);
	assert_false(b.enable_dad);
	assert_false(b.disable_container_if);
	assert_false(b.port_isolation);
	assert_null(b.ipam_type);
	assert_false(b.has_mac);

	/* An empty bridge name or backend means the default. */
	expect_ok(BASE ",\"bridge\":\"\",\"ipMasqBackend\":\"\"}", NULL, &b);
	assert_string_equal(b.bridge, "cni0");
	assert_string_equal(b.ipmasq_backend, "nftables");
}

static void test_every_key(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE ",\"bridge\":\"br-test0\",\"isGateway\":true,\"forceAddress\":true,"
		       "\"ipMasq\":true,\"ipMasqBackend\":\"iptables\",\"mtu\":1400,"
		       "\"hairpinMode\":true,\"vlan\":100,\"preserveDefaultVlan\":true,"
		       "\"vlanTrunk\":[{\"id\":200}],\"macspoofchk\":true,\"enabledad\":true,"
		       "\"portIsolation\":true,"
		       "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/24\"}}",
		  NULL, &b);
	assert_string_equal(b.bridge, "br-test0");
	assert_true(b.is_gw);
	assert_false(b.is_default_gw);
	assert_true(b.force_address);
	assert_true(b.ipmasq);
	assert_string_equal(b.ipmasq_backend, "iptables");
	assert_int_equal(b.mtu, 1400);
	assert_true(b.hairpin);
	assert_false(b.promisc);
	assert_int_equal(b.vlan, 100);
	assert_int_equal(b.n_trunk, 1);
	assert_int_equal(b.trunk[0][0], 200);
	assert_int_equal(b.trunk[0][1], 200);
	assert_true(b.preserve_default_vlan);
	assert_true(b.macspoofchk);
	assert_true(b.enable_dad);
	assert_true(b.port_isolation);
	assert_string_equal(b.ipam_type, "host-local");

	expect_ok(BASE ",\"promiscMode\":true,\"disableContainerInterface\":true}", NULL, &b);
	assert_true(b.promisc);
	assert_true(b.disable_container_if);
	assert_null(b.ipam_type);
}

static void test_default_gateway_implies_gateway(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE ",\"isDefaultGateway\":true}", NULL, &b);
	assert_true(b.is_default_gw);
	assert_true(b.is_gw);
}

static void test_wrong_types_name_the_key(void **state)
{
	(void)state;
	expect_fail(BASE ",\"isGateway\":\"yes\"}", NULL, CCNI_ERR_INVALID_CONFIG, "isGateway");
	expect_fail(BASE ",\"isDefaultGateway\":1}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "isDefaultGateway");
	expect_fail(BASE ",\"forceAddress\":\"x\"}", NULL, CCNI_ERR_INVALID_CONFIG, "forceAddress");
	expect_fail(BASE ",\"ipMasq\":\"true\"}", NULL, CCNI_ERR_INVALID_CONFIG, "ipMasq");
	expect_fail(BASE ",\"hairpinMode\":0}", NULL, CCNI_ERR_INVALID_CONFIG, "hairpinMode");
	expect_fail(BASE ",\"promiscMode\":[]}", NULL, CCNI_ERR_INVALID_CONFIG, "promiscMode");
	expect_fail(BASE ",\"macspoofchk\":{}}", NULL, CCNI_ERR_INVALID_CONFIG, "macspoofchk");
	expect_fail(BASE ",\"enabledad\":\"no\"}", NULL, CCNI_ERR_INVALID_CONFIG, "enabledad");
	expect_fail(BASE ",\"portIsolation\":1}", NULL, CCNI_ERR_INVALID_CONFIG, "portIsolation");
	expect_fail(BASE ",\"preserveDefaultVlan\":1}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "preserveDefaultVlan");
	expect_fail(BASE ",\"disableContainerInterface\":\"x\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "disableContainerInterface");
	expect_fail(BASE ",\"bridge\":7}", NULL, CCNI_ERR_INVALID_CONFIG, "bridge");
	expect_fail(BASE ",\"ipMasqBackend\":true}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "ipMasqBackend");
	expect_fail(BASE ",\"mtu\":\"1500\"}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_fail(BASE ",\"vlan\":\"10\"}", NULL, CCNI_ERR_INVALID_CONFIG, "vlan");
}

static void test_bad_values_name_the_key(void **state)
{
	(void)state;
	expect_fail(BASE ",\"bridge\":\"a-name-longer-than-15\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "bridge: invalid interface name");
	expect_fail(BASE ",\"bridge\":\"a/b\"}", NULL, CCNI_ERR_INVALID_CONFIG, "bridge");
	expect_fail(BASE ",\"ipMasqBackend\":\"ipfw\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "ipMasqBackend: \"ipfw\"");
	expect_fail(BASE ",\"mtu\":67}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu: 67");
	expect_fail(BASE ",\"mtu\":70000}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_fail(BASE ",\"mtu\":-1}", NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_fail(BASE ",\"hairpinMode\":true,\"promiscMode\":true}", NULL,
		    CCNI_ERR_INVALID_CONFIG, "hairpinMode and promiscMode");
	expect_fail(BASE ",\"disableContainerInterface\":true,\"ipam\":{\"type\":\"host-local\"}}",
		    NULL, CCNI_ERR_INVALID_CONFIG, "disableContainerInterface");
	expect_fail(BASE ",\"ipam\":{\"type\":\"../evil\"}}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "ipam.type");
	expect_fail(BASE ",\"ipam\":{\"type\":5}}", NULL, CCNI_ERR_INVALID_CONFIG, "ipam.type");
	expect_fail(BASE ",\"ipam\":\"host-local\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "ipam: expected an object");
}

static void test_ipam_without_type_is_layer2(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE ",\"ipam\":{}}", NULL, &b);
	assert_null(b.ipam_type);
	expect_ok(BASE ",\"ipam\":{\"type\":\"\"}}", NULL, &b);
	assert_null(b.ipam_type);
	expect_ok(BASE ",\"ipam\":null}", NULL, &b);
	assert_null(b.ipam_type);
	/* Layer 2 only goes with disableContainerInterface. */
	expect_ok(BASE ",\"ipam\":{\"type\":\"\"},\"disableContainerInterface\":true}", NULL, &b);
	assert_true(b.disable_container_if);
}

static void test_vlan_range(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE ",\"vlan\":4094}", NULL, &b);
	assert_int_equal(b.vlan, 4094);
	expect_ok(BASE ",\"vlan\":0}", NULL, &b);
	assert_int_equal(b.vlan, 0);
	expect_fail(BASE ",\"vlan\":4095}", NULL, CCNI_ERR_INVALID_CONFIG, "invalid VLAN ID");
	expect_fail(BASE ",\"vlan\":-1}", NULL, CCNI_ERR_INVALID_CONFIG, "vlan");
}

static void test_vlan_trunk_merges_ranges(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_ok(BASE ",\"vlanTrunk\":[{\"minID\":10,\"maxID\":12},{\"id\":13},{\"id\":20},"
		       "{\"minID\":1,\"maxID\":2},{\"id\":11},{\"minID\":4000,\"maxID\":4094}]}",
		  NULL, &b);
	assert_int_equal(b.n_trunk, 4);
	assert_int_equal(b.trunk[0][0], 1);
	assert_int_equal(b.trunk[0][1], 2);
	assert_int_equal(b.trunk[1][0], 10);
	assert_int_equal(b.trunk[1][1], 13);
	assert_int_equal(b.trunk[2][0], 20);
	assert_int_equal(b.trunk[2][1], 20);
	assert_int_equal(b.trunk[3][0], 4000);
	assert_int_equal(b.trunk[3][1], 4094);

	/* An empty or null trunk is no trunk. */
	expect_ok(BASE ",\"vlanTrunk\":null}", NULL, &b);
	assert_int_equal(b.n_trunk, 0);
	expect_ok(BASE ",\"vlanTrunk\":[]}", NULL, &b);
	assert_int_equal(b.n_trunk, 0);
}

static void test_vlan_trunk_errors(void **state)
{
	(void)state;
	expect_fail(BASE ",\"vlanTrunk\":{}}", NULL, CCNI_ERR_INVALID_CONFIG, "vlanTrunk");
	expect_fail(BASE ",\"vlanTrunk\":[5]}", NULL, CCNI_ERR_INVALID_CONFIG, "vlanTrunk[0]");
	expect_fail(BASE ",\"vlanTrunk\":[{\"id\":1},{\"minID\":5}]}", NULL,
		    CCNI_ERR_INVALID_CONFIG, "vlanTrunk[1]: minID and maxID");
	expect_fail(BASE ",\"vlanTrunk\":[{\"maxID\":5}]}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "vlanTrunk[0]");
	expect_fail(BASE ",\"vlanTrunk\":[{\"minID\":9,\"maxID\":5}]}", NULL,
		    CCNI_ERR_INVALID_CONFIG, "vlanTrunk[0]: minID 9 is greater than maxID 5");
	expect_fail(BASE ",\"vlanTrunk\":[{\"id\":0}]}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "vlanTrunk[0]");
	expect_fail(BASE ",\"vlanTrunk\":[{\"id\":4095}]}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "vlanTrunk[0]");
	expect_fail(BASE ",\"vlanTrunk\":[{\"minID\":1,\"maxID\":4095}]}", NULL,
		    CCNI_ERR_INVALID_CONFIG, "vlanTrunk[0]");
	expect_fail(BASE ",\"vlanTrunk\":[{\"id\":\"7\"}]}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "vlanTrunk[0]");
}

static void test_vlan_trunk_bounded(void **state)
{
	char conf[8192];
	size_t n;

	(void)state;
	/* Every other VLAN: more separate ranges than the plugin keeps. */
	n = (size_t)snprintf(conf, sizeof(conf), BASE ",\"vlanTrunk\":[");
	for (int v = 1; v < 400; v += 2)
		n += (size_t)snprintf(conf + n, sizeof(conf) - n, "%s{\"id\":%d}", v > 1 ? "," : "", v);
	snprintf(conf + n, sizeof(conf) - n, "]}");
	expect_fail(conf, NULL, CCNI_ERR_INVALID_CONFIG, "vlanTrunk: more than");
}

static void test_mac_sources_and_precedence(void **state)
{
	struct bridge_conf b;
	static const uint8_t m1[6] = { 0x02, 0, 0, 0, 0, 0x01 }, m2[6] = { 0x02, 0, 0, 0, 0, 0x02 },
			     m3[6] = { 0x02, 0, 0, 0, 0, 0x03 };

	(void)state;
	expect_ok(BASE "}", "MAC=02:00:00:00:00:01", &b);
	assert_true(b.has_mac);
	assert_memory_equal(b.mac, m1, 6);

	expect_ok(BASE ",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}}}",
		  "MAC=02:00:00:00:00:01", &b);
	assert_memory_equal(b.mac, m2, 6);

	expect_ok(BASE ",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}},"
		       "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}}",
		  "MAC=02:00:00:00:00:01", &b);
	assert_memory_equal(b.mac, m3, 6);

	/* An empty value does not override. */
	expect_ok(BASE ",\"runtimeConfig\":{\"mac\":\"\"}}", "MAC=02:00:00:00:00:01", &b);
	assert_memory_equal(b.mac, m1, 6);

	/* the message names the source of the bad value */
	expect_fail(BASE "}", "MAC=not-a-mac", CCNI_ERR_INVALID_CONFIG,
		    "CNI_ARGS MAC: invalid MAC address \"not-a-mac\"");
	expect_fail(BASE ",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00\"}}", NULL,
		    CCNI_ERR_INVALID_CONFIG, "runtimeConfig.mac: invalid MAC address \"02:00:00:00:00\"");
	expect_fail(BASE ",\"args\":{\"cni\":{\"mac\":\"x\"}}}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "args.cni.mac: invalid MAC address \"x\"");
	expect_fail(BASE ",\"runtimeConfig\":{\"mac\":5}}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "runtimeConfig.mac");
	expect_fail(BASE ",\"args\":{\"cni\":{\"mac\":[]}}}", NULL, CCNI_ERR_INVALID_CONFIG,
		    "args.cni.mac");
}

static void test_unknown_cni_args(void **state)
{
	struct bridge_conf b;

	(void)state;
	expect_fail(BASE "}", "FOO=bar", CCNI_ERR_UNSUPPORTED_FIELD, "FOO");
	expect_ok(BASE "}", "IgnoreUnknown=1;FOO=bar;MAC=02:00:00:00:00:01", &b);
	assert_true(b.has_mac);
}

static void test_del_ignores_the_mac(void **state)
{
	struct bridge_conf b;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	/* DEL must succeed whatever the runtime passes for the MAC. */
	assert_int_equal(parse(CCNI_CMD_DEL, BASE ",\"runtimeConfig\":{\"mac\":\"junk\"}}",
			       "MAC=junk;FOO=1", &b, &e),
			 0);
	assert_false(b.has_mac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_default_gateway_implies_gateway),
		cmocka_unit_test(test_wrong_types_name_the_key),
		cmocka_unit_test(test_bad_values_name_the_key),
		cmocka_unit_test(test_ipam_without_type_is_layer2),
		cmocka_unit_test(test_vlan_range),
		cmocka_unit_test(test_vlan_trunk_merges_ranges),
		cmocka_unit_test(test_vlan_trunk_errors),
		cmocka_unit_test(test_vlan_trunk_bounded),
		cmocka_unit_test(test_mac_sources_and_precedence),
		cmocka_unit_test(test_unknown_cni_args),
		cmocka_unit_test(test_del_ignores_the_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
