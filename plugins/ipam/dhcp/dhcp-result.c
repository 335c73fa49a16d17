/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-result.c — what a lease means for the container: the CNI result
 * (address, gateway, routes, DNS) from the address and the options of the
 * server's DHCPACK. Routes and gateway as the reference derives them; DNS
 * from options 6, 15 and 119, which the reference leaves out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

#define SCOPE_LINK 253
#define NAME_MAX_LEN 256

int dhcp_mask_prefix(const struct dhcp_opts *o)
{
	uint32_t m;
	int n = 0;

	if (dhcp_opt_u32(o, OPT_SUBNET_MASK, &m) < 0)
		return -1;
	m = ntohl(m);
	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	/* the bits after the first zero must all be zero */
	if (n < 32 && (m << n) != 0)
		return -1;
	return n;
}

static struct ccni_ip ip4(const uint8_t *p)
{
	struct ccni_ip ip = { .family = AF_INET };

	memcpy(ip.addr, p, 4);
	return ip;
}

static bool zero4(const uint8_t *p)
{
	return !(p[0] | p[1] | p[2] | p[3]);
}

/* gw NULL or 0.0.0.0: an on-link route (scope link, no gateway), as the
 * reference installs a classless route whose router is unspecified. */
static int add_route(struct ccni_result *r, const uint8_t dst[4], int prefix, const uint8_t *gw,
		     uint32_t priority)
{
	struct ccni_route rt = ccni_route_init();
	struct ccni_ipnet net = { ip4(dst), (uint8_t)prefix };

	rt.dst = ccni_ipnet_network(&net);
	if (gw && !zero4(gw))
		rt.gw = ip4(gw);
	else
		rt.scope = SCOPE_LINK;
	rt.priority = priority;
	return ccni_result_add_route(r, &rt) < 0 ? -1 : 0;
}

/* RFC 3442: width, the significant octets of the destination, router. */
static int classless_routes(struct ccni_result *r, const uint8_t *p, size_t n, uint32_t prio)
{
	size_t i = 0;

	while (i < n) {
		unsigned width = p[i], octets = (width + 7) / 8;
		uint8_t dst[4] = { 0 };

		if (width > 32 || i + 1 + octets + 4 > n)
			return 0; /* a malformed tail: the routes before it stand */
		memcpy(dst, p + i + 1, octets);
		if (add_route(r, dst, (int)width, p + i + 1 + octets, prio) < 0)
			return -1;
		i += 1 + octets + 4;
	}
	return 0;
}

/* Option 33: destination and router pairs, the destination's class
 * giving the prefix (the reference's classful mask). */
static int static_routes(struct ccni_result *r, const uint8_t *p, size_t n, uint32_t prio)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		int prefix = p[i] < 128 ? 8 : p[i] < 192 ? 16 : p[i] < 224 ? 24 : -1;

		if (prefix > 0 && add_route(r, p + i, prefix, p + i + 4, prio) < 0)
			return -1;
	}
	return 0;
}

static bool name_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* One domain name at *pos: RFC 1035 labels with compression pointers into
 * the same option (RFC 3397). Names with bytes a hostname cannot hold are
 * refused (they would not be text). 0 or -1. */
static int read_name(const uint8_t *d, size_t n, size_t *pos, char *out, size_t cap)
{
	size_t p = *pos, o = 0;
	int jumps = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (p >= n)
			return -1;
		l = d[p];
		if (l == 0) {
			if (!jumped)
				*pos = p + 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= n || ++jumps > 32)
				return -1;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			p = (size_t)(l & 0x3f) << 8 | d[p + 1];
			continue;
		}
		if ((l & 0xc0) || p + 1 + l > n || o + l + 2 > cap)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t k = 0; k < l; k++) {
			if (!name_char_ok(d[p + 1 + k]))
				return -1;
			out[o++] = (char)d[p + 1 + k];
		}
		p += 1 + l;
	}
	out[o] = '\0';
	return 0;
}

static int add_dns(struct ccni_dns *dns, const struct dhcp_opts *o)
{
	size_t len, pos = 0;
	const uint8_t *p = dhcp_opt(o, OPT_DNS, &len);
	char name[NAME_MAX_LEN];

	for (size_t i = 0; p && i + 4 <= len; i += 4)
		if (ccni_strv_append(&dns->nameservers, &dns->n_nameservers,
				     inet_ntop(AF_INET, p + i, name, sizeof(name))) < 0)
			return -1;
	p = dhcp_opt(o, OPT_DOMAIN_NAME, &len);
	while (p && len && p[len - 1] == 0) /* some servers send a NUL */
		len--;
	if (p && len && len < sizeof(name)) {
		size_t k = 0;

		while (k < len && name_char_ok(p[k]))
			k++;
		if (k == len) {
			memcpy(name, p, len);
			name[len] = '\0';
			if (!(dns->domain = strdup(name)))
				return -1;
		}
	}
	p = dhcp_opt(o, OPT_DOMAIN_SEARCH, &len);
	while (p && pos < len && read_name(p, len, &pos, name, sizeof(name)) == 0)
		if (*name && ccni_strv_append(&dns->search, &dns->n_search, name) < 0)
			return -1;
	return 0;
}

static int fill(struct ccni_result *r, uint32_t yiaddr, const struct dhcp_opts *o, int prefix,
		uint32_t prio)
{
	struct ccni_ipnet addr = { ip4((const uint8_t *)&yiaddr), (uint8_t)prefix };
	struct ccni_ip gw = { 0 };
	size_t len, rlen;
	const uint8_t *routers = dhcp_opt(o, OPT_ROUTERS, &rlen), *p;
	static const uint8_t any[4];

	if (routers && rlen >= 4)
		gw = ip4(routers);
	if (ccni_result_add_ip(r, &addr, &gw, -1) < 0)
		return -1;
	/* RFC 3442: with classless routes, static routes and the router are
	 * not routes (the gateway stays in ips[], as the reference has it) */
	p = dhcp_opt(o, OPT_CLASSLESS_ROUTES, &len);
	if (p && len)
		return classless_routes(r, p, len, prio) < 0 ? -1 : add_dns(&r->dns, o);
	p = dhcp_opt(o, OPT_STATIC_ROUTES, &len);
	if (p && static_routes(r, p, len, prio) < 0)
		return -1;
	if (gw.family && add_route(r, any, 0, routers, prio) < 0)
		return -1;
	return add_dns(&r->dns, o);
}

int dhcp_result(uint32_t yiaddr, const struct dhcp_opts *o, uint32_t priority,
		struct ccni_result **out, struct ccni_error *err)
{
	int prefix = dhcp_mask_prefix(o);
	struct ccni_result *r;
	char a[INET_ADDRSTRLEN];

	if (prefix < 0)
		return ccni_error_set(err, CCNI_ERR_IO,
				      "the server's lease of %s has no valid subnet mask (option 1)",
				      inet_ntop(AF_INET, &yiaddr, a, sizeof(a)));
	r = ccni_result_new("1.0.0");
	if (!r || fill(r, yiaddr, o, prefix, priority) < 0) {
		ccni_result_free(r);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	*out = r;
	return 0;
}
