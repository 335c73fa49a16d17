/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptp — a veth pair between the container and the host, routed (not
 * bridged), as the reference plugin: the container's subnet goes via the
 * IPAM gateway, which is a /32 (/128) on the host end of the pair, and the
 * host reaches each container address through a host route on that end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/check.h"
#include "net/kernel.h"
#include "net/route.h"
#include "plugins/main/ptp/ptp.h"

DEFINE_CLEANUP(struct nl_sock *, kns_socket_free)

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

static int masq(const struct ccni_request *req, const struct ptp_conf *p, bool add,
		const struct ccni_ipnet *a, int n, struct ccni_error *err)
{
	return kmasq(add, p->ipmasq_backend, a, n, req->name, req->container_id, req->ifname, err);
}

struct add_state {
	const struct ccni_request *req;
	struct ptp_conf *p;
	struct kns_pair ns;
	struct klink hv, cv;
	char host_name[16];
	bool veth_made, ipam_done, masq_done;
	struct ccni_result *r;
};

/* The container side: addresses, then the kernel's prefix route replaced by
 * "GW/32 dev IF" and "SUBNET via GW", then the IPAM routes via GW. */
static int configure_container(struct add_state *s, struct ccni_error *err)
{
	struct ccni_result *r = s->r;

	for (size_t i = 0; i < r->n_ips; i++)
		if (kaddr_add(s->ns.ct, s->cv.ifindex, &r->ips[i].address, true, err) < 0)
			return -1;
	if (klink_set_up(s->ns.ct, s->cv.ifindex, true, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_ips; i++) {
		const struct ccni_ipconfig *ip = &r->ips[i];
		struct kroute k = kroute_init();

		if (kroute_del_prefix(s->ns.ct, &ip->address, s->cv.ifindex, err) < 0)
			return -1;
		k.dst = host_prefix(&ip->gateway);
		k.ifindex = s->cv.ifindex;
		k.src = ip->address.ip;
		k.scope = 253; /* RT_SCOPE_LINK */
		if (kroute_add(s->ns.ct, &k, false, err) < 0)
			return -1;
		k = kroute_init();
		k.dst = ccni_ipnet_network(&ip->address);
		k.gw = ip->gateway;
		k.src = ip->address.ip;
		k.ifindex = s->cv.ifindex;
		if (kroute_add(s->ns.ct, &k, false, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_routes; i++) {
		const struct ccni_route *rt = &r->routes[i];
		struct kroute k = kroute_init();

		k.dst = ccni_ipnet_network(&rt->dst);
		k.gw = rt->gw;
		if (!k.gw.family)
			for (size_t j = 0; j < r->n_ips && !k.gw.family; j++)
				if (r->ips[j].address.ip.family == rt->dst.ip.family)
					k.gw = r->ips[j].gateway;
		k.ifindex = s->cv.ifindex;
		k.mtu = rt->mtu;
		k.advmss = rt->advmss;
		k.priority = rt->priority;
		k.table = rt->table;
		k.scope = rt->scope;
		if (kroute_add(s->ns.ct, &k, false, err) < 0)
			return -1;
	}
	return 0;
}

static int do_add(struct add_state *s, struct ccni_error *err)
{
	const struct ccni_request *req = s->req;
	struct ccni_result *ipam = NULL;
	char m[18], a[CCNI_IPNET_STRLEN];
	bool fam[2] = { false, false };
	int rc;

	rc = klink_get(s->ns.ct, req->ifname, 0, &s->cv, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_IFNAME: interface \"%s\" already exists in %s", req->ifname,
				      req->netns);
	if (ccni_delegate(req, s->p->ipam_type, CCNI_CMD_ADD, &ipam, err) < 0)
		return -1;
	s->ipam_done = true;
	s->r = ccni_result_new(req->cni_version);
	if (!s->r) {
		ccni_result_free(ipam);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < ipam->n_ips; i++)
		ccni_result_add_ip(s->r, &ipam->ips[i].address, &ipam->ips[i].gateway, 1);
	for (size_t i = 0; i < ipam->n_routes; i++)
		ccni_result_add_route(s->r, &ipam->routes[i]);
	ccni_dns_copy(&s->r->dns, &ipam->dns);
	ccni_result_free(ipam);
	if (s->r->n_ips == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: plugin \"%s\" returned no IP configuration",
				      s->p->ipam_type);
	for (size_t i = 0; i < s->r->n_ips; i++) {
		if (!s->r->ips[i].gateway.family)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: address %s has no gateway (ptp routes via it)",
					      ccni_ipnet_format(&s->r->ips[i].address, a));
		fam[s->r->ips[i].address.ip.family == AF_INET6] = true;
	}
	if (fam[0] && ksysctl_set("net/ipv4/ip_forward", "1", err) < 0)
		return -1;
	if (fam[1] && ksysctl_set("net/ipv6/conf/all/forwarding", "1", err) < 0)
		return -1;

	if (kveth_create(s->ns.host, NULL, req->ifname, s->ns.nsfd, s->p->mtu, NULL, s->host_name, err) < 0)
		return -1;
	s->veth_made = true;
	if (klink_get(s->ns.host, s->host_name, 0, &s->hv, err) != 0 ||
	    klink_get(s->ns.ct, req->ifname, 0, &s->cv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: not found after creation",
				      s->host_name);
	if (klink_set_up(s->ns.host, s->hv.ifindex, true, err) < 0)
		return -1;
	if (configure_container(s, err) < 0)
		return -1;
	/* The host side: the gateway as /32 (/128), a host route per address. */
	for (size_t i = 0; i < s->r->n_ips; i++) {
		struct ccni_ipnet gw = host_prefix(&s->r->ips[i].gateway);
		struct kroute k = kroute_init();

		if (kaddr_add(s->ns.host, s->hv.ifindex, &gw, true, err) < 0)
			return -1;
		k.dst = host_prefix(&s->r->ips[i].address.ip);
		k.ifindex = s->hv.ifindex;
		if (kroute_add(s->ns.host, &k, false, err) < 0)
			return -1;
	}
	if (s->p->ipmasq) {
		struct ccni_ipnet am[16];
		int n = 0;

		for (size_t i = 0; i < s->r->n_ips && n < 16; i++)
			am[n++] = s->r->ips[i].address;
		if (masq(req, s->p, true, am, n, err) < 0)
			return -1;
		s->masq_done = true;
	}
	if (klink_get(s->ns.host, NULL, s->hv.ifindex, &s->hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: vanished", s->host_name);
	if (ccni_result_add_interface(s->r, s->hv.name, ccni_mac_format(s->hv.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(s->r, req->ifname, ccni_mac_format(s->cv.mac, m), req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	{
		json_t *dns = json_object_get(req->config, "dns");

		if (json_is_object(dns) && json_object_size(dns)) {
			struct ccni_result *tmp = NULL;
			json_t *wrap = json_pack("{s:s,s:O}", "cniVersion", "1.0.0", "dns", dns);

			if (wrap && ccni_result_decode(wrap, NULL, &tmp, err) == 0)
				ccni_dns_copy(&s->r->dns, &tmp->dns);
			ccni_result_free(tmp);
			json_decref(wrap);
			if (ccni_error_is_set(err))
				return ccni_error_prefix(err, "dns");
		}
	}
	return 0;
}

static void undo_add(struct add_state *s)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (s->masq_done) {
		struct ccni_ipnet a[16];
		int n = 0;

		for (size_t i = 0; i < s->r->n_ips && n < 16; i++)
			a[n++] = s->r->ips[i].address;
		masq(s->req, s->p, false, a, n, &e);
		ccni_error_clear(&e);
	}
	if (s->veth_made) {
		struct klink l;

		if (klink_get(s->ns.host, s->host_name, 0, &l, &e) == 0)
			klink_del(s->ns.host, l.ifindex, &e);
		ccni_error_clear(&e);
	}
	if (s->ipam_done) {
		ccni_delegate(s->req, s->p->ipam_type, CCNI_CMD_DEL, NULL, &e);
		ccni_error_clear(&e);
	}
}

static int ptp_add(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	struct ptp_conf p;
	struct add_state s = { .req = req, .p = &p, .ns = KNS_PAIR_INIT };
	int rc;

	if (ptp_conf_parse(req, &p, err) < 0 || kns_pair_open(req->netns, &s.ns, err) < 0)
		return -1;
	rc = do_add(&s, err);
	if (rc < 0) {
		undo_add(&s);
	} else {
		*out = s.r;
		s.r = NULL;
	}
	ccni_result_free(s.r);
	kns_pair_close(&s.ns);
	return rc;
}

static int ptp_del(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	struct ptp_conf p;
	_cleanup_(kns_socket_freep) struct nl_sock *ct = NULL;
	_cleanup_close_ int nsfd = -1;
	struct ccni_ipnet addrs[16];
	int n_addrs = 0, rc = 1;
	struct klink cv;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	if (ccni_delegate(req, p.ipam_type, CCNI_CMD_DEL, NULL, err) < 0)
		return -1;
	if (req->netns && *req->netns && kns_open(req->netns, &nsfd, err) < 0) {
		if (err->code != CCNI_ERR_UNKNOWN_CONTAINER)
			return -1;
		ccni_error_clear(err); /* the netns is gone */
	}
	if (nsfd >= 0) {
		ct = kns_socket(nsfd, err);
		if (!ct)
			return -1;
		rc = klink_get(ct, req->ifname, 0, &cv, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			n_addrs = kaddr_list(ct, cv.ifindex, 0, addrs, 16, err);
			if (n_addrs < 0)
				return -1;
		}
	}
	/* The masquerade first: a DEL that fails on it can be retried with the
	 * link still there to give the addresses. */
	if (p.ipmasq) {
		if (!n_addrs && req->prev_result)
			for (size_t i = 0; i < req->prev_result->n_ips && n_addrs < 16; i++)
				addrs[n_addrs++] = req->prev_result->ips[i].address;
		if (masq(req, &p, false, addrs, n_addrs, err) < 0)
			return -1;
	}
	/* the host end and its routes go with the container end; this returns
	 * once the host end is gone, while the kernel's freeing goes on */
	return rc == 0 ? klink_del_unwaited(ct, cv.ifindex, cv.link, err) : 0;
}

static int ptp_check(const struct ccni_request *req, struct ccni_result **out,
		     struct ccni_error *err)
{
	struct ptp_conf p;
	_cleanup_(kns_pair_close) struct kns_pair ns = KNS_PAIR_INIT;
	const struct ccni_result *pr = req->prev_result;
	struct klink cv, hv;
	int ci;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	if (ccni_delegate(req, p.ipam_type, CCNI_CMD_CHECK, NULL, err) < 0)
		return -1;
	if (!pr)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "prevResult: required for CHECK");
	ci = kcheck_find_interface(pr, req->ifname, req->netns, err);
	if (ci < 0)
		return -1;
	if (kns_pair_open(req->netns, &ns, err) < 0)
		return -1;
	if (kcheck_link(ns.ct, pr, ci, req->ifname, req->netns, "veth", &cv, err) < 0)
		return -1;
	if (cv.link <= 0 || klink_get(ns.host, NULL, cv.link, &hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: its host end is missing", req->ifname);
	return kcheck_addrs_routes(ns.ct, pr, ci, &cv, req->netns, err);
}

static int ptp_status(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	struct ptp_conf p;

	(void)out;
	if (ptp_conf_parse(req, &p, err) < 0)
		return -1;
	return ccni_delegate(req, p.ipam_type, CCNI_CMD_STATUS, NULL, err);
}

const struct ccni_plugin plugin_ptp = {
	.name = "ptp",
	.about = "ccni ptp: a routed veth pair between the container and the host",
	.add = ptp_add,
	.del = ptp_del,
	.check = ptp_check,
	.status = ptp_status,
};
