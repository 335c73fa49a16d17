/* SPDX-License-Identifier: Apache-2.0 */
/* static IPAM through the whole plugin protocol: the result in every
 * version, each address source and its precedence, CHECK, DEL, STATUS, GC,
 * and a catalogue of bad input whose errors name the key and the value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "lib/common/util.h"
#include "tests/unit/helpers.h"

extern const struct ccni_plugin plugin_static;

/* Run static with CNI_COMMAND=cmd, stdin conf and CNI_ARGS args (NULL: none);
 * return its stdout as compact JSON in its own key order (malloc'd). */
static char *run(const char *cmd, const char *conf, const char *args, int *status)
{
	char *env = args ? util_asprintf("CNI_ARGS=%s", args) : NULL;
	char *text = test_plugin_run(&plugin_static, cmd, conf, env, status), *compact;
	json_t *j;

	free(env);
	if (!*text)
		return text;
	j = json_loads(text, 0, NULL);
	if (!j)
		fail_msg("not JSON: %s", text);
	compact = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	free(text);
	return compact;
}

/* A config of version v with the ipam body (after "type"), and extra
 * top-level keys. */
static char *conf(const char *v, const char *ipam, const char *extra)
{
	return util_asprintf("{\"cniVersion\":\"%s\",\"name\":\"n\",\"type\":\"ptp\"%s,"
			     "\"ipam\":{\"type\":\"static\"%s}}",
			     v, extra ? extra : "", ipam);
}

static void expect_ok(const char *cmd, const char *c, const char *args, const char *want)
{
	int st;
	char *out = run(cmd, c, args, &st);

	if (st != 0)
		fail_msg("%s failed: %s (config %s)", cmd, out, c);
	assert_string_equal(out, want);
	free(out);
}

static void expect_err(const char *cmd, const char *c, const char *args, int code,
		       const char *needle)
{
	int st;
	char *out = run(cmd, c, args, &st);
	json_t *j = json_loads(out, 0, NULL);
	const char *msg = json_string_value(json_object_get(j, "msg"));

	if (st == 0)
		fail_msg("%s accepted: %s", cmd, c);
	if (json_integer_value(json_object_get(j, "code")) != code)
		fail_msg("code %lld, want %d: %s", (long long)json_integer_value(json_object_get(j, "code")),
			 code, out);
	if (!msg || !strstr(msg, needle))
		fail_msg("\"%s\" not in %s", needle, out);
	json_decref(j);
	free(out);
}

#define DUAL                                                                              \
	",\"addresses\":[{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\"},"     \
	"{\"address\":\"3ffe:ffff:0:01ff::1/64\",\"gateway\":\"3ffe:ffff:0::1\"}],"       \
	"\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"}," \
	"{\"dst\":\"3ffe:ffff:0:01ff::1/64\"}],"                                          \
	"\"dns\":{\"nameservers\":[\"8.8.8.8\"],\"domain\":\"example.com\",\"search\":[\"example.com\"]}"
#define DNS_OUT "\"dns\":{\"nameservers\":[\"8.8.8.8\"],\"domain\":\"example.com\",\"search\":[\"example.com\"]}"

static void test_add_prints_addresses_routes_and_dns_as_given_1_0_0(void **state)
{
	char *c = conf("1.0.0", DUAL, NULL);

	(void)state;
	expect_ok("ADD", c, NULL,
		  "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\"},"
		  "{\"address\":\"3ffe:ffff:0:1ff::1/64\",\"gateway\":\"3ffe:ffff::1\"}],"
		  "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"},"
		  "{\"dst\":\"3ffe:ffff:0:1ff::1/64\"}]," DNS_OUT "}");
	free(c);
}

/* ADD of DUAL in each version prints want_fmt with the version put in. */
static void expect_in_versions(const char *const *versions, size_t n, const char *want_fmt)
{
	for (size_t i = 0; i < n; i++) {
		char *c = conf(versions[i], DUAL, NULL), *want = util_asprintf(want_fmt, versions[i]);

		expect_ok("ADD", c, NULL, want);
		free(want);
		free(c);
	}
}

static void test_add_0_3_x_and_0_4_0_label_each_address_with_its_family(void **state)
{
	static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0" };

	(void)state;
	expect_in_versions(
		versions, 3,
		"{\"cniVersion\":\"%s\",\"ips\":[{\"version\":\"4\",\"address\":\"10.10.0.1/24\","
		"\"gateway\":\"10.10.0.254\"},{\"version\":\"6\",\"address\":\"3ffe:ffff:0:1ff::1/64\","
		"\"gateway\":\"3ffe:ffff::1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
		"{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"},{\"dst\":\"3ffe:ffff:0:1ff::1/64\"}],"
		DNS_OUT "}");
}

static void test_add_0_1_0_and_0_2_0_split_ip4_and_ip6_with_their_routes(void **state)
{
	static const char *const versions[] = { "0.1.0", "0.2.0" };

	(void)state;
	expect_in_versions(
		versions, 2,
		"{\"cniVersion\":\"%s\",\"ip4\":{\"ip\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\","
		"\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"}]},"
		"\"ip6\":{\"ip\":\"3ffe:ffff:0:1ff::1/64\",\"gateway\":\"3ffe:ffff::1\","
		"\"routes\":[{\"dst\":\"3ffe:ffff:0:1ff::1/64\"}]}," DNS_OUT "}");
}

static void test_add_1_1_0_keeps_the_route_fields_of_1_1_0(void **state)
{
	char *c = conf("1.1.0",
		       ",\"addresses\":[{\"address\":\"10.10.0.1/24\"}],\"routes\":[{\"dst\":\"10.9.0.0/16\","
		       "\"gw\":\"10.10.0.9\",\"mtu\":1400,\"table\":100,\"priority\":5}]",
		       NULL);

	(void)state;
	/* 1.1.0 prints every object's keys in byte order, and no empty dns */
	expect_ok("ADD", c, NULL,
		  "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.10.0.1/24\"}],"
		  "\"routes\":[{\"dst\":\"10.9.0.0/16\",\"gw\":\"10.10.0.9\",\"mtu\":1400,\"priority\":5,"
		  "\"table\":100}]}");
	free(c);
}

static void test_no_addresses_is_an_empty_result(void **state)
{
	char *a = conf("1.0.0", "", NULL), *b = conf("1.0.0", ",\"addresses\":[]", NULL);

	(void)state;
	expect_ok("ADD", a, NULL, "{\"cniVersion\":\"1.0.0\",\"dns\":{}}");
	expect_ok("ADD", b, NULL, "{\"cniVersion\":\"1.0.0\",\"dns\":{}}");
	free(a);
	free(b);
}

static void test_cni_args_ip_appends_and_gateway_goes_to_those_in_its_subnet(void **state)
{
	char *c = conf("1.0.0", ",\"addresses\":[{\"address\":\"10.1.1.5/24\"}]", NULL);

	(void)state;
	/* the config's 10.1.1.5 holds 10.1.1.9 too, but GATEWAY= only goes to IP='s */
	expect_ok("ADD", c, "IP= 10.1.1.1/24 , fd00::5/64;GATEWAY=10.2.2.1, 10.1.1.9",
		  "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.1.5/24\"},"
		  "{\"address\":\"10.1.1.1/24\",\"gateway\":\"10.1.1.9\"},{\"address\":\"fd00::5/64\"}],"
		  "\"dns\":{}}");
	expect_ok("ADD", c, "IgnoreUnknown=1;FOO=2;IP=",
		  "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.1.5/24\"}],\"dns\":{}}");
	free(c);
}

static void test_args_ips_then_runtime_config_ips_replace_every_address(void **state)
{
	char *args = conf("1.0.0", DUAL, ",\"args\":{\"cni\":{\"ips\":[\"10.3.3.3/24\",\"fd00::3/64\"]}}");
	char *both = conf("1.0.0", ",\"addresses\":[{\"address\":\"10.10.0.1/24\"}]",
			  ",\"args\":{\"cni\":{\"ips\":[\"10.3.3.3/24\"]}},"
			  "\"runtimeConfig\":{\"ips\":[\"10.2.2.2/24\"]}");

	(void)state;
	/* the gateways went with the config's addresses, as in the reference */
	expect_ok("ADD", args, "IP=10.4.4.4/24",
		  "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.3.3.3/24\"},{\"address\":\"fd00::3/64\"}],"
		  "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"},"
		  "{\"dst\":\"3ffe:ffff:0:1ff::1/64\"}]," DNS_OUT "}");
	expect_ok("ADD", both, NULL,
		  "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.2.2.2/24\"}],\"dns\":{}}");
	free(args);
	free(both);
}

static void test_ipv4_mapped_addresses_are_ipv4(void **state)
{
	char *c = conf("0.3.1",
		       ",\"addresses\":[{\"address\":\"::ffff:10.10.0.1/120\",\"gateway\":\"::ffff:10.10.0.9\"}]",
		       NULL);

	(void)state;
	expect_ok("ADD", c, NULL,
		  "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.10.0.1/24\","
		  "\"gateway\":\"10.10.0.9\"}],\"dns\":{}}");
	free(c);
}

struct bad_case {
	const char *version, *ipam, *extra, *args;
	int code;
	const char *needle;
};

static void test_bad_input_is_refused_naming_the_key_and_the_value(void **state)
{
	static const struct bad_case cases[] = {
		{ "1.0.0", ",\"addresses\":[{\"address\":\"10.10.0.1\"}]", NULL, NULL, 7,
		  "ipam.addresses[0].address: \"10.10.0.1\" is not an address in CIDR" },
		{ "1.0.0", ",\"addresses\":[{\"address\":\"10.10.0.300/24\"}]", NULL, NULL, 7, "\"10.10.0.300/24\"" },
		{ "1.0.0", ",\"addresses\":[{\"address\":\"10.10.0.1/33\"}]", NULL, NULL, 7, "\"10.10.0.1/33\"" },
		{ "1.0.0", ",\"addresses\":[{\"address\":\"010.10.0.1/24\"}]", NULL, NULL, 7, "\"010.10.0.1/24\"" },
		{ "1.0.0", ",\"addresses\":[{},{\"address\":\"10.1.1.1/24\"}]", NULL, NULL, 7,
		  "ipam.addresses[0].address: missing" },
		{ "1.0.0", ",\"addresses\":[{\"address\":5}]", NULL, NULL, 7, "ipam.addresses[0].address" },
		{ "1.0.0", ",\"addresses\":[{\"address\":\"10.1.1.1/24\",\"gateway\":\"zz\"}]", NULL, NULL, 7,
		  "ipam.addresses[0].gateway: \"zz\" is not an IP address" },
		{ "1.0.0", ",\"addresses\":[{\"address\":\"10.1.1.1/24\",\"gateway\":\"fd00::1\"}]", NULL, NULL, 7,
		  "gateway fd00::1 is not of the family of the address \"10.1.1.1/24\"" },
		{ "1.0.0", ",\"addresses\":\"10.1.1.1/24\"", NULL, NULL, 7, "ipam.addresses: expected an array" },
		{ "1.0.0", ",\"addresses\":[\"10.1.1.1/24\"]", NULL, NULL, 7, "ipam.addresses[0]: expected an object" },
		{ "0.2.0", ",\"addresses\":[{\"address\":\"10.1.1.1/24\"},{\"address\":\"10.1.1.2/24\"}]", NULL, NULL, 7,
		  "CNI version 0.2.0 does not support more than one address per family" },
		{ "1.0.0", ",\"routes\":[{\"dst\":\"zz\"}]", NULL, NULL, 7, "ipam.routes[0].dst: invalid CIDR \"zz\"" },
		{ "1.0.0", ",\"routes\":[{\"gw\":\"10.1.1.1\"}]", NULL, NULL, 7, "ipam.routes[0].dst: missing" },
		{ "1.0.0", ",\"routes\":[{\"dst\":\"10.0.0.0/8\",\"gw\":\"zz\"}]", NULL, NULL, 7,
		  "ipam.routes[0].gw: invalid IP address \"zz\"" },
		{ "1.0.0", ",\"routes\":[{\"dst\":\"10.0.0.0/8\",\"gw\":\"fd00::1\"}]", NULL, NULL, 7,
		  "ipam.routes[0].gw: fd00::1 is not of the family of dst 10.0.0.0/8" },
		{ "1.0.0", ",\"routes\":{}", NULL, NULL, 7, "ipam.routes: expected an array" },
		{ "1.0.0", ",\"dns\":{\"nameservers\":\"8.8.8.8\"}", NULL, NULL, 7,
		  "ipam.dns.nameservers: expected an array" },
		{ "1.0.0", ",\"dns\":[]", NULL, NULL, 7, "ipam.dns: expected an object" },
		{ "1.0.0", "", NULL, "IP=10.1.1.1", 7, "CNI_ARGS IP: \"10.1.1.1\" is not an address in CIDR" },
		{ "1.0.0", "", NULL, "IP=10.1.1.1/24,,10.1.1.2/24", 7, "CNI_ARGS IP: \"\"" },
		{ "1.0.0", "", NULL, "IP=10.1.1.1/24;GATEWAY=zz", 7, "CNI_ARGS GATEWAY: \"zz\" is not an IP address" },
		{ "1.0.0", "", NULL, "IP=10.1.1.1/24;FOO=1", 2, "FOO" },
		{ "1.0.0", "", ",\"args\":{\"cni\":{\"ips\":[\"zz\"]}}", NULL, 7,
		  "args.cni.ips[0]: \"zz\" is not an address in CIDR" },
		{ "1.0.0", "", ",\"args\":{\"cni\":{\"ips\":\"10.1.1.1/24\"}}", NULL, 7,
		  "args.cni.ips: expected an array of addresses" },
		{ "1.0.0", "", ",\"runtimeConfig\":{\"ips\":[\"10.2.2.2\"]}", NULL, 7,
		  "runtimeConfig.ips[0]: \"10.2.2.2\" is not an address in CIDR" },
		{ "1.0.0", "", ",\"runtimeConfig\":{\"ips\":[7]}", NULL, 7, "runtimeConfig.ips[0]: expected a string" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = conf(cases[i].version, cases[i].ipam, cases[i].extra);

		expect_err("ADD", c, cases[i].args, cases[i].code, cases[i].needle);
		free(c);
	}
	expect_err("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"ptp\"}", NULL, 7,
		   "ipam: missing");
}

static void test_too_many_addresses_are_refused(void **state)
{
	char *body = strdup(",\"addresses\":["), *c;

	(void)state;
	for (int i = 0; i <= 256; i++) {
		char *n = util_asprintf("%s%s{\"address\":\"10.%d.%d.1/24\"}", body, i ? "," : "",
					i / 256, i % 256);

		free(body);
		body = n;
	}
	c = util_asprintf("%s]", body);
	free(body);
	body = conf("1.0.0", c, NULL);
	expect_err("ADD", body, NULL, 7, "more than 256 addresses");
	free(body);
	free(c);
}

#define PREV(ips) ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[" ips "]}"

static void test_check_compares_prev_result_with_the_config(void **state)
{
	const char *ipam = ",\"addresses\":[{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\"},"
			   "{\"address\":\"fd00::1/64\"}]";
	char *ok = conf("1.0.0", ipam,
			PREV("{\"address\":\"fd00::1/64\",\"gateway\":\"fd00::9\"},"
			     "{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\"}"));
	char *gw = conf("1.0.0", ipam,
			PREV("{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.9\"},{\"address\":\"fd00::1/64\"}"));
	char *missing = conf("1.0.0", ipam, PREV("{\"address\":\"10.10.0.1/24\",\"gateway\":\"10.10.0.254\"}"));
	char *prefix = conf("1.0.0", ipam,
			    PREV("{\"address\":\"10.10.0.1/16\",\"gateway\":\"10.10.0.254\"},{\"address\":\"fd00::1/64\"}"));
	char *none = conf("1.0.0", ipam, NULL);
	char *old = conf("0.3.1", ipam, NULL);

	(void)state;
	expect_ok("CHECK", ok, NULL, "");
	expect_err("CHECK", gw, NULL, 108,
		   "address 10.10.0.1/24 on interface eth0 has gateway 10.10.0.9 in prevResult, the config says 10.10.0.254");
	expect_err("CHECK", missing, NULL, 108, "address fd00::1/64 on interface eth0 is not in prevResult");
	expect_err("CHECK", prefix, NULL, 108, "address 10.10.0.1/24 on interface eth0 is 10.10.0.1/16");
	expect_err("CHECK", none, NULL, 7, "CHECK needs prevResult");
	expect_err("CHECK", old, NULL, 1, "CHECK");
	free(ok);
	free(gw);
	free(missing);
	free(prefix);
	free(none);
	free(old);
}

static void test_del_gc_and_status(void **state)
{
	char *bad = conf("1.1.0", ",\"addresses\":[{\"address\":\"zz\"}]", NULL);
	char *good = conf("1.1.0", DUAL, NULL);

	(void)state;
	/* nothing was reserved: DEL and GC succeed whatever the config says */
	expect_ok("DEL", bad, NULL, "");
	expect_ok("DEL", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"ptp\"}", NULL, "");
	expect_ok("GC", bad, NULL, "");
	expect_ok("STATUS", good, NULL, "");
	expect_err("STATUS", bad, NULL, 7, "ipam.addresses[0].address: \"zz\"");
	free(bad);
	free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_prints_addresses_routes_and_dns_as_given_1_0_0),
		cmocka_unit_test(test_add_0_3_x_and_0_4_0_label_each_address_with_its_family),
		cmocka_unit_test(test_add_0_1_0_and_0_2_0_split_ip4_and_ip6_with_their_routes),
		cmocka_unit_test(test_add_1_1_0_keeps_the_route_fields_of_1_1_0),
		cmocka_unit_test(test_no_addresses_is_an_empty_result),
		cmocka_unit_test(test_cni_args_ip_appends_and_gateway_goes_to_those_in_its_subnet),
		cmocka_unit_test(test_args_ips_then_runtime_config_ips_replace_every_address),
		cmocka_unit_test(test_ipv4_mapped_addresses_are_ipv4),
		cmocka_unit_test(test_bad_input_is_refused_naming_the_key_and_the_value),
		cmocka_unit_test(test_too_many_addresses_are_refused),
		cmocka_unit_test(test_check_compares_prev_result_with_the_config),
		cmocka_unit_test(test_del_gc_and_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
