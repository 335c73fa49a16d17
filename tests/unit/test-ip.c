/* SPDX-License-Identifier: Apache-2.0 */
/* test-ip.c — addresses, prefixes, their arithmetic, and MAC addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <ccni/ip.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct ccni_ip ip_of(const char *s)
{
	struct ccni_ip ip;

	if (ccni_ip_parse(s, &ip) < 0)
		fail_msg("test vector \"%s\" is not an address", s);
	return ip;
}

static struct ccni_ipnet net_of(const char *s)
{
	struct ccni_ipnet n;

	if (ccni_ipnet_parse(s, &n) < 0)
		fail_msg("test vector \"%s\" is not a prefix", s);
	return n;
}

static void assert_ip_is(const struct ccni_ip *ip, const char *want)
{
	char buf[CCNI_IP_STRLEN];

	assert_string_equal(ccni_ip_format(ip, buf), want);
}

static void parses_and_formats_addresses(void **state)
{
	/* input, canonical text, family */
	static const struct {
		const char *in, *out;
		int family;
	} v[] = {
		{ "10.0.0.1", "10.0.0.1", AF_INET },
		{ "0.0.0.0", "0.0.0.0", AF_INET },
		{ "255.255.255.255", "255.255.255.255", AF_INET },
		{ "192.168.1.254", "192.168.1.254", AF_INET },
		{ "::", "::", AF_INET6 },
		{ "::1", "::1", AF_INET6 },
		{ "fd00::1", "fd00::1", AF_INET6 },
		{ "FD00:0:0:0:0:0:0:1", "fd00::1", AF_INET6 },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", AF_INET6 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  AF_INET6 },
		{ "::ffff:10.1.2.3", "::ffff:10.1.2.3", AF_INET6 }, /* mapped stays IPv6 */
		{ "fe80::a:b:c:d", "fe80::a:b:c:d", AF_INET6 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ip ip, again;
		char buf[CCNI_IP_STRLEN];

		assert_int_equal(ccni_ip_parse(v[i].in, &ip), 0);
		assert_int_equal(ip.family, v[i].family);
		assert_string_equal(ccni_ip_format(&ip, buf), v[i].out);
		assert_int_equal(ccni_ip_parse(buf, &again), 0);
		assert_true(ccni_ip_equal(&ip, &again));
		assert_int_equal(ccni_ip_len(&ip), v[i].family == AF_INET ? 4 : 16);
		assert_int_equal(ccni_ip_bits(&ip), v[i].family == AF_INET ? 32 : 128);
		assert_true(ccni_ip_is_set(&ip));
	}
}

static void ipv4_uses_the_first_four_bytes(void **state)
{
	struct ccni_ip ip = ip_of("1.2.3.4");
	static const uint8_t want[16] = { 1, 2, 3, 4 };

	(void)state;
	assert_memory_equal(ip.addr, want, 16);
}

static void rejects_bad_addresses(void **state)
{
	static const char *const bad[] = {
		"", " ", "10.0.0.1 ", " 10.0.0.1", "10.0.0", "10.0.0.256", "10.0.0.1.2",
		"1.2.3.-4", "010.0.0.1", "10.0.0.1/24", "abc", "::g", "1:2:3:4:5:6:7:8:9",
		"fd00::1::2", "fe80::1%eth0", "0x0a.0.0.1", "10..0.1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", /* too long */
		"0000000000000000000000000000000000000000000000000000::1",
	};
	struct ccni_ip ip = { .family = 99 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (ccni_ip_parse(bad[i], &ip) == 0)
			fail_msg("\"%s\" was accepted as an address", bad[i]);
	}
	assert_int_equal(ccni_ip_parse(NULL, &ip), -1);
	assert_int_equal(ip.family, 99); /* untouched on failure */
}

static void parses_and_formats_prefixes(void **state)
{
	static const struct {
		const char *in, *out;
		unsigned prefix;
	} v[] = {
		{ "10.1.2.3/24", "10.1.2.3/24", 24 }, /* host bits kept */
		{ "10.0.0.0/8", "10.0.0.0/8", 8 },
		{ "0.0.0.0/0", "0.0.0.0/0", 0 },
		{ "192.168.0.1/32", "192.168.0.1/32", 32 },
		{ "10.0.0.0/024", "10.0.0.0/24", 24 }, /* leading zero, as the reference */
		{ "::/0", "::/0", 0 },
		{ "fd00::5/64", "fd00::5/64", 64 },
		{ "2001:DB8::/32", "2001:db8::/32", 32 },
		{ "::1/128", "::1/128", 128 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 128 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ipnet n, again;
		char buf[CCNI_IPNET_STRLEN];

		assert_int_equal(ccni_ipnet_parse(v[i].in, &n), 0);
		assert_int_equal(n.prefix, v[i].prefix);
		assert_string_equal(ccni_ipnet_format(&n, buf), v[i].out);
		assert_int_equal(ccni_ipnet_parse(buf, &again), 0);
		assert_true(ccni_ipnet_equal(&n, &again));
	}
}

static void rejects_bad_prefixes(void **state)
{
	static const char *const bad[] = {
		"", "/", "/24", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/100",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0 /8", "10.0.0.0/8 ",
		" 10.0.0.0/8", "10.0.0.0/8/8", "10.0.0.0/8a", "10.0.0.0/0x8", "10.0.0/8",
		"10.0.0.300/24", "fd00::/129", "fd00::/1000", "fd00::/", "::/99999999999",
		"foo/8", "10.0.0.0\t/8", "10.0.0.0/24;",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/0128x",
	};
	struct ccni_ipnet n = { .prefix = 77 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (ccni_ipnet_parse(bad[i], &n) == 0)
			fail_msg("\"%s\" was accepted as a prefix", bad[i]);
	}
	assert_int_equal(ccni_ipnet_parse(NULL, &n), -1);
	assert_int_equal(n.prefix, 77);
}

static void formats_an_unset_address(void **state)
{
	struct ccni_ip ip = { 0 };
	char buf[CCNI_IP_STRLEN];

	(void)state;
	assert_false(ccni_ip_is_set(&ip));
	assert_string_equal(ccni_ip_format(&ip, buf), "<none>");
}

static void compares_addresses(void **state)
{
	struct ccni_ip a = ip_of("10.0.0.1"), b = ip_of("10.0.0.2"), c = ip_of("10.0.1.0");
	struct ccni_ip v6 = ip_of("::1"), v6b = ip_of("::2"), mapped = ip_of("::ffff:10.0.0.1");

	(void)state;
	assert_true(ccni_ip_cmp(&a, &b) < 0);
	assert_true(ccni_ip_cmp(&b, &a) > 0);
	assert_true(ccni_ip_cmp(&b, &c) < 0);
	assert_int_equal(ccni_ip_cmp(&a, &a), 0);
	assert_true(ccni_ip_cmp(&v6, &v6b) < 0);
	/* IPv4 sorts before IPv6, and families never compare equal. */
	assert_true(ccni_ip_cmp(&a, &v6) < 0);
	assert_true(ccni_ip_cmp(&v6, &a) > 0);
	assert_false(ccni_ip_equal(&a, &mapped));
	c = ip_of("10.0.0.1");
	assert_true(ccni_ip_equal(&a, &c));
}

static void compares_prefixes(void **state)
{
	struct ccni_ipnet a = net_of("10.0.0.0/24"), b = net_of("10.0.0.0/25"),
			  c = net_of("10.0.0.1/24"), d = net_of("10.0.0.0/24");

	(void)state;
	assert_true(ccni_ipnet_equal(&a, &d));
	assert_false(ccni_ipnet_equal(&a, &b));
	assert_false(ccni_ipnet_equal(&a, &c)); /* host bits count */
}

static void computes_network_and_last(void **state)
{
	static const struct {
		const char *in, *network, *last;
	} v[] = {
		{ "10.1.2.3/24", "10.1.2.0/24", "10.1.2.255" },
		{ "10.1.2.3/32", "10.1.2.3/32", "10.1.2.3" },
		{ "10.1.2.3/0", "0.0.0.0/0", "255.255.255.255" },
		{ "10.1.2.130/25", "10.1.2.128/25", "10.1.2.255" },
		{ "172.16.5.4/12", "172.16.0.0/12", "172.31.255.255" },
		{ "192.168.1.77/30", "192.168.1.76/30", "192.168.1.79" },
		{ "10.255.255.255/9", "10.128.0.0/9", "10.255.255.255" },
		{ "10.1.2.3/31", "10.1.2.2/31", "10.1.2.3" },
		{ "fd00::1234/64", "fd00::/64", "fd00::ffff:ffff:ffff:ffff" },
		{ "fd00::1/128", "fd00::1/128", "fd00::1" },
		{ "2001:db8:abcd:12::1/52", "2001:db8:abcd::/52", "2001:db8:abcd:fff:ffff:ffff:ffff:ffff" },
		{ "::5/0", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "fd00::ff/121", "fd00::80/121", "fd00::ff" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ipnet n = net_of(v[i].in), net = ccni_ipnet_network(&n);
		struct ccni_ip last = ccni_ipnet_last(&n);
		char buf[CCNI_IPNET_STRLEN];

		assert_string_equal(ccni_ipnet_format(&net, buf), v[i].network);
		assert_ip_is(&last, v[i].last);
		assert_true(ccni_ipnet_contains(&n, &net.ip));
		assert_true(ccni_ipnet_contains(&n, &last));
	}
}

static void contains_checks_family_and_prefix(void **state)
{
	static const struct {
		const char *net, *ip;
		bool in;
	} v[] = {
		{ "10.0.0.0/24", "10.0.0.0", true },
		{ "10.0.0.0/24", "10.0.0.255", true },
		{ "10.0.0.0/24", "10.0.1.0", false },
		{ "10.0.0.0/24", "9.255.255.255", false },
		{ "10.0.0.7/24", "10.0.0.200", true }, /* host bits of the prefix ignored */
		{ "0.0.0.0/0", "255.255.255.255", true },
		{ "10.0.0.1/32", "10.0.0.1", true },
		{ "10.0.0.1/32", "10.0.0.2", false },
		{ "10.0.0.0/24", "::ffff:10.0.0.1", false },
		{ "::/0", "10.0.0.1", false },
		{ "::/0", "fd00::1", true },
		{ "fd00::/64", "fd00::ffff:ffff:ffff:ffff", true },
		{ "fd00::/64", "fd00:0:0:1::", false },
		{ "fd00::/7", "fc00::", true },
		{ "fd00::/8", "fc00::", false },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ipnet n = net_of(v[i].net);
		struct ccni_ip ip = ip_of(v[i].ip);

		if (ccni_ipnet_contains(&n, &ip) != v[i].in)
			fail_msg("%s contains %s: expected %d", v[i].net, v[i].ip, v[i].in);
	}
}

static void overlaps_is_symmetric(void **state)
{
	static const struct {
		const char *a, *b;
		bool overlap;
	} v[] = {
		{ "10.0.0.0/24", "10.0.0.0/24", true },
		{ "10.0.0.0/24", "10.0.0.128/25", true },
		{ "10.0.0.0/8", "10.200.3.0/24", true },
		{ "10.0.0.0/24", "10.0.1.0/24", false },
		{ "10.0.0.0/25", "10.0.0.128/25", false },
		{ "0.0.0.0/0", "192.168.0.0/16", true },
		{ "10.0.0.5/24", "10.0.0.200/30", true },
		{ "10.0.0.1/32", "10.0.0.1/32", true },
		{ "10.0.0.1/32", "10.0.0.2/32", false },
		{ "10.0.0.0/24", "::/0", false },
		{ "fd00::/64", "fd00::1/128", true },
		{ "fd00::/64", "fd00:0:0:1::/64", false },
		{ "fd00::/8", "fdff:1::/32", true },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ipnet a = net_of(v[i].a), b = net_of(v[i].b);

		if (ccni_ipnet_overlaps(&a, &b) != v[i].overlap ||
		    ccni_ipnet_overlaps(&b, &a) != v[i].overlap)
			fail_msg("%s overlaps %s: expected %d", v[i].a, v[i].b, v[i].overlap);
	}
}

static void add_carries_and_wraps(void **state)
{
	static const struct {
		const char *from;
		int64_t delta;
		const char *to;
		bool wrapped;
	} v[] = {
		{ "10.0.0.1", 1, "10.0.0.2", false },
		{ "10.0.0.1", 0, "10.0.0.1", false },
		{ "10.0.0.255", 1, "10.0.1.0", false },
		{ "10.0.255.255", 1, "10.1.0.0", false },
		{ "10.255.255.255", 1, "11.0.0.0", false },
		{ "10.0.0.0", 256, "10.0.1.0", false },
		{ "10.0.0.0", 65536 + 257, "10.1.1.1", false },
		{ "10.0.1.0", -1, "10.0.0.255", false },
		{ "11.0.0.0", -1, "10.255.255.255", false },
		{ "10.1.1.1", -(65536 + 257), "10.0.0.0", false },
		{ "255.255.255.255", 1, "0.0.0.0", true },
		{ "255.255.255.254", 3, "0.0.0.1", true },
		{ "0.0.0.0", -1, "255.255.255.255", true },
		{ "0.0.0.1", -2, "255.255.255.255", true },
		{ "0.0.0.0", 4294967295LL, "255.255.255.255", false },
		{ "0.0.0.0", 4294967296LL, "0.0.0.0", true },
		{ "0.0.0.1", 4294967296LL + 5, "0.0.0.6", true },
		{ "255.255.255.255", -4294967295LL, "0.0.0.0", false },
		{ "255.255.255.255", -4294967296LL, "255.255.255.255", true },
		{ "10.0.0.0", INT64_MAX, "9.255.255.255", true },
		{ "10.0.0.0", INT64_MIN, "10.0.0.0", true },
		{ "fd00::ffff", 1, "fd00::1:0", false },
		{ "fd00::ffff:ffff:ffff:ffff", 1, "fd00:0:0:1::", false },
		{ "fd00:0:0:1::", -1, "fd00::ffff:ffff:ffff:ffff", false },
		{ "::", INT64_MAX, "::7fff:ffff:ffff:ffff", false },
		{ "::ffff:ffff:ffff:ffff", INT64_MAX, "::1:7fff:ffff:ffff:fffe", false },
		{ "::1", INT64_MIN, "ffff:ffff:ffff:ffff:8000::1", true },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::", true },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0", 32, "::10", true },
		{ "::", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "::ffff:ffff:ffff:ffff", 1, "0:0:0:1::", false },
		{ "::ffff:255.255.255.255", 1, "::1:0:0:0", false }, /* IPv6 arithmetic */
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ip ip = ip_of(v[i].from);
		uint8_t family = ip.family;
		char buf[CCNI_IP_STRLEN];
		bool wrapped = ccni_ip_add(&ip, v[i].delta);

		if (strcmp(ccni_ip_format(&ip, buf), v[i].to) || wrapped != v[i].wrapped)
			fail_msg("%s + %lld = %s wrapped=%d, expected %s wrapped=%d", v[i].from,
				 (long long)v[i].delta, buf, wrapped, v[i].to, v[i].wrapped);
		assert_int_equal(ip.family, family);
		if (family == AF_INET) {
			static const uint8_t zero[12];

			assert_memory_equal(ip.addr + 4, zero, 12);
		}
	}
}

static void add_round_trips(void **state)
{
	static const int64_t deltas[] = { 1, 255, 256, 65535, 65536, 16777217, 1LL << 40,
					  -3, -(1LL << 50) };
	static const char *const starts[] = { "10.20.30.40", "fd00::1:2:3", "::", "1.2.3.4" };

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(starts); s++) {
		for (size_t d = 0; d < ARRAY_SIZE(deltas); d++) {
			struct ccni_ip ip = ip_of(starts[s]), orig = ip;

			ccni_ip_add(&ip, deltas[d]);
			ccni_ip_add(&ip, -deltas[d]);
			assert_true(ccni_ip_equal(&ip, &orig));
		}
	}
}

static void builds_masks(void **state)
{
	static const struct {
		int family;
		unsigned prefix;
		const char *mask;
	} v[] = {
		{ AF_INET, 0, "0.0.0.0" },
		{ AF_INET, 1, "128.0.0.0" },
		{ AF_INET, 8, "255.0.0.0" },
		{ AF_INET, 12, "255.240.0.0" },
		{ AF_INET, 24, "255.255.255.0" },
		{ AF_INET, 25, "255.255.255.128" },
		{ AF_INET, 31, "255.255.255.254" },
		{ AF_INET, 32, "255.255.255.255" },
		{ AF_INET, 40, "255.255.255.255" }, /* clamped */
		{ AF_INET6, 0, "::" },
		{ AF_INET6, 7, "fe00::" },
		{ AF_INET6, 64, "ffff:ffff:ffff:ffff::" },
		{ AF_INET6, 65, "ffff:ffff:ffff:ffff:8000::" },
		{ AF_INET6, 127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe" },
		{ AF_INET6, 128, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_ip m = ccni_ip_mask(v[i].family, v[i].prefix);

		assert_int_equal(m.family, v[i].family);
		assert_ip_is(&m, v[i].mask);
		if (v[i].family == AF_INET) {
			static const uint8_t zero[12];

			assert_memory_equal(m.addr + 4, zero, 12);
		}
	}
}

static bool is_default(const char *s)
{
	struct ccni_ipnet n = net_of(s);

	return ccni_ipnet_is_default(&n);
}

static void unmaps_ipv4_mapped_addresses_only(void **state)
{
	struct ccni_ip a;
	char b[CCNI_IP_STRLEN];

	(void)state;
	a = ip_of("::ffff:10.2.0.2");
	ccni_ip_unmap4(&a);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(ccni_ip_format(&a, b), "10.2.0.2");
	a = ip_of("::10.2.0.2"); /* IPv4-compatible, not mapped */
	ccni_ip_unmap4(&a);
	assert_string_equal(ccni_ip_format(&a, b), "::10.2.0.2");
	a = ip_of("10.2.0.2");
	ccni_ip_unmap4(&a);
	assert_string_equal(ccni_ip_format(&a, b), "10.2.0.2");
}

static void detects_v6_link_local(void **state)
{
	struct ccni_ip a;

	(void)state;
	a = ip_of("fe80::1");
	assert_true(ccni_ip_is_link_local6(&a));
	a = ip_of("febf:ffff::1");
	assert_true(ccni_ip_is_link_local6(&a));
	a = ip_of("fec0::1");
	assert_false(ccni_ip_is_link_local6(&a));
	a = ip_of("fd00::1");
	assert_false(ccni_ip_is_link_local6(&a));
	a = ip_of("169.254.0.1");
	assert_false(ccni_ip_is_link_local6(&a)); /* only IPv6 */
}

static void detects_default_prefixes(void **state)
{
	struct ccni_ipnet unset = { 0 };

	(void)state;
	assert_true(is_default("0.0.0.0/0"));
	assert_true(is_default("::/0"));
	assert_true(is_default("10.0.0.0/0")); /* host bits do not matter */
	assert_false(is_default("0.0.0.0/1"));
	assert_false(is_default("0.0.0.0/32"));
	assert_false(is_default("::/128"));
	assert_false(is_default("10.0.0.0/8"));
	assert_false(ccni_ipnet_is_default(&unset));
}

static void parses_and_formats_macs(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t bytes[6];
	} v[] = {
		{ "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "0a:1B:2c:3D:4e:5F", "0a:1b:2c:3d:4e:5f", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
		{ "00:00:00:00:00:00", "00:00:00:00:00:00", { 0 } },
		{ "02:42:ac:11:00:02", "02:42:ac:11:00:02", { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 } },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t mac[6];
		char buf[18];

		assert_int_equal(ccni_mac_parse(v[i].in, mac), 0);
		assert_memory_equal(mac, v[i].bytes, 6);
		assert_string_equal(ccni_mac_format(mac, buf), v[i].out);
	}
}

static void rejects_bad_macs(void **state)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:", "aa:bb:cc:dd:ee:ff:00",
		"aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "a:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:fg", "aa:bb:cc:dd:ee:fff", "aa:bb:cc:dd:eee:ff",
		"aa:bb:cc:dd:ee::f", " aa:bb:cc:dd:ee:f", "aa:bb:cc:dd:ee:ff ", "aabbccddeeff",
		"+a:bb:cc:dd:ee:ff", "0x:bb:cc:dd:ee:ff", "aa;bb;cc;dd;ee;ff",
		"00:00:5e:00:53:01:02:03",
	};
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };
	static const uint8_t untouched[6] = { 9, 9, 9, 9, 9, 9 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (ccni_mac_parse(bad[i], mac) == 0)
			fail_msg("\"%s\" was accepted as a MAC", bad[i]);
	}
	assert_int_equal(ccni_mac_parse(NULL, mac), -1);
	assert_memory_equal(mac, untouched, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_and_formats_addresses),
		cmocka_unit_test(ipv4_uses_the_first_four_bytes),
		cmocka_unit_test(rejects_bad_addresses),
		cmocka_unit_test(parses_and_formats_prefixes),
		cmocka_unit_test(rejects_bad_prefixes),
		cmocka_unit_test(formats_an_unset_address),
		cmocka_unit_test(compares_addresses),
		cmocka_unit_test(compares_prefixes),
		cmocka_unit_test(computes_network_and_last),
		cmocka_unit_test(contains_checks_family_and_prefix),
		cmocka_unit_test(overlaps_is_symmetric),
		cmocka_unit_test(add_carries_and_wraps),
		cmocka_unit_test(add_round_trips),
		cmocka_unit_test(builds_masks),
		cmocka_unit_test(detects_default_prefixes),
		cmocka_unit_test(detects_v6_link_local),
		cmocka_unit_test(unmaps_ipv4_mapped_addresses_only),
		cmocka_unit_test(parses_and_formats_macs),
		cmocka_unit_test(rejects_bad_macs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
