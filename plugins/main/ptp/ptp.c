/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptp — a veth pair between the container and the host, routed (not
 * bridged), as the reference plugin: the container's subnet goes via the
 * IPAM gateway, which is a /32 (/128) on the host end of the pair, and the
 * host reaches each container address through a host route on that end.
 */
#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/attach.h"
#include "net/attach-conf.h"
#include "net/link-veth.h"
#include "net/route.h"
#include "plugins/main/ptp/ptp.h"

int ptp_conf_parse(const struct ccni_request *req, struct ptp_conf *p, struct ccni_error *err)
{
	struct attach_common common;

	memset(p, 0, sizeof(*p));
	if (attach_conf_common(req, &common, err) < 0)
		return -1;
	p->ipmasq = common.ipmasq;
	p->ipmasq_backend = common.masq_backend;
	p->mtu = common.mtu;
	if (ccni_request_ipam_type(req, &p->ipam_type, err) < 0)
		return -1;
	p->attach = (struct attach_conf){ .ipam_type = p->ipam_type,
					  .ipmasq = p->ipmasq,
					  .masq_backend = p->ipmasq_backend };
	return 0;
}

static struct ccni_ipnet host_prefix(const struct ccni_ip *ip)
{
	struct ccni_ipnet n = { *ip, (uint8_t)ccni_ip_bits(ip) };

	return n;
}

/* ptp's state: its config, and the veth pair its ADD made, kept to take
 * it back. */
struct ptp_add {
	struct ptp_conf p;
	struct link hv, cv;
};

/* Every address has a gateway (ptp routes via it); forwarding for their
 * families. */
static int check_gateways(struct attach *a, struct ccni_error *err)
{
	const struct ccni_result *r = a->r;
	char b[CCNI_IPNET_STRLEN];
	bool fam[2] = { false, false };

	for (size_t i = 0; i < r->n_ips; i++) {
		if (!r->ips[i].gateway.family)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: address %s has no gateway (ptp routes via it)",
					      ccni_ipnet_format(&r->ips[i].address, b));
		fam[r->ips[i].address.ip.family == AF_INET6] = true;
	}
	return attach_forwarding(a->ns.host, fam[0], fam[1], err);
}

/* For one address: the kernel's prefix route replaced by "GW/32 dev IF"
 * and "SUBNET via GW". */
static int gateway_routes(struct attach *a, int ifindex, const struct ccni_ipconfig *ip,
			  struct ccni_error *err)
{
	struct route k = route_init();

	if (route_del_prefix(a->ns.ct, &ip->address, ifindex, err) < 0)
		return -1;
	k.dst = host_prefix(&ip->gateway);
	k.ifindex = ifindex;
	k.src = ip->address.ip;
	k.scope = RT_SCOPE_LINK;
	if (route_add(a->ns.ct, &k, false, true, err) < 0)
		return -1;
	k = route_init();
	k.dst = ccni_ipnet_network(&ip->address);
	k.gw = ip->gateway;
	k.src = ip->address.ip;
	k.ifindex = ifindex;
	return route_add(a->ns.ct, &k, false, true, err);
}

/* The container side: addresses, the gateway routes, then the IPAM routes
 * via the gateway. */
static int configure_container(struct attach *a, int ifindex, struct ccni_error *err)
{
	if (attach_addrs(a, ifindex, true, err) < 0 || link_set_up(a->ns.ct, ifindex, true, err) < 0)
		return -1;
	for (size_t i = 0; i < a->r->n_ips; i++)
		if (gateway_routes(a, ifindex, &a->r->ips[i], err) < 0)
			return -1;
	return attach_routes(a, ifindex, err);
}

/* The host side: the gateway as /32 (/128), a host route per address. */
static int configure_host(struct attach *a, int ifindex, struct ccni_error *err)
{
	for (size_t i = 0; i < a->r->n_ips; i++) {
		struct ccni_ipnet gw = host_prefix(&a->r->ips[i].gateway);
		struct route k = route_init();

		if (addr_add(a->ns.host, ifindex, &gw, true, err) < 0)
			return -1;
		k.dst = host_prefix(&a->r->ips[i].address.ip);
		k.ifindex = ifindex;
		if (route_add(a->ns.host, &k, false, true, err) < 0)
			return -1;
	}
	return 0;
}

static int ptp_links(struct attach *a, void *self, struct ccni_error *err)
{
	struct ptp_add *s = self;
	const char *ifname = a->req->ifname;
	char m[18];

	if (attach_ipam(a, 1, err) < 0 || check_gateways(a, err) < 0)
		return -1;
	if (link_veth_into(a->ns.host, a->ns.ct, a->ns.nsfd, ifname, s->p.mtu, NULL, &s->hv, &s->cv,
			   err) < 0 ||
	    attach_tag_link(a, s->hv.ifindex, &(struct link_change){ .flags_on = IFF_UP }, err) < 0 ||
	    configure_container(a, s->cv.ifindex, err) < 0 ||
	    configure_host(a, s->hv.ifindex, err) < 0)
		return -1;
	if (link_get(a->ns.host, NULL, s->hv.ifindex, &s->hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: vanished", s->hv.name);
	if (ccni_result_add_interface(a->r, s->hv.name, ccni_mac_format(s->hv.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(a->r, ifname, ccni_mac_format(s->cv.mac, m), a->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

static void ptp_undo(struct attach *a, void *self)
{
	struct ptp_add *s = self;
	struct ccni_error e = CCNI_ERROR_INIT;

	link_del_named(a->ns.host, s->hv.name, &e);
	ccni_error_clear(&e);
}

/* The host end and its routes go with the container end; this returns
 * once the host end is gone, while the kernel's freeing goes on. */
static int ptp_del_links(const struct ccni_request *req, struct attach_found *f, void *self,
			 struct ccni_error *err)
{
	(void)req;
	(void)self;
	if (!f->have_link)
		return 0;
	return link_del_unwaited(f->ct, f->link.ifindex, f->link.parent, err);
}

/* The container's veth has its host end. */
static int ptp_check_host(struct netlink_pair *ns, const struct link *cv, void *self,
			  struct ccni_error *err)
{
	struct link hv;

	(void)self;
	if (cv->parent <= 0 || link_get(ns->host, NULL, cv->parent, &hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: its host end is missing", cv->name);
	return 0;
}

/* `ccni validate`: its keys (its parser is ptp_conf_parse). */
static const char *const ptp_keys[] = { "ipMasq", "ipMasqBackend", "mtu", "ipam.type", NULL };

ATTACH_PLUGIN_DEFINE(ptp, "ptp", "ccni ptp: a routed veth pair between the container and the host",
		     struct ptp_add, p, ptp_conf_parse, .kind = "veth", .add = ptp_links,
		     .undo = ptp_undo, .del = ptp_del_links, .check_host = ptp_check_host,
		     .keys = ptp_keys);
