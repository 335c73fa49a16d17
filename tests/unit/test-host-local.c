/* SPDX-License-Identifier: Apache-2.0 */
/* host-local configuration: every key, the legacy form, ipRanges, requested
 * addresses from each source, and errors that name the field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/conf.h>

#include "plugins/ipam/host-local/hl.h"

struct req_holder {
	struct ccni_request req;
	json_t *config;
};

/* A request from a config text (cniVersion, name, runtimeConfig and
 * args.cni taken from it) and a CNI_ARGS string. */
static void mkreq(struct req_holder *h, const char *text, const char *cni_args)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	json_error_t je;
	json_t *args;

	memset(h, 0, sizeof(*h));
	h->config = json_loads(text, 0, &je);
	if (!h->config)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	h->req.command = CCNI_CMD_ADD;
	h->req.config = h->config;
	h->req.container_id = "ctr1";
	h->req.ifname = "eth0";
	h->req.cni_version = json_string_value(json_object_get(h->config, "cniVersion"));
	if (!h->req.cni_version)
		h->req.cni_version = "1.0.0";
	h->req.name = json_string_value(json_object_get(h->config, "name"));
	h->req.runtime_config = json_object_get(h->config, "runtimeConfig");
	args = json_object_get(h->config, "args");
	h->req.cni_args = args ? json_object_get(args, "cni") : NULL;
	if (ccni_args_parse(cni_args, &h->req.args, &e) < 0)
		fail_msg("bad CNI_ARGS: %s", e.msg);
}

static void rmreq(struct req_holder *h)
{
	ccni_args_free(&h->req.args);
	json_decref(h->config);
}

static void parse_ok(const char *text, const char *cni_args, struct hl_config *c,
		     struct req_holder *h)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	mkreq(h, text, cni_args);
	if (hl_config_parse(&h->req, c, &e) < 0)
		fail_msg("unexpected error %d: %s (config %s)", e.code, e.msg, text);
}

static void parse_err(const char *text, const char *cni_args, int code, const char *needle)
{
	struct req_holder h;
	struct hl_config c;
	struct ccni_error e = CCNI_ERROR_INIT;

	mkreq(&h, text, cni_args);
	if (hl_config_parse(&h.req, &c, &e) == 0)
		fail_msg("accepted: %s", text);
	if (e.code != code)
		fail_msg("code %d, want %d: %s", e.code, code, e.msg);
	if (!strstr(e.msg, needle))
		fail_msg("\"%s\" not in \"%s\"", needle, e.msg);
	ccni_error_clear(&e);
	hl_config_free(&c);
	rmreq(&h);
}

static void assert_ip(const struct ccni_ip *ip, const char *want)
{
	char b[CCNI_IP_STRLEN];

	assert_string_equal(ccni_ip_format(ip, b), want);
}

static void assert_net(const struct ccni_ipnet *n, const char *want)
{
	char b[CCNI_IPNET_STRLEN];

	assert_string_equal(ccni_ipnet_format(n, b), want);
}

#define CONF(ipam) "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\"" ipam "}}"

static void test_defaults_v4_v6(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	parse_ok(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00::/64\"}]]"),
		 NULL, &c, &h);
	assert_string_equal(c.name, "net1");
	assert_string_equal(c.data_dir, "/var/lib/cni/networks");
	assert_null(c.resolv_conf);
	assert_int_equal(c.n_sets, 2);
	assert_int_equal(c.sets[0].n, 1);
	assert_net(&c.sets[0].r[0].subnet, "10.1.0.0/24");
	assert_ip(&c.sets[0].r[0].start, "10.1.0.1");
	assert_ip(&c.sets[0].r[0].end, "10.1.0.254"); /* not the broadcast */
	assert_ip(&c.sets[0].r[0].gateway, "10.1.0.1");
	assert_ip(&c.sets[1].r[0].start, "fd00::1");
	assert_ip(&c.sets[1].r[0].end, "fd00::ffff:ffff:ffff:ffff"); /* the last, for v6 */
	assert_ip(&c.sets[1].r[0].gateway, "fd00::1");
	assert_string_equal(c.sets[0].where, "ipam.ranges[0]");
	assert_int_equal(c.n_requested, 0);
	assert_int_equal(c.n_routes, 0);
	hl_config_free(&c);
	rmreq(&h);
}

static void test_every_key(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	parse_ok(CONF(",\"dataDir\":\"/run/x\",\"resolvConf\":\"/etc/r.conf\","
		      "\"ranges\":[[{\"subnet\":\"10.10.0.0/16\",\"rangeStart\":\"10.10.1.20\","
		      "\"rangeEnd\":\"10.10.3.50\",\"gateway\":\"10.10.0.254\"},"
		      "{\"subnet\":\"172.16.5.0/24\"}]],"
		      "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\","
		      "\"mtu\":1400,\"advmss\":1300,\"priority\":5,\"table\":100,\"scope\":253},"
		      "{\"dst\":\"3ffe:ffff:0:01ff::1/64\"}]"),
		 NULL, &c, &h);
	assert_string_equal(c.data_dir, "/run/x");
	assert_string_equal(c.resolv_conf, "/etc/r.conf");
	assert_int_equal(c.n_sets, 1);
	assert_int_equal(c.sets[0].n, 2);
	assert_ip(&c.sets[0].r[0].start, "10.10.1.20");
	assert_ip(&c.sets[0].r[0].end, "10.10.3.50");
	assert_ip(&c.sets[0].r[0].gateway, "10.10.0.254");
	assert_ip(&c.sets[0].r[1].start, "172.16.5.1");
	assert_int_equal(c.n_routes, 3);
	assert_net(&c.routes[0].dst, "0.0.0.0/0");
	assert_int_equal(c.routes[0].gw.family, 0);
	assert_int_equal(c.routes[0].scope, -1);
	assert_ip(&c.routes[1].gw, "10.10.5.1");
	assert_int_equal(c.routes[1].mtu, 1400);
	assert_int_equal(c.routes[1].advmss, 1300);
	assert_int_equal(c.routes[1].priority, 5);
	assert_int_equal(c.routes[1].table, 100);
	assert_int_equal(c.routes[1].scope, 253);
	/* a route's dst keeps its host bits, as the reference prints it */
	assert_net(&c.routes[2].dst, "3ffe:ffff:0:1ff::1/64");
	hl_config_free(&c);
	rmreq(&h);
}

static void test_legacy_form(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	parse_ok(CONF(",\"subnet\":\"3ffe:ffff:0:01ff::/64\",\"rangeStart\":\"3ffe:ffff:0:01ff::0010\","
		      "\"rangeEnd\":\"3ffe:ffff:0:01ff::0020\",\"gateway\":\"3ffe:ffff:0:1ff::fe\""),
		 NULL, &c, &h);
	assert_int_equal(c.n_sets, 1);
	assert_ip(&c.sets[0].r[0].start, "3ffe:ffff:0:1ff::10");
	assert_ip(&c.sets[0].r[0].end, "3ffe:ffff:0:1ff::20");
	assert_ip(&c.sets[0].r[0].gateway, "3ffe:ffff:0:1ff::fe");
	hl_config_free(&c);
	rmreq(&h);

	/* the legacy range comes before "ranges" */
	parse_ok(CONF(",\"subnet\":\"10.2.0.0/24\",\"ranges\":[[{\"subnet\":\"fd02::/64\"}]]"), NULL,
		 &c, &h);
	assert_int_equal(c.n_sets, 2);
	assert_net(&c.sets[0].r[0].subnet, "10.2.0.0/24");
	assert_net(&c.sets[1].r[0].subnet, "fd02::/64");
	hl_config_free(&c);
	rmreq(&h);
}

static void test_ip_ranges_capability(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	/* prepended, as the reference: capability sets, legacy, "ranges" */
	parse_ok("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":"
		 "[[{\"subnet\":\"10.9.0.0/24\"}]]},\"ipam\":{\"type\":\"host-local\","
		 "\"subnet\":\"10.8.0.0/24\",\"ranges\":[[{\"subnet\":\"fd08::/64\"}]]}}",
		 NULL, &c, &h);
	assert_int_equal(c.n_sets, 3);
	assert_net(&c.sets[0].r[0].subnet, "10.9.0.0/24");
	assert_string_equal(c.sets[0].where, "runtimeConfig.ipRanges[0]");
	assert_net(&c.sets[1].r[0].subnet, "10.8.0.0/24");
	assert_net(&c.sets[2].r[0].subnet, "fd08::/64");
	hl_config_free(&c);
	rmreq(&h);

	/* an empty capability list changes nothing */
	parse_ok("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":[]},"
		 "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.8.0.0/24\"}}",
		 NULL, &c, &h);
	assert_int_equal(c.n_sets, 1);
	hl_config_free(&c);
	rmreq(&h);

	/* the capability alone is enough */
	parse_ok("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":"
		 "[[{\"subnet\":\"10.9.0.0/24\"}]]},\"ipam\":{\"type\":\"host-local\"}}",
		 NULL, &c, &h);
	assert_int_equal(c.n_sets, 1);
	hl_config_free(&c);
	rmreq(&h);

	parse_err("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":"
		  "[[{\"subnet\":\"10.8.0.0/25\"}]]},\"ipam\":{\"type\":\"host-local\","
		  "\"subnet\":\"10.8.0.0/24\"}}",
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam: 10.8.0.0/24 overlaps with runtimeConfig.ipRanges[0][0] (10.8.0.0/25)");
	parse_err("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":"
		  "[[{\"subnet\":\"10.8.0.0/33\"}]]},\"ipam\":{\"type\":\"host-local\"}}",
		  NULL, CCNI_ERR_INVALID_CONFIG, "runtimeConfig.ipRanges[0][0].subnet: invalid CIDR");
}

static void test_requested_addresses(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	parse_ok("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"args\":{\"cni\":{\"ips\":"
		 "[\"10.1.0.6\",\"fd00::6/64\"]}},\"runtimeConfig\":{\"ips\":[\"10.1.0.7/24\","
		 "\"10.1.0.5\"]},\"ipam\":{\"type\":\"host-local\",\"ranges\":"
		 "[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00::/64\"}]]}}",
		 "IgnoreUnknown=1;IP=10.1.0.5,::ffff:10.1.0.8;K8S_POD_NAME=x", &c, &h);
	/* CNI_ARGS first, then args.cni.ips, then runtimeConfig.ips; a
	 * duplicate counts once; IPv4-mapped becomes IPv4 */
	assert_int_equal(c.n_requested, 5);
	assert_ip(&c.requested[0], "10.1.0.5");
	assert_ip(&c.requested[1], "10.1.0.8");
	assert_int_equal(c.requested[1].family, AF_INET);
	assert_ip(&c.requested[2], "10.1.0.6");
	assert_ip(&c.requested[3], "fd00::6");
	assert_ip(&c.requested[4], "10.1.0.7");
	hl_config_free(&c);
	rmreq(&h);

	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\""), "IP=10.1.0.300", CCNI_ERR_INVALID_CONFIG,
		  "CNI_ARGS IP: invalid IP address \"10.1.0.300\"");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\""), "FOO=bar", CCNI_ERR_UNSUPPORTED_FIELD, "FOO");
	parse_err("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"args\":{\"cni\":{\"ips\":\"10.1.0.5\"}},"
		  "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/24\"}}",
		  NULL, CCNI_ERR_INVALID_CONFIG, "args.cni.ips: expected an array");
	parse_err("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ips\":[\"x\"]},"
		  "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/24\"}}",
		  NULL, CCNI_ERR_INVALID_CONFIG, "runtimeConfig.ips[0]: invalid IP address \"x\"");
}

static void test_range_errors(void **state)
{
	(void)state;
	parse_err(CONF(",\"ranges\":[[{\"subnet\":\"10.1/40\"}]]"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.ranges[0][0].subnet: invalid CIDR \"10.1/40\"");
	parse_err(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"10.1/40\"}]]"), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.ranges[0][1].subnet: invalid CIDR \"10.1/40\"");
	parse_err(CONF(",\"subnet\":\"10.1.2.3/24\""), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.subnet: \"10.1.2.3/24\" has host bits set; the network address is 10.1.2.0/24");
	parse_err(CONF(",\"subnet\":\"10.1.2.0/31\""), NULL, CCNI_ERR_INVALID_CONFIG,
		  "network too small");
	parse_err(CONF(",\"subnet\":\"fd00::/127\""), NULL, CCNI_ERR_INVALID_CONFIG,
		  "network too small");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.2.0.1\""), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.rangeStart: 10.2.0.1 is not in network 10.1.0.0/24");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"rangeEnd\":\"10.2.0.1\""), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.rangeEnd: 10.2.0.1 is not in network");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.9\","
		       "\"rangeEnd\":\"10.1.0.8\""),
		  NULL, CCNI_ERR_INVALID_CONFIG, "rangeStart 10.1.0.9 is after rangeEnd 10.1.0.8");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.x\""), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.gateway: invalid IP address \"10.1.0.x\"");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"rangeStart\":5"), NULL,
		  CCNI_ERR_INVALID_CONFIG, "rangeStart");
	parse_err(CONF(",\"ranges\":[[{\"rangeStart\":\"10.1.0.5\"}]]"), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.ranges[0][0]");
	parse_err(CONF(",\"ranges\":[[]]"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.ranges[0]: expected a non-empty array");
	parse_err(CONF(",\"ranges\":[{\"subnet\":\"10.1.0.0/24\"}]"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.ranges[0]");
	parse_err(CONF(",\"ranges\":{}"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.ranges: expected an array");
	parse_err(CONF(",\"ranges\":[[\"10.1.0.0/24\"]]"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.ranges[0][0]: expected an object");
	parse_err(CONF(""), NULL, CCNI_ERR_INVALID_CONFIG, "no IP ranges specified");
	parse_err(CONF(",\"ranges\":[]"), NULL, CCNI_ERR_INVALID_CONFIG, "no IP ranges specified");
	parse_err("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam: missing");
}

static void test_overlaps_and_families(void **state)
{
	(void)state;
	parse_err(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"10.1.0.0/16\"}]]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam.ranges[0][1]: 10.1.0.0/16 overlaps with ipam.ranges[0][0] (10.1.0.0/24)");
	parse_err(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"10.1.0.128/25\"}]]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam.ranges[1][0]: 10.1.0.128/25 overlaps with ipam.ranges[0][0] (10.1.0.0/24)");
	parse_err(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"fd00::/64\"}]]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam.ranges[0]: mixed address families");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}]]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam.ranges[0][0]: 10.1.0.0/24 overlaps with ipam (10.1.0.0/24)");

	/* one subnet in two disjoint pieces is fine */
	struct req_holder h;
	struct hl_config c;

	parse_ok(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeEnd\":\"10.1.0.100\"},"
		      "{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.101\"}]]"),
		 NULL, &c, &h);
	assert_int_equal(c.sets[0].n, 2);
	hl_config_free(&c);
	rmreq(&h);
}

static void test_version_0_2_0_one_address_per_family(void **state)
{
	struct req_holder h;
	struct hl_config c;

	(void)state;
	parse_err("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\","
		  "\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"10.2.0.0/24\"}]]}}",
		  NULL, CCNI_ERR_INVALID_CONFIG, "more than one address per family");
	parse_ok("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\","
		 "\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00::/64\"}]]}}",
		 NULL, &c, &h);
	assert_int_equal(c.n_sets, 2);
	hl_config_free(&c);
	rmreq(&h);
}

static void test_routes_errors(void **state)
{
	(void)state;
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"routes\":[{\"dst\":\"nope\"}]"), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.routes[0].dst: invalid CIDR \"nope\"");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"routes\":[{\"gw\":\"10.1.0.1\"}]"), NULL,
		  CCNI_ERR_INVALID_CONFIG, "ipam.routes[0]");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\","
		       "\"gw\":\"fd00::1\"}]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "ipam.routes[0].gw");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\","
		       "\"mtu\":-1}]"),
		  NULL, CCNI_ERR_INVALID_CONFIG, "mtu");
	parse_err(CONF(",\"subnet\":\"10.1.0.0/24\",\"routes\":{}"), NULL, CCNI_ERR_INVALID_CONFIG,
		  "ipam.routes: expected an array");
}

static void test_limits(void **state)
{
	char buf[8192];
	size_t off;

	(void)state;
	off = (size_t)snprintf(buf, sizeof(buf), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\","
				 "\"ipam\":{\"type\":\"host-local\",\"ranges\":[");
	for (int i = 0; i <= HL_MAX_SETS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s[{\"subnet\":\"10.%d.0.0/24\"}]", i ? "," : "", i);
	snprintf(buf + off, sizeof(buf) - off, "]}}");
	parse_err(buf, NULL, CCNI_ERR_INVALID_CONFIG, "more than 16 range sets");

	off = (size_t)snprintf(buf, sizeof(buf), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\","
				 "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[");
	for (int i = 0; i <= HL_MAX_RANGES; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s{\"subnet\":\"10.%d.0.0/24\"}", i ? "," : "", i);
	snprintf(buf + off, sizeof(buf) - off, "]]}}");
	parse_err(buf, NULL, CCNI_ERR_INVALID_CONFIG, "more than 16 ranges");
}

static void test_range_helpers(void **state)
{
	struct req_holder h;
	struct hl_config c;
	struct ccni_ip ip;
	char t[256];

	(void)state;
	parse_ok(CONF(",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.10\","
		      "\"rangeEnd\":\"10.1.0.20\"},{\"subnet\":\"10.2.0.0/30\"}]]"),
		 NULL, &c, &h);
	ccni_ip_parse("10.1.0.9", &ip);
	assert_null(hl_set_find(&c.sets[0], &ip));
	ccni_ip_parse("10.1.0.20", &ip);
	assert_ptr_equal(hl_set_find(&c.sets[0], &ip), &c.sets[0].r[0]);
	ccni_ip_parse("10.2.0.2", &ip);
	assert_ptr_equal(hl_set_find(&c.sets[0], &ip), &c.sets[0].r[1]);
	ccni_ip_parse("10.2.0.3", &ip); /* broadcast */
	assert_null(hl_set_find(&c.sets[0], &ip));
	ccni_ip_parse("::ffff:10.2.0.2", &ip);
	ccni_ip_unmap4(&ip);
	assert_int_equal(ip.family, AF_INET);
	assert_ip(&ip, "10.2.0.2");
	assert_string_equal(hl_set_text(&c.sets[0], t, sizeof(t)),
			    "10.1.0.0/24 (10.1.0.10-10.1.0.20), 10.2.0.0/30 (10.2.0.1-10.2.0.2)");
	hl_config_free(&c);
	rmreq(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_v4_v6),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_legacy_form),
		cmocka_unit_test(test_ip_ranges_capability),
		cmocka_unit_test(test_requested_addresses),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_overlaps_and_families),
		cmocka_unit_test(test_version_0_2_0_one_address_per_family),
		cmocka_unit_test(test_routes_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_range_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
