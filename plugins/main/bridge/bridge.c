/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge — containers on a Linux bridge through veth pairs, as the
 * reference plugin: same keys, defaults and result. The kernel work is
 * direct netlink requests by name or index (no dumps of the host's links,
 * addresses or routes), the masquerade and MAC spoof checks are nftables set
 * elements (one batch each), and IPv6 addresses skip DAD unless enabledad.
 */
#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/attach.h"
#include "net/link-bridge.h"
#include "net/link-veth.h"
#include "net/macspoof.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/sysctl.h"
#include "net/tag.h"
#include "plugins/main/bridge/bridge.h"

/* --- ADD ------------------------------------------------------------------ */

/* The bridge's state: its config, and the links its ADD made, kept to
 * take them back. */
struct bridge_add {
	struct bridge_conf b;
	struct link br, hv, cv;
	struct link vg; /* the VLAN gateway interface "<bridge>.<vlan>" */
	bool spoof_done, have_vg;
};

static int port_vlan(struct nl_sock *sk, int ifindex, uint16_t lo, uint16_t hi, bool pvid,
		     bool del, struct ccni_error *err)
{
	struct link_bridge_vlan v = { .vid_start = lo, .vid_end = hi, .pvid = pvid, .untagged = pvid };

	return link_bridge_vlan_set(sk, ifindex, &v, del, err);
}

static int set_port(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	const struct bridge_conf *b = &s->b;
	struct nl_sock *sk = a->ns.host;
	int port = s->hv.ifindex;

	if (attach_tag_link(a, port, &(struct link_change){ .master = s->br.ifindex }, err) < 0 ||
	    link_bridge_port_set(sk, port, b->hairpin ? 1 : -1, b->port_isolation ? 1 : -1, err) < 0)
		return -1;
	if ((b->vlan || b->n_trunk) && !b->preserve_default_vlan &&
	    port_vlan(sk, port, 1, 1, false, true, err) < 0)
		return -1;
	if (b->vlan && port_vlan(sk, port, b->vlan, b->vlan, true, false, err) < 0)
		return -1;
	for (int i = 0; i < b->n_trunk; i++)
		if (port_vlan(sk, port, b->trunk[i][0], b->trunk[i][1], false, false, err) < 0)
			return -1;
	if (!b->vlan && b->n_trunk && port_vlan(sk, port, 1, 1, true, false, err) < 0)
		return -1;
	return link_set_up(sk, port, true, err);
}

/* A sysctl the reference sets best effort (a kernel without IPv6 has no
 * such keys). */
static void sysctl_try(const char *fmt, const char *ifname, const char *value)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char key[96];

	snprintf(key, sizeof(key), fmt, ifname);
	sysctl_set(key, value, &e);
	ccni_error_clear(&e);
}

struct sysctl_job {
	const char *ifname;
	bool dad;
};

static int container_sysctls(void *data, struct ccni_error *err)
{
	struct sysctl_job *j = data;

	(void)err;
	if (j->dad)
		sysctl_try("net/ipv6/conf/%s/enhanced_dad", j->ifname, "1");
	sysctl_try("net/ipv6/conf/%s/accept_dad", j->ifname, j->dad ? "1" : "0");
	sysctl_try("net/ipv4/conf/%s/arp_notify", j->ifname, "1");
	return 0;
}

/* Gateways (isGateway), interface index, default routes (isDefaultGateway),
 * as the reference's calcGateways. */
static int calc_gateways(struct ccni_result *r, const struct bridge_conf *b,
			 struct ccni_error *err)
{
	bool def_found[2] = { false, false };

	for (size_t i = 0; i < r->n_ips; i++) {
		struct ccni_ipconfig *ip = &r->ips[i];
		int fam = ip->address.ip.family == AF_INET6 ? 1 : 0;

		ip->interface = 2;
		if (!ip->gateway.family && b->is_gw) {
			struct ccni_ipnet n = ccni_ipnet_network(&ip->address);

			ip->gateway = n.ip;
			ccni_ip_add(&ip->gateway, 1);
		}
		if (!b->is_default_gw || def_found[fam])
			continue;
		for (size_t k = 0; k < r->n_routes; k++)
			if (r->routes[k].gw.family && ccni_ipnet_is_default(&r->routes[k].dst) &&
			    r->routes[k].dst.ip.family == ip->address.ip.family)
				def_found[fam] = true;
		if (!def_found[fam]) {
			struct ccni_route rt = ccni_route_init();

			rt.dst.ip.family = ip->address.ip.family;
			rt.gw = ip->gateway;
			if (ccni_result_add_route(r, &rt) < 0)
				return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			def_found[fam] = true;
		}
	}
	return 0;
}

/* Sysctls, addresses, link up, routes in the container (the reference's
 * ConfigureIface). */
static int configure_container(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	struct sysctl_job job = { a->req->ifname, s->b.enable_dad };

	if (netns_run(a->ns.nsfd, container_sysctls, &job, err) < 0 ||
	    attach_addrs(a, s->cv.ifindex, !s->b.enable_dad, err) < 0 ||
	    link_set_up(a->ns.ct, s->cv.ifindex, true, err) < 0)
		return -1;
	return attach_routes(a, s->cv.ifindex, err);
}

/* The gateway address on the bridge (the reference's ensureAddr): an
 * address already there is fine; another address of the same subnet (any
 * IPv4 address) is an error unless forceAddress replaces it. */
static int bridge_gateway(struct attach *a, const struct bridge_conf *b, struct link *on,
			  const struct ccni_ipnet *gw, struct ccni_error *err)
{
	_cleanup_free_ struct ccni_ipnet *have = NULL;
	char b1[CCNI_IPNET_STRLEN];
	size_t n;

	if (addr_list(a->ns.host, on->ifindex, gw->ip.family, &have, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (ccni_ipnet_equal(&have[i], gw))
			return 0;
		if (ccni_ip_is_link_local6(&have[i].ip))
			continue;
		if (gw->ip.family == AF_INET || ccni_ipnet_contains(&have[i], &gw->ip) ||
		    ccni_ipnet_contains(gw, &have[i].ip)) {
			if (!b->force_address)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "bridge: \"%s\" already has an IP address different "
						      "from %s (set forceAddress to replace it)",
						      on->name, ccni_ipnet_format(gw, b1));
			if (addr_del(a->ns.host, on->ifindex, &have[i], err) < 0)
				return -1;
		}
	}
	if (addr_add(a->ns.host, on->ifindex, gw, true, err) < 0)
		return -1;
	/* Pin the bridge's MAC (as the reference does), so it stops following
	 * the lowest port MAC as containers come and go. */
	if (link_get(a->ns.host, NULL, on->ifindex, on, err) != 0)
		return ccni_error_is_set(err) ? -1 : 0;
	return link_set(a->ns.host, on->ifindex, &(struct link_change){ .mac = on->mac }, err);
}

/* The gateway interface's port: a bridge port carrying the VLAN untagged. */
static int vlan_gateway_port(struct nl_sock *sk, const struct bridge_add *s, int port,
			     struct ccni_error *err)
{
	const struct bridge_conf *b = &s->b;

	if (link_set(sk, port, &(struct link_change){ .master = s->br.ifindex }, err) < 0 ||
	    (!b->preserve_default_vlan && port_vlan(sk, port, 1, 1, false, true, err) < 0) ||
	    port_vlan(sk, port, b->vlan, b->vlan, true, false, err) < 0 ||
	    link_set_up(sk, port, true, err) < 0)
		return -1;
	return link_set_up(sk, s->vg.ifindex, true, err);
}

/* With a VLAN, the gateway address lives on "<bridge>.<vlan>" (as the
 * reference): the host-side end of a veth pair whose other end is a port of
 * the bridge carrying the VLAN untagged. Made by the first ADD that needs
 * it; later (or racing) ADDs reuse it. */
static int vlan_gateway(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	struct nl_sock *sk = a->ns.host;
	struct ccni_error e2 = CCNI_ERROR_INIT;
	char name[32], port[LINK_NAME_MAX];
	struct link p;
	int rc;

	snprintf(name, sizeof(name), "%s.%u", s->b.bridge, (unsigned)s->b.vlan);
	if (strlen(name) >= LINK_NAME_MAX)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "vlan: the gateway interface name \"%s\" is longer than 15 bytes "
				      "(use a shorter bridge name)",
				      name);
	rc = link_get(sk, name, 0, &s->vg, err);
	if (rc <= 0)
		return rc;
	if (link_veth_create(sk, NULL, name, -1, s->br.mtu, NULL, port, err) < 0) {
		if (link_get(sk, name, 0, &s->vg, &e2) == 0) {
			ccni_error_clear(err); /* a concurrent ADD made it */
			return 0;
		}
		ccni_error_clear(&e2);
		return -1;
	}
	if (link_get(sk, port, 0, &p, err) != 0 || link_get(sk, name, 0, &s->vg, err) != 0) {
		if (!ccni_error_is_set(err))
			ccni_error_set(err, CCNI_ERR_NETLINK, "%s: not found after creation", name);
	} else if (vlan_gateway_port(sk, s, p.ifindex, err) == 0) {
		return 0;
	}
	if (link_get(sk, port, 0, &p, &e2) == 0)
		link_del(sk, p.ifindex, &e2);
	ccni_error_clear(&e2);
	return ccni_error_prefix(err, "vlan gateway %s", name);
}

/* isGateway: the gateways on the bridge (or its VLAN interface), and
 * forwarding for their families. */
static int gateways(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	const struct ccni_result *r = a->r;
	bool fam[2] = { false, false };

	for (size_t i = 0; i < r->n_ips; i++) {
		struct ccni_ipnet gw = { r->ips[i].gateway, r->ips[i].address.prefix };

		if (!gw.ip.family)
			continue;
		if (s->b.vlan && !s->have_vg) {
			if (vlan_gateway(a, s, err) < 0)
				return -1;
			s->have_vg = true;
		}
		if (bridge_gateway(a, &s->b, s->b.vlan ? &s->vg : &s->br, &gw, err) < 0)
			return -1;
		fam[gw.ip.family == AF_INET6] = true;
	}
	return attach_forwarding(a->ns.host, fam[0], fam[1], err);
}

/* The three interfaces come first in the result (ips point at 2); the VLAN
 * gateway interface fourth, as in the reference. */
static int result_interfaces(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	struct nl_sock *sk = a->ns.host;
	char m[18];

	if (link_get(sk, NULL, s->br.ifindex, &s->br, err) != 0 ||
	    link_get(sk, NULL, s->hv.ifindex, &s->hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "bridge: a link vanished during ADD");
	if (ccni_result_add_interface(a->r, s->br.name, ccni_mac_format(s->br.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(a->r, s->hv.name, ccni_mac_format(s->hv.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(a->r, a->req->ifname, ccni_mac_format(s->cv.mac, m),
				      a->req->netns) < 0 ||
	    (s->have_vg &&
	     ccni_result_add_interface(a->r, s->vg.name, ccni_mac_format(s->vg.mac, m), NULL) < 0))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

/* The veth pair, its host end a port of the bridge. */
static int make_veth(struct attach *a, struct bridge_add *s, struct ccni_error *err)
{
	const struct bridge_conf *b = &s->b;
	const char *ifname = a->req->ifname;

	if (link_veth_into(a->ns.host, a->ns.ct, a->ns.nsfd, ifname, b->mtu,
			   b->has_mac ? b->mac : NULL, &s->hv, &s->cv, err) < 0)
		return -1;
	return set_port(a, s, err);
}

static int br_links(struct attach *a, void *self, struct ccni_error *err)
{
	struct bridge_add *s = self;
	const struct bridge_conf *b = &s->b;
	struct link_bridge_opts bo = { .mtu = b->mtu, .promisc = b->promisc,
				       .vlan_filtering = b->vlan || b->n_trunk };

	if (link_bridge_ensure(a->ns.host, b->bridge, &bo, &s->br, err) < 0)
		return -1;
	/* The bridge's routes are ours, not router advertisements' (as the
	 * reference); written only when the link's reply shows it on, since a
	 * /proc/sys open in the host's namespace costs as much more as the
	 * node holds namespaces. */
	if (s->br.accept_ra != 0)
		sysctl_try("net/ipv6/conf/%s/accept_ra", b->bridge, "0");
	if (make_veth(a, s, err) < 0)
		return -1;
	if (b->macspoofchk) {
		if (macspoof_add(s->hv.name, s->cv.mac, a->tag, err) < 0)
			return -1;
		s->spoof_done = true;
	}
	if (b->ipam_type) {
		if (attach_ipam(a, -1, err) < 0 || calc_gateways(a->r, b, err) < 0 ||
		    configure_container(a, s, err) < 0 || (b->is_gw && gateways(a, s, err) < 0))
			return -1;
	} else if (!b->disable_container_if &&
		   link_set_up(a->ns.ct, s->cv.ifindex, true, err) < 0) {
		return -1;
	}
	return result_interfaces(a, s, err);
}

static void br_undo(struct attach *a, void *self)
{
	struct bridge_add *s = self;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (s->spoof_done)
		macspoof_del(s->hv.name, &e);
	ccni_error_clear(&e);
	link_del_named(a->ns.host, s->hv.name, &e);
	ccni_error_clear(&e);
}

/* --- DEL ------------------------------------------------------------------ */

/* A host veth name from prevResult goes into an nft script: only the
 * characters interface names made by ADD use. */
static bool port_name_safe(const char *n)
{
	if (!n || !ccni_ifname_valid(n))
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      *n == '-' || *n == '_' || *n == '.'))
			return false;
	return true;
}

/* The host end's name, for the spoof check: the veth's peer, by index; or,
 * without the link (netns gone), the second interface of prevResult, as ADD
 * reported it. */
static bool port_name(const struct ccni_request *req, const struct attach_found *f,
		      char out[LINK_NAME_MAX])
{
	const struct ccni_result *pr = req->prev_result;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link hv;
	bool found = false;

	if (f->have_link && f->link.parent > 0) {
		_cleanup_(netlink_closep) struct nl_sock *host = netlink_open(-1, &e);

		found = host && link_get(host, NULL, f->link.parent, &hv, &e) == 0;
		ccni_error_clear(&e);
		if (found)
			snprintf(out, LINK_NAME_MAX, "%s", hv.name);
	}
	if (!found && pr && pr->n_interfaces >= 2 &&
	    (!pr->interfaces[1].sandbox || !*pr->interfaces[1].sandbox) &&
	    port_name_safe(pr->interfaces[1].name)) {
		snprintf(out, LINK_NAME_MAX, "%s", pr->interfaces[1].name);
		found = true;
	}
	return found;
}

static int br_del_links(const struct ccni_request *req, struct attach_found *f, void *self,
			struct ccni_error *err)
{
	const struct bridge_conf *b = &((struct bridge_add *)self)->b;
	char port[LINK_NAME_MAX], tag[TAG_MAX];
	bool named = b->macspoofchk && port_name(req, f, port);

	/* returns once the host end is gone; the kernel's freeing goes on */
	if (f->have_link && link_del_unwaited(f->ct, f->link.ifindex, f->link.parent, err) < 0)
		return -1;
	if (named)
		return macspoof_del(port, err);
	/* neither the link nor prevResult (an ADD killed before the runtime
	 * cached its result, then the namespace deleted): by tag */
	if (b->macspoofchk) {
		tag_of(req->name, req->container_id, req->ifname, tag);
		return macspoof_del_by_tag(tag, err);
	}
	return 0;
}

/* --- CHECK ---------------------------------------------------------------- */

/* The bridge exists and the container's host end is its port. */
static int br_check_host(struct netlink_pair *ns, const struct link *cv, void *self,
			 struct ccni_error *err)
{
	const struct bridge_conf *b = &((struct bridge_add *)self)->b;
	struct link br, hv;

	if (link_get(ns->host, b->bridge, 0, &br, err) != 0 || !streq(br.kind, "bridge"))
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "bridge %s: missing or not a bridge",
				      b->bridge);
	if (cv->parent > 0 && (link_get(ns->host, NULL, cv->parent, &hv, err) != 0 ||
			       hv.master != br.ifindex))
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: its host end is not a port of %s", cv->name,
				      b->bridge);
	return 0;
}

/* --- GC ------------------------------------------------------------------- */

/* The spoof checks of ports whose attachment is gone (the skeleton removes
 * the ports themselves, ipMasq and the IPAM reservations). */
static int br_gc(const struct ccni_request *req, void *self, struct ccni_error *err)
{
	const struct bridge_conf *b = &((struct bridge_add *)self)->b;

	if (b->macspoofchk && macspoof_gc(req->name, req->valid_attachments, err) < 0)
		return ccni_error_prefix(err, "macspoofchk");
	return 0;
}

/* REAPPLY: the spoof check of the port prevResult names (its second
 * interface, the host end, and the container's MAC). */
static int br_reapply(const struct ccni_request *req, void *self, int ci, struct ccni_error *err)
{
	const struct bridge_conf *b = &((struct bridge_add *)self)->b;
	const struct ccni_result *pr = req->prev_result;
	char tag[TAG_MAX];
	uint8_t mac[6];

	if (!b->macspoofchk || ci < 0 || pr->n_interfaces < 2 || !pr->interfaces[ci].mac ||
	    ccni_mac_parse(pr->interfaces[ci].mac, mac) < 0 ||
	    !port_name_safe(pr->interfaces[1].name))
		return 0;
	tag_of(req->name, req->container_id, req->ifname, tag);
	return macspoof_add(pr->interfaces[1].name, mac, tag, err);
}

/* --- the verbs ------------------------------------------------------------ */

ATTACH_PLUGIN_DEFINE(bridge, "bridge", "ccni bridge: containers on a Linux bridge through veth pairs",
		     struct bridge_add, b, bridge_conf_parse, .add = br_links, .undo = br_undo,
		     .del = br_del_links, .check_host = br_check_host, .gc = br_gc,
		     .reapply = br_reapply, .keys = bridge_keys, .facts = bridge_facts);
