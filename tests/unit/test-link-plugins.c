/* SPDX-License-Identifier: Apache-2.0 */
/* The configurations of macvlan, ipvlan, vlan and dummy: defaults, every
 * key, the chained (prevResult) cases, and errors that name the key and
 * the value. No kernel work: the parsers only read the request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/main/dummy/dummy.h"
#include "plugins/main/ipvlan/ipvlan.h"
#include "plugins/main/macvlan/macvlan.h"
#include "plugins/main/vlan/vlan.h"

typedef int (*parse_fn)(const struct ccni_request *req, struct attach_link *l,
			struct ccni_error *err);

/* The request stays alive until the next call: the config borrows its
 * strings. */
static struct test_request last;

static int parse_as(parse_fn fn, enum ccni_command cmd, const char *conf, const char *args,
		    struct attach_link *l, struct ccni_error *e)
{
	test_request_free(&last);
	test_request_init(&last, cmd, conf, args);
	return fn(&last.r, l, e);
}

static void ok(parse_fn fn, const char *conf, struct attach_link *l)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse_as(fn, CCNI_CMD_ADD, conf, NULL, l, &e) < 0)
		fail_msg("%s: %s", conf, e.msg);
}

static void bad_as(parse_fn fn, enum ccni_command cmd, const char *conf, const char *args,
		   int code, const char *sub)
{
	struct attach_link l;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse_as(fn, cmd, conf, args, &l, &e) == 0)
		fail_msg("accepted: %s", conf);
	assert_int_equal(e.code, code);
	if (!strstr(e.msg, sub))
		fail_msg("error \"%s\" does not name \"%s\"", e.msg, sub);
	ccni_error_clear(&e);
}

static void bad(parse_fn fn, const char *conf, const char *sub)
{
	bad_as(fn, CCNI_CMD_ADD, conf, NULL, CCNI_ERR_INVALID_CONFIG, sub);
}

#define HEAD(t) "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"" t "\""
#define IPAM ",\"ipam\":{\"type\":\"host-local\"}"
#define MV HEAD("macvlan")
#define IV HEAD("ipvlan")
#define VL HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":5"
#define PREV_IPS                                                                                   \
	",\"prevResult\":{\"interfaces\":[{\"name\":\"enp1\"}],\"ips\":[{\"address\":"             \
	"\"10.1.2.2/24\",\"gateway\":\"10.1.2.1\",\"interface\":0}]}"

static void test_macvlan_defaults_and_keys(void **state)
{
	struct attach_link l;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	ok(macvlan_conf_parse, MV IPAM "}", &l);
	assert_string_equal(l.kind->kind, "macvlan");
	assert_true(l.kind->on_master && l.kind->announce);
	assert_null(l.master);
	assert_int_equal(l.data.macvlan.mode, MACVLAN_MODE_BRIDGE);
	assert_false(l.data.macvlan.set_bcqueuelen);
	assert_false(l.in_container || l.have_mac || l.ips_from_prev || l.master_from_prev);
	assert_int_equal(l.mtu, 0);
	assert_string_equal(l.attach.ipam_type, "host-local");
	assert_int_equal(l.attach.dns, ATTACH_DNS_CONFIG);
	assert_false(l.attach.ipmasq);
	ok(macvlan_conf_parse,
	   MV ",\"master\":\"eth1\",\"mode\":\"passthru\",\"mtu\":1400,\"linkInContainer\":true,"
	      "\"bcqueuelen\":2000,\"mac\":\"02:00:00:00:00:01\"" IPAM "}",
	   &l);
	assert_string_equal(l.master, "eth1");
	assert_int_equal(l.data.macvlan.mode, MACVLAN_MODE_PASSTHRU);
	assert_int_equal(l.mtu, 1400);
	assert_true(l.in_container && l.data.macvlan.set_bcqueuelen && l.have_mac);
	assert_int_equal(l.data.macvlan.bcqueuelen, 2000);
	assert_int_equal(l.mac[5], 1);
	for (int i = 0; i < 3; i++) {
		static const char *const m[] = { "private", "vepa", "" };
		static const unsigned want[] = { MACVLAN_MODE_PRIVATE, MACVLAN_MODE_VEPA,
						 MACVLAN_MODE_BRIDGE };
		char c[160];

		snprintf(c, sizeof(c), MV ",\"mode\":\"%s\",\"master\":\"\"" IPAM "}", m[i]);
		ok(macvlan_conf_parse, c, &l);
		assert_int_equal(l.data.macvlan.mode, want[i]);
		assert_null(l.master);
	}
	/* ipam: absent, empty, or an empty type: layer 2 only */
	ok(macvlan_conf_parse, MV "}", &l);
	assert_null(l.attach.ipam_type);
	ok(macvlan_conf_parse, MV ",\"ipam\":{}}", &l);
	assert_null(l.attach.ipam_type);
	ok(macvlan_conf_parse, MV ",\"ipam\":{\"type\":\"\"}}", &l);
	assert_null(l.attach.ipam_type);
	(void)e;
}

static void test_macvlan_mac_sources(void **state)
{
	struct attach_link l;
	struct ccni_error e = CCNI_ERROR_INIT;
	const char *conf = MV ",\"mac\":\"02:00:00:00:00:01\"" IPAM "}";

	(void)state;
	assert_int_equal(parse_as(macvlan_conf_parse, CCNI_CMD_ADD, conf,
				  "IgnoreUnknown=1;MAC=02:00:00:00:00:02", &l, &e),
			 0);
	assert_int_equal(l.mac[5], 2);
	conf = MV ",\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}" IPAM
		  "}";
	assert_int_equal(parse_as(macvlan_conf_parse, CCNI_CMD_ADD, conf,
				  "MAC=02:00:00:00:00:02", &l, &e),
			 0);
	assert_int_equal(l.mac[5], 3);
	/* an empty value does not override */
	conf = MV ",\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":{\"mac\":\"\"}" IPAM "}";
	assert_int_equal(parse_as(macvlan_conf_parse, CCNI_CMD_ADD, conf, "MAC=", &l, &e), 0);
	assert_int_equal(l.mac[5], 1);
	/* DEL reads no CNI_ARGS (as the reference) */
	assert_int_equal(parse_as(macvlan_conf_parse, CCNI_CMD_DEL, MV IPAM "}", "FOO=1", &l, &e), 0);
	assert_false(l.have_mac);
}

static void test_macvlan_bad(void **state)
{
	(void)state;
	bad(macvlan_conf_parse, MV ",\"mode\":\"bogus\"" IPAM "}",
	    "mode: \"bogus\" is not one of bridge, private, vepa, passthru");
	bad(macvlan_conf_parse, MV ",\"mode\":3" IPAM "}", "mode");
	bad(macvlan_conf_parse, MV ",\"master\":5" IPAM "}", "master");
	bad(macvlan_conf_parse, MV ",\"master\":\"a/b\"" IPAM "}",
	    "master: invalid interface name \"a/b\"");
	bad(macvlan_conf_parse, MV ",\"master\":\"0123456789abcdef\"" IPAM "}", "master");
	bad(macvlan_conf_parse, MV ",\"mtu\":-1" IPAM "}", "mtu");
	bad(macvlan_conf_parse, MV ",\"mtu\":10" IPAM "}", "mtu: 10 is below the minimum of 68");
	bad(macvlan_conf_parse, MV ",\"mtu\":70000" IPAM "}", "mtu");
	bad(macvlan_conf_parse, MV ",\"mtu\":\"1500\"" IPAM "}", "mtu");
	bad(macvlan_conf_parse, MV ",\"linkInContainer\":1" IPAM "}", "linkInContainer");
	bad(macvlan_conf_parse, MV ",\"bcqueuelen\":-1" IPAM "}", "bcqueuelen");
	bad(macvlan_conf_parse, MV ",\"bcqueuelen\":4294967296" IPAM "}", "bcqueuelen");
	bad(macvlan_conf_parse, MV ",\"mac\":\"zz\"" IPAM "}", "mac: invalid MAC address \"zz\"");
	bad(macvlan_conf_parse, MV ",\"runtimeConfig\":{\"mac\":7}" IPAM "}", "runtimeConfig.mac");
	bad(macvlan_conf_parse, MV ",\"ipam\":5}", "ipam");
	bad(macvlan_conf_parse, MV ",\"ipam\":{\"type\":\"a/b\"}}", "ipam");
	bad_as(macvlan_conf_parse, CCNI_CMD_ADD, MV IPAM "}", "IgnoreUnknown=1;MAC=nope",
	       CCNI_ERR_INVALID_CONFIG, "CNI_ARGS MAC: invalid MAC address \"nope\"");
	bad_as(macvlan_conf_parse, CCNI_CMD_ADD, MV IPAM "}", "FOO=1", CCNI_ERR_UNSUPPORTED_FIELD,
	       "FOO");
}

static void test_ipvlan(void **state)
{
	struct attach_link l;

	(void)state;
	ok(ipvlan_conf_parse, IV IPAM "}", &l);
	assert_string_equal(l.kind->kind, "ipvlan");
	assert_int_equal(l.data.ipvlan_mode, IPVLAN_MODE_L2);
	assert_true(l.master_from_prev);
	assert_false(l.ips_from_prev);
	assert_int_equal(l.attach.dns, ATTACH_DNS_CONFIG);
	ok(ipvlan_conf_parse, IV ",\"mode\":\"l3\",\"master\":\"eth0\",\"mtu\":9000" IPAM "}", &l);
	assert_int_equal(l.data.ipvlan_mode, IPVLAN_MODE_L3);
	assert_string_equal(l.master, "eth0");
	assert_int_equal(l.mtu, 9000);
	ok(ipvlan_conf_parse, IV ",\"mode\":\"l3s\",\"linkInContainer\":true" IPAM "}", &l);
	assert_int_equal(l.data.ipvlan_mode, IPVLAN_MODE_L3S);
	assert_true(l.in_container);
	/* chained: no ipam, prevResult's addresses */
	ok(ipvlan_conf_parse, IV PREV_IPS "}", &l);
	assert_null(l.attach.ipam_type);
	assert_true(l.ips_from_prev);
	/* no ipam and nothing to take: ADD refuses, DEL and CHECK do not */
	bad(ipvlan_conf_parse, IV "}", "ipam: missing");
	bad(ipvlan_conf_parse,
	    IV ",\"prevResult\":{\"interfaces\":[{\"name\":\"enp1\"}],\"ips\":[]}}", "ipam: missing");
	{
		struct ccni_error e = CCNI_ERROR_INIT;

		assert_int_equal(parse_as(ipvlan_conf_parse, CCNI_CMD_DEL, IV "}", NULL, &l, &e), 0);
	}
	{
		/* prevResult's addresses are bounded as IPAM's are */
		char c[4096];
		int n = snprintf(c, sizeof(c),
				 IV ",\"prevResult\":{\"interfaces\":[{\"name\":\"enp1\"}],\"ips\":[");

		for (int i = 0; i <= ATTACH_IPS_MAX; i++)
			n += snprintf(c + n, sizeof(c) - (size_t)n, "%s{\"address\":\"10.1.2.%d/24\"}",
				      i ? "," : "", i + 2);
		snprintf(c + n, sizeof(c) - (size_t)n, "]}}");
		bad(ipvlan_conf_parse, c, "prevResult: 17 addresses, more than the 16");
	}
	bad(ipvlan_conf_parse, IV ",\"mode\":\"l4\"" IPAM "}", "mode: \"l4\" is not one of l2, l3, l3s");
	bad(ipvlan_conf_parse, IV ",\"mode\":\"bridge\"" IPAM "}", "mode");
	bad(ipvlan_conf_parse, IV ",\"mtu\":5" IPAM "}", "mtu");
}

static void test_vlan(void **state)
{
	struct attach_link l;

	(void)state;
	ok(vlan_conf_parse, VL IPAM "}", &l);
	assert_string_equal(l.kind->kind, "vlan");
	assert_false(l.kind->announce);
	assert_string_equal(l.master, "eth0");
	assert_int_equal(l.data.vlan_id, 5);
	assert_int_equal(l.attach.dns, ATTACH_DNS_CONFIG);
	ok(vlan_conf_parse,
	   HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":0,\"mtu\":1400,\"linkInContainer\":true" IPAM
			"}",
	   &l);
	assert_int_equal(l.data.vlan_id, 0);
	assert_int_equal(l.mtu, 1400);
	assert_true(l.in_container);
	ok(vlan_conf_parse, HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":4094" IPAM "}", &l);
	assert_int_equal(l.data.vlan_id, 4094);
	bad(vlan_conf_parse, HEAD("vlan") ",\"vlanId\":5" IPAM "}", "master: missing");
	bad(vlan_conf_parse, HEAD("vlan") ",\"master\":\"\",\"vlanId\":5" IPAM "}", "master: missing");
	bad(vlan_conf_parse, HEAD("vlan") ",\"master\":\"eth0\"" IPAM "}", "vlanId: missing");
	bad(vlan_conf_parse, HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":4095" IPAM "}", "vlanId");
	bad(vlan_conf_parse, HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":-1" IPAM "}", "vlanId");
	bad(vlan_conf_parse, HEAD("vlan") ",\"master\":\"eth0\",\"vlanId\":\"5\"" IPAM "}", "vlanId");
	bad(vlan_conf_parse, VL "}", "ipam");
	bad(vlan_conf_parse, VL ",\"ipam\":{}}", "ipam");
}

static void test_dummy(void **state)
{
	struct attach_link l;

	(void)state;
	ok(dummy_conf_parse, HEAD("dummy") IPAM "}", &l);
	assert_string_equal(l.kind->kind, "dummy");
	assert_false(l.kind->on_master);
	assert_null(l.kind->put_data);
	assert_int_equal(l.attach.dns, ATTACH_DNS_IPAM);
	bad(dummy_conf_parse, HEAD("dummy") "}", "ipam");
	bad(dummy_conf_parse, HEAD("dummy") ",\"ipam\":{}}", "ipam");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macvlan_defaults_and_keys),
		cmocka_unit_test(test_macvlan_mac_sources),
		cmocka_unit_test(test_macvlan_bad),
		cmocka_unit_test(test_ipvlan),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_dummy),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_request_free(&last);
	return rc;
}
