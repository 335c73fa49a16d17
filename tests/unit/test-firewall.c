/* SPDX-License-Identifier: Apache-2.0 */
/* The firewall plugin's configuration: every key, its defaults and errors
 * (code and the key named), the addresses and the bridge of prevResult. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <ccni/plugin.h>
#include <ccni/result.h>

#include "tests/unit/helpers.h"
#include "plugins/meta/firewall/firewall.h"

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"firewall\""
#define PREV                                                                                     \
	",\"prevResult\":{\"interfaces\":[{\"name\":\"cni0\"},{\"name\":\"veth1\"},"              \
	"{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":\"10.1.0.5/24\"," \
	"\"interface\":2},{\"address\":\"fd00::5/64\",\"interface\":2},"                         \
	"{\"address\":\"10.1.0.5/24\",\"interface\":2}]}"

static int parse(const char *conf, struct firewall_conf *c, struct ccni_error *e)
{
	struct test_request q;
	int rc;

	test_request_init(&q, CCNI_CMD_ADD, conf, NULL);
	rc = firewall_conf_parse(&q.r, c, e);
	/* backend and zone point into the JSON: keep what the tests read */
	if (rc == 0) {
		static char backend[32], zone[32];

		snprintf(backend, sizeof(backend), "%s", c->backend);
		c->backend = backend;
		if (c->zone) {
			snprintf(zone, sizeof(zone), "%s", c->zone);
			c->zone = zone;
		}
	}
	test_request_free(&q);
	return rc;
}

static void expect_ok(const char *conf, struct firewall_conf *c)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse(conf, c, &e) != 0)
		fail_msg("unexpected error %d: %s\nconfig: %s", e.code, e.msg, conf);
}

static void expect_fail(const char *conf, int code, const char *sub)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct firewall_conf c;

	if (parse(conf, &c, &e) == 0)
		fail_msg("parse passed, want code %d: %s", code, conf);
	if (e.code != code || !e.msg || !strstr(e.msg, sub))
		fail_msg("got %d \"%s\", want %d containing \"%s\"\nconfig: %s", e.code,
			 e.msg ? e.msg : "", code, sub, conf);
	ccni_error_clear(&e);
}

static void test_defaults(void **state)
{
	struct firewall_conf c;

	(void)state;
	expect_ok(BASE "}", &c);
	assert_string_equal(c.backend, "nftables");
	assert_string_equal(c.admin_chain, "CNI-ADMIN");
	assert_null(c.zone);
	assert_false(c.same_bridge);
	assert_int_equal(c.n_addrs, 0);
	assert_string_equal(c.bridge, "");
	/* empty strings are the defaults too */
	expect_ok(BASE ",\"backend\":\"\",\"iptablesAdminChainName\":\"\",\"ingressPolicy\":\"\"}", &c);
	assert_string_equal(c.backend, "nftables");
	assert_string_equal(c.admin_chain, "CNI-ADMIN");
	assert_false(c.same_bridge);
	expect_ok(BASE ",\"ingressPolicy\":null,\"backend\":null}", &c);
	assert_string_equal(c.backend, "nftables");
}

static void test_keys(void **state)
{
	struct firewall_conf c;

	(void)state;
	expect_ok(BASE ",\"backend\":\"iptables\",\"iptablesAdminChainName\":\"MY_ADMIN-1.x\","
		       "\"firewalldZone\":\"public\",\"ingressPolicy\":\"same-bridge\"}",
		  &c);
	assert_string_equal(c.backend, "iptables");
	assert_string_equal(c.admin_chain, "MY_ADMIN-1.x");
	assert_string_equal(c.zone, "public");
	assert_true(c.same_bridge);
	expect_ok(BASE ",\"backend\":\"nftables\",\"ingressPolicy\":\"open\"}", &c);
	assert_string_equal(c.backend, "nftables");
	assert_false(c.same_bridge);
	/* 28 characters: iptables' limit */
	expect_ok(BASE ",\"iptablesAdminChainName\":\"A234567890123456789012345678\"}", &c);
	assert_string_equal(c.admin_chain, "A234567890123456789012345678");
}

static void test_bad_keys(void **state)
{
	(void)state;
	expect_fail(BASE ",\"backend\":1}", 7, "backend");
	expect_fail(BASE ",\"backend\":\"ebtables\"}", 7, "backend: unrecognized backend \"ebtables\"");
	expect_fail(BASE ",\"backend\":\"firewalld\"}", 2, "backend: \"firewalld\" is not supported");
	expect_fail(BASE ",\"iptablesAdminChainName\":true}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"A2345678901234567890123456789\"}", 7,
		    "iptablesAdminChainName: invalid chain name");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"a b\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"-x\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"x;y\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"x\\\"y\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"forward\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"iptablesAdminChainName\":\"admin-jumps\"}", 7, "iptablesAdminChainName");
	expect_fail(BASE ",\"firewalldZone\":[]}", 7, "firewalldZone");
	expect_fail(BASE ",\"ingressPolicy\":5}", 7, "ingressPolicy");
	expect_fail(BASE ",\"ingressPolicy\":\"Same-Bridge\"}", 7, "ingressPolicy: unknown ingress policy");
	expect_fail(BASE ",\"ingressPolicy\":\"isolated\"}", 2, "ingressPolicy: \"isolated\"");
}

static void test_prev_result(void **state)
{
	struct firewall_conf c;
	char a[CCNI_IP_STRLEN];

	(void)state;
	expect_ok(BASE PREV "}", &c);
	/* every address once; the bridge only with same-bridge */
	assert_int_equal(c.n_addrs, 2);
	assert_string_equal(ccni_ip_format(&c.addrs[0].ip, a), "10.1.0.5");
	assert_string_equal(ccni_ip_format(&c.addrs[1].ip, a), "fd00::5");
	assert_string_equal(c.bridge, "");
	expect_ok(BASE ",\"ingressPolicy\":\"same-bridge\"" PREV "}", &c);
	assert_string_equal(c.bridge, "cni0");
	/* the first interface on the host side */
	expect_ok(BASE ",\"ingressPolicy\":\"same-bridge\",\"prevResult\":{\"interfaces\":["
		       "{\"name\":\"eth0\",\"sandbox\":\"/x\"},{\"name\":\"br1\"}],\"ips\":[]}}",
		  &c);
	assert_string_equal(c.bridge, "br1");
	/* none: not known (ADD refuses it, DEL goes by tag) */
	expect_ok(BASE ",\"ingressPolicy\":\"same-bridge\",\"prevResult\":{\"ips\":"
		       "[{\"address\":\"10.1.0.5/24\"}]}}",
		  &c);
	assert_string_equal(c.bridge, "");
	assert_int_equal(c.n_addrs, 1);
	expect_fail(BASE ",\"ingressPolicy\":\"same-bridge\",\"prevResult\":{\"interfaces\":"
			 "[{\"name\":\"a b\"}]}}",
		    7, "prevResult.interfaces[0].name");
}

static void test_too_many_addresses(void **state)
{
	char conf[8192];
	size_t off;
	struct firewall_conf c;

	(void)state;
	off = (size_t)snprintf(conf, sizeof(conf), BASE ",\"prevResult\":{\"ips\":[");
	for (int i = 0; i < FW_ADDR_MAX; i++)
		off += (size_t)snprintf(conf + off, sizeof(conf) - off, "%s{\"address\":\"10.2.0.%d/24\"}",
					i ? "," : "", i + 1);
	snprintf(conf + off, sizeof(conf) - off, "]}}");
	expect_ok(conf, &c);
	assert_int_equal(c.n_addrs, FW_ADDR_MAX);
	snprintf(conf + off, sizeof(conf) - off, ",{\"address\":\"10.2.0.200/24\"}]}}");
	expect_fail(conf, 7, "prevResult.ips: more than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_prev_result),
		cmocka_unit_test(test_too_many_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
