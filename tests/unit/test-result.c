/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory result model: construction, append, copy, dns, release. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ccni/result.h>

static struct ccni_ipnet net(const char *s)
{
	struct ccni_ipnet n;

	assert_int_equal(ccni_ipnet_parse(s, &n), 0);
	return n;
}

static struct ccni_ip ip(const char *s)
{
	struct ccni_ip a;

	assert_int_equal(ccni_ip_parse(s, &a), 0);
	return a;
}

static void test_new_free(void **state)
{
	struct ccni_result *r;

	(void)state;
	r = ccni_result_new("0.4.0");
	assert_non_null(r);
	assert_string_equal(r->cni_version, "0.4.0");
	assert_int_equal(r->n_interfaces, 0);
	assert_int_equal(r->n_ips, 0);
	assert_int_equal(r->n_routes, 0);
	assert_null(r->dns.domain);
	ccni_result_free(r);

	r = ccni_result_new(NULL);
	assert_non_null(r);
	assert_string_equal(r->cni_version, "1.1.0");
	ccni_result_free(r);
	ccni_result_free(NULL);
}

static void test_add_interface(void **state)
{
	struct ccni_result *r = ccni_result_new("1.1.0");

	(void)state;
	assert_int_equal(ccni_result_add_interface(r, "cni0", "aa:bb:cc:dd:ee:ff", NULL), 0);
	assert_int_equal(ccni_result_add_interface(r, "eth0", NULL, "/var/run/netns/x"), 1);
	assert_int_equal(ccni_result_add_interface(r, NULL, NULL, NULL), 2);
	assert_int_equal(r->n_interfaces, 3);
	assert_string_equal(r->interfaces[0].name, "cni0");
	assert_string_equal(r->interfaces[0].mac, "aa:bb:cc:dd:ee:ff");
	assert_null(r->interfaces[0].sandbox);
	assert_null(r->interfaces[1].mac);
	assert_string_equal(r->interfaces[1].sandbox, "/var/run/netns/x");
	assert_string_equal(r->interfaces[2].name, "");
	assert_int_equal(r->interfaces[1].mtu, 0);
	assert_null(r->interfaces[1].socket_path);
	assert_null(r->interfaces[1].pci_id);
	ccni_result_free(r);
}

static void test_add_ip_route(void **state)
{
	struct ccni_result *r = ccni_result_new("1.1.0");
	struct ccni_ipnet a = net("10.1.0.5/16"), b = net("fd00::5/64");
	struct ccni_ip gw = ip("10.1.0.1");
	struct ccni_route rt = ccni_route_init();

	(void)state;
	assert_int_equal(rt.scope, -1);
	assert_int_equal(rt.mtu, 0);
	assert_int_equal(rt.table, 0);
	assert_int_equal(rt.gw.family, 0);
	assert_int_equal(rt.dst.ip.family, 0);

	assert_int_equal(ccni_result_add_ip(r, &a, &gw, 0), 0);
	assert_int_equal(ccni_result_add_ip(r, &b, NULL, -1), 1);
	assert_true(ccni_ipnet_equal(&r->ips[0].address, &a));
	assert_true(ccni_ip_equal(&r->ips[0].gateway, &gw));
	assert_int_equal(r->ips[0].interface, 0);
	assert_int_equal(r->ips[1].gateway.family, 0);
	assert_int_equal(r->ips[1].interface, -1);

	rt.dst = net("0.0.0.0/0");
	rt.gw = gw;
	rt.mtu = 1400;
	assert_int_equal(ccni_result_add_route(r, &rt), 0);
	rt = ccni_route_init();
	rt.dst = net("fd00::/8");
	rt.scope = 253;
	assert_int_equal(ccni_result_add_route(r, &rt), 1);
	assert_int_equal(r->routes[0].mtu, 1400);
	assert_int_equal(r->routes[0].scope, -1);
	assert_int_equal(r->routes[1].scope, 253);
	ccni_result_free(r);
}

static void test_add_bounded(void **state)
{
	struct ccni_result *r = ccni_result_new("1.1.0");
	struct ccni_ipnet a = net("10.0.0.1/8");
	int last = 0;

	(void)state;
	for (int i = 0; i < 100000 && last >= 0; i++)
		last = ccni_result_add_ip(r, &a, NULL, -1);
	assert_int_equal(last, -1);
	assert_true(r->n_ips >= 1024);
	assert_true(r->n_ips < 100000);
	ccni_result_free(r);
}

static void test_strv_dns(void **state)
{
	struct ccni_dns d = { 0 }, c = { 0 };

	(void)state;
	assert_int_equal(ccni_strv_append(&d.nameservers, &d.n_nameservers, "10.0.0.53"), 0);
	assert_int_equal(ccni_strv_append(&d.nameservers, &d.n_nameservers, "fd00::53"), 0);
	assert_int_equal(ccni_strv_append(&d.search, &d.n_search, "a.example"), 0);
	assert_int_equal(ccni_strv_append(&d.options, &d.n_options, "ndots:2"), 0);
	assert_int_equal(ccni_strv_append(&d.options, &d.n_options, NULL), -1);
	assert_int_equal(d.n_options, 1);
	d.domain = strdup("example");

	/* copy replaces what the destination held */
	assert_int_equal(ccni_strv_append(&c.search, &c.n_search, "old.example"), 0);
	assert_int_equal(ccni_dns_copy(&c, &d), 0);
	assert_int_equal(c.n_nameservers, 2);
	assert_string_equal(c.nameservers[1], "fd00::53");
	assert_ptr_not_equal(c.nameservers[0], d.nameservers[0]);
	assert_int_equal(c.n_search, 1);
	assert_string_equal(c.search[0], "a.example");
	assert_string_equal(c.options[0], "ndots:2");
	assert_string_equal(c.domain, "example");
	assert_ptr_not_equal(c.domain, d.domain);

	ccni_dns_clear(&d);
	assert_null(d.nameservers);
	assert_int_equal(d.n_nameservers, 0);
	assert_null(d.domain);
	/* the copy is independent */
	assert_string_equal(c.nameservers[0], "10.0.0.53");
	/* copying an empty dns empties the destination */
	assert_int_equal(ccni_dns_copy(&c, &d), 0);
	assert_int_equal(c.n_nameservers, 0);
	assert_null(c.domain);
	ccni_dns_clear(&c);
	ccni_dns_clear(&c);
}

static void test_copy(void **state)
{
	struct ccni_result *r = ccni_result_new("1.1.0"), *c;
	struct ccni_ipnet a = net("10.1.0.5/16");
	struct ccni_ip gw = ip("10.1.0.1");
	struct ccni_route rt = ccni_route_init();

	(void)state;
	assert_int_equal(ccni_result_add_interface(r, "eth0", "02:00:00:00:00:01", "/ns"), 0);
	r->interfaces[0].mtu = 9000;
	r->interfaces[0].socket_path = strdup("/run/vhost.sock");
	r->interfaces[0].pci_id = strdup("0000:00:1f.6");
	assert_int_equal(ccni_result_add_ip(r, &a, &gw, 0), 0);
	rt.dst = net("192.168.0.0/16");
	rt.gw = gw;
	rt.table = 100;
	rt.scope = 0;
	assert_int_equal(ccni_result_add_route(r, &rt), 0);
	assert_int_equal(ccni_strv_append(&r->dns.nameservers, &r->dns.n_nameservers, "1.1.1.1"),
			 0);
	r->dns.domain = strdup("example");

	c = ccni_result_copy(r);
	assert_non_null(c);
	ccni_result_free(r);
	assert_string_equal(c->cni_version, "1.1.0");
	assert_int_equal(c->n_interfaces, 1);
	assert_string_equal(c->interfaces[0].name, "eth0");
	assert_string_equal(c->interfaces[0].mac, "02:00:00:00:00:01");
	assert_string_equal(c->interfaces[0].sandbox, "/ns");
	assert_int_equal(c->interfaces[0].mtu, 9000);
	assert_string_equal(c->interfaces[0].socket_path, "/run/vhost.sock");
	assert_string_equal(c->interfaces[0].pci_id, "0000:00:1f.6");
	assert_int_equal(c->n_ips, 1);
	assert_true(ccni_ipnet_equal(&c->ips[0].address, &a));
	assert_true(ccni_ip_equal(&c->ips[0].gateway, &gw));
	assert_int_equal(c->ips[0].interface, 0);
	assert_int_equal(c->n_routes, 1);
	assert_int_equal(c->routes[0].table, 100);
	assert_int_equal(c->routes[0].scope, 0);
	assert_string_equal(c->dns.nameservers[0], "1.1.1.1");
	assert_string_equal(c->dns.domain, "example");
	ccni_result_free(c);

	/* an empty result copies too */
	r = ccni_result_new("0.2.0");
	c = ccni_result_copy(r);
	assert_non_null(c);
	assert_string_equal(c->cni_version, "0.2.0");
	assert_int_equal(c->n_ips, 0);
	ccni_result_free(r);
	ccni_result_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_free),	 cmocka_unit_test(test_add_interface),
	    cmocka_unit_test(test_add_ip_route), cmocka_unit_test(test_add_bounded),
	    cmocka_unit_test(test_strv_dns),	 cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
