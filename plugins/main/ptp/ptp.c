/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptp — a veth pair between the container and the host, routed (not
 * bridged), as the reference plugin: the container's subnet goes via the
 * IPAM gateway, which is a /32 (/128) on the host end of the pair, and the
 * host reaches each container address through a host route on that end.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/attach.h"
#include "net/link-veth.h"
#include "net/route.h"
#include "plugins/main/ptp/ptp.h"

int ptp_conf_parse(const struct ccni_request *req, struct ptp_conf *p, struct ccni_error *err)
{
	json_t *c = req->config;
	long long v = 0;

	memset(p, 0, sizeof(*p));
	p->ipmasq_backend = "nftables";
	if (ccni_json_get_bool(c, "", "ipMasq", &p->ipmasq, err) < 0 ||
	    ccni_json_get_string(c, "", "ipMasqBackend", &p->ipmasq_backend, err) < 0)
		return -1;
	if (!p->ipmasq_backend || !*p->ipmasq_backend)
		p->ipmasq_backend = "nftables";
	if (!streq(p->ipmasq_backend, "nftables") && !streq(p->ipmasq_backend, "iptables"))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipMasqBackend: \"%.32s\" is not \"nftables\" or \"iptables\"",
				      p->ipmasq_backend);
	if (ccni_json_get_int(c, "", "mtu", 0, 65535, &v, err) < 0)
		return -1;
	if (v && v < 68)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "mtu: %lld is below the minimum of 68", v);
	p->mtu = (unsigned)v;
	return ccni_request_ipam_type(req, &p->ipam_type, err);
}

static struct ccni_ipnet host_prefix(const struct ccni_ip *ip)
{
	struct ccni_ipnet n = { *ip, (uint8_t)ccni_ip_bits(ip) };

	return n;
}

/* ptp's part of an ADD: the veth pair, kept to take it back. */
struct ptp_add {
	const struct ptp_conf *p;
	struct link hv, cv;
	char host_name[LINK_NAME_MAX];
	bool veth_made;
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
	return attach_forwarding(fam[0], fam[1], err);
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

static int ptp_links(struct attach *a, void *plugin, struct ccni_error *err)
{
	struct ptp_add *s = plugin;
	const char *ifname = a->req->ifname;
	char m[18];

	if (attach_ipam(a, 1, err) < 0 || check_gateways(a, err) < 0)
		return -1;
	if (link_veth_create(a->ns.host, NULL, ifname, a->ns.nsfd, s->p->mtu, NULL, s->host_name,
			     err) < 0)
		return -1;
	s->veth_made = true;
	if (link_get(a->ns.host, s->host_name, 0, &s->hv, err) != 0 ||
	    link_get(a->ns.ct, ifname, 0, &s->cv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: not found after creation",
				      s->host_name);
	if (link_set_up(a->ns.host, s->hv.ifindex, true, err) < 0 ||
	    configure_container(a, s->cv.ifindex, err) < 0 ||
	    configure_host(a, s->hv.ifindex, err) < 0)
		return -1;
	if (link_get(a->ns.host, NULL, s->hv.ifindex, &s->hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: vanished", s->host_name);
	if (ccni_result_add_interface(a->r, s->hv.name, ccni_mac_format(s->hv.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(a->r, ifname, ccni_mac_format(s->cv.mac, m), a->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

static void ptp_undo(struct attach *a, void *plugin)
{
	struct ptp_add *s = plugin;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link l;

	if (s->veth_made && link_get(a->ns.host, s->host_name, 0, &l, &e) == 0)
		link_del(a->ns.host, l.ifindex, &e);
	ccni_error_clear(&e);
}

static const struct attach_ops ptp_ops = { .add = ptp_links, .undo = ptp_undo };

static struct attach_conf attach_conf_of(const struct ptp_conf *p)
{
	return (struct attach_conf){ .ipam_type = p->ipam_type,
				     .ipmasq = p->ipmasq,
				     .masq_backend = p->ipmasq_backend };
}

static int ptp_add(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	struct ptp_conf p;
	struct ptp_add s = { .p = &p };
	struct attach_conf ac;

	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	ac = attach_conf_of(&p);
	return attach_add(req, &ac, &ptp_ops, &s, out, err);
}

/* The host end and its routes go with the container end; this returns
 * once the host end is gone, while the kernel's freeing goes on. */
static int ptp_del_links(const struct ccni_request *req, struct attach_found *f, void *plugin,
			 struct ccni_error *err)
{
	(void)req;
	(void)plugin;
	if (!f->have_link)
		return 0;
	return link_del_unwaited(f->ct, f->link.ifindex, f->link.parent, err);
}

static int ptp_del(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	struct ptp_conf p;
	struct attach_conf ac;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	ac = attach_conf_of(&p);
	return attach_del(req, &ac, ptp_del_links, NULL, err);
}

/* The container's veth has its host end. */
static int ptp_check_host(struct netns_pair *ns, const struct link *cv, void *plugin,
			  struct ccni_error *err)
{
	struct link hv;

	(void)plugin;
	if (cv->parent <= 0 || link_get(ns->host, NULL, cv->parent, &hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: its host end is missing", cv->name);
	return 0;
}

static int ptp_check(const struct ccni_request *req, struct ccni_result **out,
		     struct ccni_error *err)
{
	struct ptp_conf p;
	struct attach_conf ac;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	ac = attach_conf_of(&p);
	return attach_check(req, &ac, "veth", ptp_check_host, NULL, err);
}

static int ptp_status(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	struct ptp_conf p;
	struct attach_conf ac;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	ac = attach_conf_of(&p);
	return attach_status(req, &ac, err);
}

const struct ccni_plugin plugin_ptp = {
	.name = "ptp",
	.about = "ccni ptp: a routed veth pair between the container and the host",
	.add = ptp_add,
	.del = ptp_del,
	.check = ptp_check,
	.status = ptp_status,
};
