/* SPDX-License-Identifier: Apache-2.0 */
/* dhcp: messages (options, long options, overload, the IPv4/UDP frame),
 * the result a lease gives (routes 121/33/router, DNS, search list with
 * compression), the config (request, provide, fromArg), the daemon's
 * command line (Go flags and durations), and the names of its files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/ipam/dhcp/dhcp-daemon.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };

static uint32_t ip(const char *s)
{
	uint32_t a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A server's reply with the given option area. */
static size_t reply(uint8_t *buf, const uint8_t *opts, size_t n)
{
	struct dhcp_out b;

	dhcp_out_start(&b, DHCP_ACK, 0x11223344, 0, false, 0, mac);
	b.buf[0] = 2;
	memcpy(b.buf + 16, (uint8_t[]){ 10, 0, 0, 5 }, 4);
	memcpy(b.buf + b.len, opts, n);
	b.len += n;
	dhcp_out_end(&b);
	memcpy(buf, b.buf, b.len);
	return b.len;
}

static void test_message_round_trip(void **state)
{
	struct dhcp_out b;
	struct dhcp_msg m;
	uint32_t v;
	size_t len;
	const uint8_t *p;

	(void)state;
	dhcp_out_start(&b, DHCP_REQUEST, 0xdeadbeef, 3, true, ip("10.0.0.9"), mac);
	dhcp_out_opt(&b, OPT_REQUESTED_IP, (uint8_t[]){ 10, 0, 0, 5 }, 4);
	dhcp_out_opt(&b, OPT_HOST_NAME, "pod-a", 5);
	dhcp_out_end(&b);
	assert_int_equal(b.len, 300); /* padded for BOOTP relays */
	assert_int_equal(dhcp_msg_parse(b.buf, b.len, &m), 0);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.xid, 0xdeadbeef);
	assert_int_equal(m.flags, 0x8000);
	assert_int_equal(m.ciaddr, ip("10.0.0.9"));
	assert_memory_equal(m.chaddr, mac, 6);
	assert_int_equal(dhcp_msg_type(&m), DHCP_REQUEST);
	assert_int_equal(dhcp_opt_u32(&m.opts, OPT_REQUESTED_IP, &v), 0);
	assert_int_equal(v, ip("10.0.0.5"));
	p = dhcp_opt(&m.opts, OPT_HOST_NAME, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "pod-a", 5);
	assert_null(dhcp_opt(&m.opts, OPT_ROUTERS, &len));
	/* not a DHCP message: too short, no magic cookie */
	assert_int_equal(dhcp_msg_parse(b.buf, 200, &m), -1);
	b.buf[236] = 0;
	assert_int_equal(dhcp_msg_parse(b.buf, b.len, &m), -1);
}

static void test_long_options_and_overload(void **state)
{
	uint8_t buf[1024], area[64];
	struct dhcp_msg m;
	size_t n, len;
	const uint8_t *p;
	/* option 119 in two pieces (RFC 3396), another option between them;
	 * overload (52) says more options are in the file field */
	uint8_t opts[] = { 119, 2, 'a', 'b', 3, 4, 10, 0, 0, 1, 119, 1, 'c', 52, 1, 1 };

	(void)state;
	n = reply(buf, opts, sizeof(opts));
	memcpy(buf + 108, (uint8_t[]){ 15, 3, 'l', 'a', 'n', 255 }, 6);
	assert_int_equal(dhcp_msg_parse(buf, n, &m), 0);
	p = dhcp_opt(&m.opts, 119, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "abc", 3);
	p = dhcp_opt(&m.opts, OPT_DOMAIN_NAME, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "lan", 3);
	/* and back into an option area, as a lease file keeps it */
	n = dhcp_opts_dump(&m.opts, area, sizeof(area));
	dhcp_opts_init(&m.opts);
	assert_int_equal(dhcp_opts_parse(area, n, &m.opts), 0);
	p = dhcp_opt(&m.opts, 119, &len);
	assert_int_equal(len, 3);
	/* an option running past the end is refused */
	assert_int_equal(dhcp_opts_parse((uint8_t[]){ 3, 8, 10, 0 }, 4, &m.opts), -1);
}

/* A value longer than half the option store, in adjacent pieces of 255
 * (as a lease file keeps a long option): each piece joins the value where
 * it is, so only the value itself needs room. Found by fuzz-dhcp: the
 * store counted the value twice and refused the last piece. */
static void test_long_value_in_adjacent_pieces(void **state)
{
	static struct dhcp_opts o;
	static uint8_t area[DHCP_FRAME_MAX];
	const uint8_t *p;
	size_t n = 0, len;

	(void)state;
	for (int piece = 0; piece < 5; piece++) {
		uint8_t l = piece < 4 ? 255 : 20;

		area[n++] = 121;
		area[n++] = l;
		memset(area + n, 'a' + piece, l);
		n += l;
	}
	dhcp_opts_init(&o);
	assert_int_equal(dhcp_opts_parse(area, n, &o), 0);
	p = dhcp_opt(&o, 121, &len);
	assert_non_null(p);
	assert_int_equal(len, 4 * 255 + 20);
	assert_int_equal(p[0], 'a');
	assert_int_equal(p[len - 1], 'e');
	/* the same again makes 2,080 bytes: more than the store holds */
	assert_int_equal(dhcp_opts_parse(area, n, &o), -1);
}

static void test_frame(void **state)
{
	uint8_t pkt[DHCP_FRAME_MAX], msg[300] = { 1, 2, 3 };
	const uint8_t *p;
	size_t n, len;
	uint32_t src;

	(void)state;
	n = dhcp_frame(pkt, sizeof(pkt), ip("10.0.0.1"), INADDR_BROADCAST, msg, sizeof(msg));
	assert_int_equal(n, 328);
	/* ours goes to port 67: not for us */
	assert_null(dhcp_unframe(pkt, n, true, &len, &src));
	/* a server's, to port 68 (swapping the ports keeps the checksum) */
	pkt[21] = 67;
	pkt[23] = 68;
	p = dhcp_unframe(pkt, n, true, &len, &src);
	assert_non_null(p);
	assert_int_equal(len, sizeof(msg));
	assert_int_equal(src, ip("10.0.0.1"));
	assert_memory_equal(p, msg, 3);
	pkt[30] ^= 1; /* a damaged payload fails the UDP checksum... */
	assert_null(dhcp_unframe(pkt, n, true, &len, &src));
	/* ...unless the kernel left the checksum to the NIC */
	assert_non_null(dhcp_unframe(pkt, n, false, &len, &src));
	pkt[6] = 0x20; /* a fragment */
	assert_null(dhcp_unframe(pkt, n, false, &len, &src));
}

static struct ccni_result *result_of(const uint8_t *opts, size_t n, uint32_t prio)
{
	struct dhcp_opts o;
	struct ccni_result *r = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	dhcp_opts_init(&o);
	assert_int_equal(dhcp_opts_parse(opts, n, &o), 0);
	if (dhcp_result(ip("10.0.0.5"), &o, prio, &r, &e) < 0)
		fail_msg("%s", e.msg);
	return r;
}

static const char *route_text(const struct ccni_route *rt, char *buf)
{
	char d[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN] = "-";

	if (rt->gw.family)
		ccni_ip_format(&rt->gw, g);
	sprintf(buf, "%s %s %u %d", ccni_ipnet_format(&rt->dst, d), g, rt->priority, rt->scope);
	return buf;
}

static void test_result_routes(void **state)
{
	static const uint8_t plain[] = { 1, 4, 255, 255, 255, 0, 3, 8, 10, 0, 0, 1, 10, 0, 0, 2,
					 33, 8, 172, 16, 0, 0, 10, 0, 0, 3 };
	static const uint8_t classless[] = { 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1,
					     121, 15, 16, 10, 77, 10, 0, 0, 2, 24, 10, 78, 1, 0, 0, 0, 0 };
	struct ccni_result *r;
	char b[128], a[CCNI_IPNET_STRLEN];

	(void)state;
	/* as the reference: mask and first router; static routes (classful)
	 * then the default route via the router */
	r = result_of(plain, sizeof(plain), 0);
	assert_string_equal(ccni_ipnet_format(&r->ips[0].address, a), "10.0.0.5/24");
	assert_string_equal(ccni_ip_format(&r->ips[0].gateway, a), "10.0.0.1");
	assert_int_equal(r->n_routes, 2);
	assert_string_equal(route_text(&r->routes[0], b), "172.16.0.0/16 10.0.0.3 0 -1");
	assert_string_equal(route_text(&r->routes[1], b), "0.0.0.0/0 10.0.0.1 0 -1");
	ccni_result_free(r);
	/* classless routes replace both (RFC 3442); no router: on-link */
	r = result_of(classless, sizeof(classless), 7);
	assert_int_equal(r->n_routes, 2);
	assert_string_equal(route_text(&r->routes[0], b), "10.77.0.0/16 10.0.0.2 7 -1");
	assert_string_equal(route_text(&r->routes[1], b), "10.78.1.0/24 - 7 253");
	assert_string_equal(ccni_ip_format(&r->ips[0].gateway, a), "10.0.0.1");
	ccni_result_free(r);
}

static void test_result_dns_and_mask(void **state)
{
	/* search list "a.lan" and "b.lan", the second by a pointer to "lan" */
	static const uint8_t opts[] = { 1, 4, 255, 255, 0, 0, 6, 8, 10, 0, 0, 53, 10, 0, 0, 54,
					15, 4, 'l', 'a', 'n', 0,
					119, 11, 1, 'a', 3, 'l', 'a', 'n', 0, 1, 'b', 0xc0, 2 };
	static const uint8_t bad_mask[] = { 1, 4, 255, 0, 255, 0 };
	struct ccni_result *r;
	struct dhcp_opts o;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	r = result_of(opts, sizeof(opts), 0);
	assert_int_equal(r->ips[0].address.prefix, 16);
	assert_int_equal(r->ips[0].gateway.family, 0);
	assert_int_equal(r->n_routes, 0);
	assert_int_equal(r->dns.n_nameservers, 2);
	assert_string_equal(r->dns.nameservers[1], "10.0.0.54");
	assert_string_equal(r->dns.domain, "lan");
	assert_int_equal(r->dns.n_search, 2);
	assert_string_equal(r->dns.search[0], "a.lan");
	assert_string_equal(r->dns.search[1], "b.lan");
	ccni_result_free(r);
	dhcp_opts_init(&o);
	dhcp_opts_parse(bad_mask, sizeof(bad_mask), &o);
	r = NULL;
	assert_int_equal(dhcp_result(ip("10.0.0.5"), &o, 0, &r, &e), -1);
	assert_non_null(strstr(e.msg, "no valid subnet mask"));
	ccni_error_clear(&e);
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} ok[] = { { "10s", 10000 }, { "1m30s", 90000 }, { "500ms", 500 }, { "1.5h", 5400000 },
		   { "0", 0 }, { "1us", 1 }, { "2\xc2\xb5s", 1 }, { "62s", 62000 }, { ".5s", 500 } };
	static const char *const bad[] = { "10", "s", "1x", "", "1s2", "-", "1e3s", "1..2s" };
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(dhcp_parse_duration(ok[i].s, &ms), 0);
		assert_int_equal(ms, ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dhcp_parse_duration(bad[i], &ms) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_flags(void **state)
{
	char *argv[] = { "-timeout", "3s", "--broadcast", "-socketpath=/x/d.sock", "-resendmax=1m",
			 "-broadcast=false", "extra", "-pidfile", "/y", NULL };
	char *bad[] = { "-timeout", NULL };
	struct dhcpd_opts o;
	int status = -1;

	(void)state;
	assert_int_equal(dhcp_flags_parse(&o, 8, argv, &status), 0);
	assert_int_equal(o.timeout_ms, 3000);
	assert_int_equal(o.resendmax_ms, 60000);
	assert_int_equal(o.resendtimeout_ms, 208000);
	assert_false(o.broadcast);
	assert_string_equal(o.socket_path, "/x/d.sock");
	assert_string_equal(o.pidfile, ""); /* after "extra": as Go, flags end there */
	assert_int_equal(dhcp_flags_parse(&o, 1, bad, &status), -1);
	assert_int_equal(status, 2);
}

struct req_holder {
	struct ccni_request req;
	json_t *config;
};

static int conf_of(struct req_holder *h, const char *text, const char *args, struct dhcp_conf *c,
		   struct ccni_error *e)
{
	memset(h, 0, sizeof(*h));
	h->config = json_loads(text, 0, NULL);
	assert_non_null(h->config);
	h->req.config = h->config;
	h->req.name = "net";
	assert_int_equal(ccni_args_parse(args, &h->req.args, e), 0);
	return dhcp_conf_parse(&h->req, c, e);
}

static void conf_done(struct req_holder *h)
{
	ccni_args_free(&h->req.args);
	json_decref(h->config);
}

static void test_config(void **state)
{
	struct req_holder h;
	struct dhcp_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(conf_of(&h, "{\"ipam\":{\"type\":\"dhcp\"}}", NULL, &c, &e), 0);
	assert_string_equal(c.socket_path, "/run/cni/dhcp.sock");
	assert_int_equal(c.n_request, 7);
	assert_int_equal(c.request[0], 3);
	assert_int_equal(c.request[1], 1);
	conf_done(&h);
	/* skipDefault, options by name and number (string or JSON number);
	 * provide: value, fromArg (a later one of a code replaces it) */
	assert_int_equal(conf_of(&h,
				 "{\"ipam\":{\"type\":\"dhcp\",\"priority\":9,"
				 "\"request\":[{\"skipDefault\":true,\"option\":\"routers\"},{\"option\":42},"
				 "{\"option\":\"routers\"}],"
				 "\"provide\":[{\"option\":\"host-name\",\"value\":\"x\"},"
				 "{\"option\":\"12\",\"fromArg\":\"K8S_POD_NAME\"},"
				 "{\"option\":\"user-class\",\"fromArg\":\"NONE\"}]}}",
				 "K8S_POD_NAME=web-1", &c, &e),
			 0);
	assert_int_equal(c.priority, 9);
	assert_int_equal(c.n_request, 2);
	assert_int_equal(c.request[1], 42);
	assert_int_equal(c.n_provide, 1);
	assert_int_equal(c.provide[0].code, 12);
	assert_int_equal(c.provide[0].len, 5);
	assert_memory_equal(c.provide[0].data, "web-1", 5);
	conf_done(&h);
	assert_int_equal(conf_of(&h, "{\"ipam\":{\"request\":[{\"option\":\"255\"}]}}", NULL, &c, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(e.msg, "ipam.request[0].option"));
	ccni_error_clear(&e);
	conf_done(&h);
}

static void test_client_id_and_names(void **state)
{
	uint8_t id[255];
	char a[DHCP_LEASE_NAME_LEN], b[DHCP_LEASE_NAME_LEN];
	char longid[400];

	(void)state;
	assert_int_equal(dhcp_client_id("c1", "net", "eth0", id), 12);
	assert_memory_equal(id, "\0c1/net/eth0", 12);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(dhcp_client_id(longid, "net", "eth0", id), 255); /* 254 + type */
	dhcp_lease_name("a", "bc", "eth0", a);
	dhcp_lease_name("ab", "c", "eth0", b);
	assert_int_equal(strlen(a), 37);
	assert_string_not_equal(a, b);
	assert_string_equal(a + 32, ".json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_round_trip),
		cmocka_unit_test(test_long_options_and_overload),
		cmocka_unit_test(test_long_value_in_adjacent_pieces),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_result_routes),
		cmocka_unit_test(test_result_dns_and_mask),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_client_id_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
