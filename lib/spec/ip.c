/* SPDX-License-Identifier: Apache-2.0 */
/* ip.c — IPv4/IPv6 values, prefixes and the arithmetic IPAM needs. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/ip.h>

int ccni_ip_parse(const char *s, struct ccni_ip *out)
{
	struct ccni_ip ip = { 0 };

	if (!s || !*s || strnlen(s, CCNI_IP_STRLEN) >= CCNI_IP_STRLEN)
		return -1;
	if (inet_pton(AF_INET, s, ip.addr) == 1) {
		ip.family = AF_INET;
	} else if (inet_pton(AF_INET6, s, ip.addr) == 1) {
		ip.family = AF_INET6;
	} else {
		return -1;
	}
	*out = ip;
	return 0;
}

/*
 * "ADDR/LEN". The length is decimal digits only (no sign, no spaces); leading
 * zeros are accepted as the reference's net.ParseCIDR accepts them ("/024").
 */
int ccni_ipnet_parse(const char *s, struct ccni_ipnet *out)
{
	char buf[CCNI_IPNET_STRLEN];
	const char *slash, *p;
	struct ccni_ipnet net;
	unsigned n = 0;

	if (!s || strnlen(s, sizeof(buf)) >= sizeof(buf))
		return -1;
	slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1])
		return -1;
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
		if (n > 128)
			return -1;
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (ccni_ip_parse(buf, &net.ip) < 0 || n > ccni_ip_bits(&net.ip))
		return -1;
	net.prefix = (uint8_t)n;
	*out = net;
	return 0;
}

char *ccni_ip_format(const struct ccni_ip *ip, char buf[CCNI_IP_STRLEN])
{
	if (!ip->family || !inet_ntop(ip->family, ip->addr, buf, CCNI_IP_STRLEN))
		strcpy(buf, "<none>");
	return buf;
}

char *ccni_ipnet_format(const struct ccni_ipnet *net, char buf[CCNI_IPNET_STRLEN])
{
	char a[CCNI_IP_STRLEN];

	snprintf(buf, CCNI_IPNET_STRLEN, "%s/%u", ccni_ip_format(&net->ip, a), net->prefix);
	return buf;
}

int ccni_ip_cmp(const struct ccni_ip *a, const struct ccni_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, ccni_ip_len(a));
}

bool ccni_ip_equal(const struct ccni_ip *a, const struct ccni_ip *b)
{
	return ccni_ip_cmp(a, b) == 0;
}

bool ccni_ipnet_equal(const struct ccni_ipnet *a, const struct ccni_ipnet *b)
{
	return a->prefix == b->prefix && ccni_ip_equal(&a->ip, &b->ip);
}

struct ccni_ip ccni_ip_mask(int family, unsigned prefix)
{
	struct ccni_ip m = { .family = (uint8_t)family };
	unsigned bits = family == AF_INET6 ? 128 : 32;

	if (prefix > bits)
		prefix = bits;
	for (unsigned i = 0; i < prefix / 8; i++)
		m.addr[i] = 0xff;
	if (prefix % 8)
		m.addr[prefix / 8] = (uint8_t)(0xff << (8 - prefix % 8));
	return m;
}

struct ccni_ipnet ccni_ipnet_network(const struct ccni_ipnet *net)
{
	struct ccni_ipnet r = *net;
	struct ccni_ip m = ccni_ip_mask(net->ip.family, net->prefix);

	for (unsigned i = 0; i < 16; i++)
		r.ip.addr[i] &= m.addr[i];
	return r;
}

struct ccni_ip ccni_ipnet_last(const struct ccni_ipnet *net)
{
	struct ccni_ip r = net->ip;
	struct ccni_ip m = ccni_ip_mask(net->ip.family, net->prefix);

	for (unsigned i = 0; i < ccni_ip_len(&r); i++)
		r.addr[i] |= (uint8_t)~m.addr[i];
	return r;
}

void ccni_ip_unmap4(struct ccni_ip *ip)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (ip->family == AF_INET6 && memcmp(ip->addr, mapped, sizeof(mapped)) == 0) {
		memmove(ip->addr, ip->addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		ip->family = AF_INET;
	}
}

bool ccni_ip_is_link_local6(const struct ccni_ip *ip)
{
	return ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80;
}

bool ccni_ipnet_contains(const struct ccni_ipnet *net, const struct ccni_ip *ip)
{
	struct ccni_ip m;

	if (net->ip.family != ip->family)
		return false;
	m = ccni_ip_mask(net->ip.family, net->prefix);
	for (unsigned i = 0; i < ccni_ip_len(ip); i++)
		if ((ip->addr[i] & m.addr[i]) != (net->ip.addr[i] & m.addr[i]))
			return false;
	return true;
}

bool ccni_ipnet_overlaps(const struct ccni_ipnet *a, const struct ccni_ipnet *b)
{
	if (a->ip.family != b->ip.family)
		return false;
	/* Two prefixes overlap when the shorter one contains the other. */
	return a->prefix <= b->prefix ? ccni_ipnet_contains(a, &b->ip) :
					ccni_ipnet_contains(b, &a->ip);
}

bool ccni_ip_add(struct ccni_ip *ip, int64_t delta)
{
	unsigned len = ccni_ip_len(ip);
	uint64_t mag = delta < 0 ? (uint64_t)(-(delta + 1)) + 1 : (uint64_t)delta;
	unsigned carry = 0;

	if (delta >= 0) {
		for (int i = (int)len - 1; i >= 0; i--) {
			unsigned v = ip->addr[i] + (unsigned)(mag & 0xff) + carry;

			ip->addr[i] = (uint8_t)v;
			carry = v >> 8;
			mag >>= 8;
		}
		return carry || mag;
	}
	for (int i = (int)len - 1; i >= 0; i--) {
		int v = (int)ip->addr[i] - (int)(mag & 0xff) - (int)carry;

		carry = v < 0;
		ip->addr[i] = (uint8_t)(v + (carry ? 256 : 0));
		mag >>= 8;
	}
	return carry || mag;
}

/* Any x/0 is the whole address space, so host bits do not matter here. */
bool ccni_ipnet_is_default(const struct ccni_ipnet *net)
{
	return net->ip.family != 0 && net->prefix == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly "xx:xx:xx:xx:xx:xx", either case; no '-' or '.' forms. */
int ccni_mac_parse(const char *s, uint8_t out[6])
{
	uint8_t m[6];

	if (!s || strnlen(s, 18) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, m, 6);
	return 0;
}

/* The forms Go's net.ParseMAC takes for 6 bytes, which reference plugins
 * accept: "xx:xx:xx:xx:xx:xx", "xx-xx-xx-xx-xx-xx", "xxxx.xxxx.xxxx". */
int ccni_mac_parse_any(const char *s, uint8_t out[6])
{
	uint8_t m[6];
	size_t n = s ? strnlen(s, 18) : 0;

	if (n == 17 && (s[2] == ':' || s[2] == '-')) {
		for (int i = 0; i < 6; i++) {
			const char *p = s + i * 3;
			int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

			if (hi < 0 || lo < 0 || (i < 5 && p[2] != s[2]))
				return -1;
			m[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (n == 14) { /* xxxx.xxxx.xxxx */
		for (int i = 0; i < 6; i++) {
			const char *p = s + (i / 2) * 5 + (i % 2) * 2;
			int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

			if (hi < 0 || lo < 0 || (i % 2 && i < 5 && p[2] != '.'))
				return -1;
			m[i] = (uint8_t)(hi << 4 | lo);
		}
	} else {
		return -1;
	}
	memcpy(out, m, 6);
	return 0;
}

char *ccni_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
