/* SPDX-License-Identifier: Apache-2.0 */
/* attach.c — see attach.h. */
#include <assert.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/attach.h"
#include "net/check.h"
#include "net/ipmasq.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/nftables.h"
#include "net/route.h"
#include "net/sysctl.h"

/* How long ADD waits for IPv6 duplicate address detection, as the
 * reference (its dadSettleTimeout). */
#define SETTLE_MS 5000

static int nomem(struct ccni_error *err)
{
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
}

/* --- ADD's parts ----------------------------------------------------------------- */

int attach_take(struct attach *a, const struct ccni_result *src, int iface,
		struct ccni_error *err)
{
	for (size_t i = 0; i < src->n_ips; i++)
		if (ccni_result_add_ip(a->r, &src->ips[i].address, &src->ips[i].gateway, iface) < 0)
			return nomem(err);
	for (size_t i = 0; i < src->n_routes; i++)
		if (ccni_result_add_route(a->r, &src->routes[i]) < 0)
			return nomem(err);
	if (a->conf->dns != ATTACH_DNS_CONFIG && ccni_dns_copy(&a->r->dns, &src->dns) < 0)
		return nomem(err);
	return 0;
}

int attach_ipam(struct attach *a, int iface, struct ccni_error *err)
{
	const char *type = a->conf->ipam_type;
	struct ccni_result *ipam = NULL;
	int rc = 0;

	if (ccni_delegate(a->req, type, CCNI_CMD_ADD, &ipam, err) < 0)
		return -1;
	a->ipam_done = true;
	if (ipam->n_ips == 0)
		rc = ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				    "IPAM plugin \"%s\" returned no IP configuration", type);
	else if (ipam->n_ips > ATTACH_IPS_MAX)
		rc = ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				    "IPAM plugin \"%s\" returned %zu addresses, more than the %d an "
				    "attachment may have",
				    type, ipam->n_ips, ATTACH_IPS_MAX);
	if (rc == 0)
		rc = attach_take(a, ipam, iface, err);
	ccni_result_free(ipam);
	return rc;
}

int attach_addrs(struct attach *a, int ifindex, bool nodad, struct ccni_error *err)
{
	for (size_t i = 0; i < a->r->n_ips; i++)
		if (addr_add(a->ns.ct, ifindex, &a->r->ips[i].address, nodad, err) < 0)
			return -1;
	return 0;
}

/* The gateway of the result's first address of family, if it has one. */
static struct ccni_ip gateway_of(const struct ccni_result *r, int family)
{
	struct ccni_ip none = { 0 };

	for (size_t j = 0; j < r->n_ips; j++)
		if (r->ips[j].address.ip.family == family && r->ips[j].gateway.family)
			return r->ips[j].gateway;
	return none;
}

int attach_routes(struct attach *a, int ifindex, struct ccni_error *err)
{
	const struct ccni_result *r = a->r;

	for (size_t i = 0; i < r->n_routes; i++) {
		const struct ccni_route *rt = &r->routes[i];
		struct route k = route_init();

		k.dst = ccni_ipnet_network(&rt->dst);
		/* an on-link route (scope link: a DHCP classless route with no
		 * router) takes no gateway: the kernel refuses one on it */
		k.gw = rt->gw.family || rt->scope == RT_SCOPE_LINK ? rt->gw :
								     gateway_of(r, rt->dst.ip.family);
		k.ifindex = ifindex;
		k.metrics[RTAX_MTU] = rt->mtu;
		k.metrics[RTAX_ADVMSS] = rt->advmss;
		k.priority = rt->priority;
		k.table = rt->table;
		k.scope = rt->scope;
		if (route_add(a->ns.ct, &k, false, true, err) < 0)
			return -1;
	}
	return 0;
}

int attach_tag_link(struct attach *a, int ifindex, const struct link_change *ch,
		    struct ccni_error *err)
{
	struct link_change c = ch ? *ch : (struct link_change){ 0 };

	c.alias = a->tag;
	return link_set(a->ns.host, ifindex, &c, err);
}

struct ct_sysctls {
	const char *ifname;
	bool announce, v6;
};

/* Best effort where the reference ignores failures. */
static void sysctl_quiet(const char *key, const char *value)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	sysctl_set(key, value, &e);
	ccni_error_clear(&e);
}

/* Inside the container: announcements (gratuitous ARP, unsolicited NA on
 * link and address changes), and for IPv6 addresses IPv6 enabled on lo and
 * the link, with addresses kept when it goes down (the reference's
 * ConfigureIface). */
static int container_sysctls(void *data, struct ccni_error *err)
{
	const struct ct_sysctls *j = data;
	const char *ifs[2] = { "lo", j->ifname };
	char key[96], v[8];

	if (j->announce) {
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_notify", j->ifname);
		sysctl_quiet(key, "1");
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/ndisc_notify", j->ifname);
		sysctl_quiet(key, "1");
	}
	if (!j->v6)
		return 0;
	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/disable_ipv6", ifs[i]);
		if (sysctl_get(key, v, sizeof(v), err) < 0) {
			ccni_error_clear(err); /* read failures are only warnings there */
			continue;
		}
		if (!streq(v, "0") && sysctl_set(key, "0", err) < 0)
			return -1;
	}
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/keep_addr_on_down", j->ifname);
	return sysctl_set(key, "1", err);
}

int attach_configure(struct attach *a, int ifindex, bool announce, struct ccni_error *err)
{
	struct ct_sysctls j = { a->req->ifname, announce, false };
	bool v6gw = false;

	for (size_t i = 0; i < a->r->n_ips; i++) {
		j.v6 |= a->r->ips[i].address.ip.family == AF_INET6;
		v6gw |= a->r->ips[i].gateway.family == AF_INET6;
	}
	if (a->r->n_ips && (j.announce || j.v6) &&
	    netns_run(a->ns.nsfd, container_sysctls, &j, err) < 0)
		return -1;
	if (attach_addrs(a, ifindex, false, err) < 0 || link_set_up(a->ns.ct, ifindex, true, err) < 0)
		return -1;
	if (v6gw && addr_settle(a->ns.ct, a->ns.nsfd, ifindex, SETTLE_MS, err) < 0)
		return -1;
	return attach_routes(a, ifindex, err);
}

static int parse_netconf(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[NETCONFA_MAX + 1];

	if (h->nlmsg_type == RTM_NEWNETCONF &&
	    nlmsg_parse(h, sizeof(struct netconfmsg), tb, NETCONFA_MAX, NULL) == 0 &&
	    tb[NETCONFA_FORWARDING] && nla_len(tb[NETCONFA_FORWARDING]) >= (int)sizeof(int32_t))
		*(int *)arg = *(const int32_t *)nla_data(tb[NETCONFA_FORWARDING]);
	return 0;
}

/* The namespace's "all" forwarding of family, read through netlink: 1 on,
 * 0 off, -1 when it cannot be told (the write then decides). A /proc/sys
 * open in the host's namespace costs as much more as the node holds
 * namespaces; the reply does not. */
static int forwarding_on(struct nl_sock *sk, int family)
{
	struct netconfmsg ncm = { .ncm_family = (uint8_t)family };
	struct nl_msg *msg = netlink_msg(RTM_GETNETCONF, 0, &ncm, sizeof(ncm));
	struct netlink_answer ans;
	int on = -1;

	if (!msg || nla_put_s32(msg, NETCONFA_IFINDEX, NETCONFA_IFINDEX_ALL) < 0) {
		nlmsg_free(msg);
		return -1;
	}
	return netlink_talk(sk, msg, parse_netconf, &on, &ans) < 0 ? -1 : on;
}

int attach_forwarding(struct nl_sock *sk, bool v4, bool v6, struct ccni_error *err)
{
	if (v4 && forwarding_on(sk, AF_INET) != 1 && sysctl_set("net/ipv4/ip_forward", "1", err) < 0)
		return -1;
	if (v6 && forwarding_on(sk, AF_INET6) != 1 &&
	    sysctl_set("net/ipv6/conf/all/forwarding", "1", err) < 0)
		return -1;
	return 0;
}

static int masq(const struct ccni_request *req, const struct attach_conf *conf, bool add,
		const struct ccni_ipnet *addrs, int n, struct ccni_error *err)
{
	return ipmasq_apply(add, conf->masq_backend, addrs, n, req->name, req->container_id,
			    req->ifname, err);
}

/* ipMasq of a result's addresses. */
static int masq_result(const struct ccni_request *req, const struct attach_conf *conf, bool add,
		       const struct ccni_result *r, struct ccni_error *err)
{
	_cleanup_free_ struct ccni_ipnet *addrs = NULL;

	if (!r || !r->n_ips)
		return 0;
	if (!(addrs = calloc(r->n_ips, sizeof(*addrs))))
		return nomem(err);
	for (size_t i = 0; i < r->n_ips; i++)
		addrs[i] = r->ips[i].address;
	return masq(req, conf, add, addrs, (int)r->n_ips, err);
}

/* The config's own "dns" (as the reference: it replaces IPAM's). */
static int dns_from_config(struct attach *a, struct ccni_error *err)
{
	json_t *dns = json_object_get(a->req->config, "dns");
	struct ccni_result *tmp = NULL;
	json_t *wrap;
	int rc = 0;

	if (a->conf->dns == ATTACH_DNS_IPAM || !json_is_object(dns) || !json_object_size(dns))
		return 0;
	wrap = json_pack("{s:s,s:O}", "cniVersion", "1.0.0", "dns", dns);
	if (!wrap)
		return nomem(err);
	if (ccni_result_decode(wrap, NULL, &tmp, err) < 0)
		rc = ccni_error_prefix(err, "dns");
	else if (ccni_dns_copy(&a->r->dns, &tmp->dns) < 0)
		rc = nomem(err);
	ccni_result_free(tmp);
	json_decref(wrap);
	return rc;
}

/* --- the ADD driver ---------------------------------------------------------------- */

static int add_all(struct attach *a, const struct attach_plugin *p, void *self,
		   struct ccni_error *err)
{
	const struct ccni_request *req = a->req;
	struct link l;
	int rc = link_get(a->ns.ct, req->ifname, 0, &l, err);

	if (rc < 0)
		return -1;
	/* The container's name must be free (one lookup, not a retry loop). */
	if (rc == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_IFNAME: interface \"%s\" already exists in %s", req->ifname,
				      req->netns);
	a->r = ccni_result_new(req->cni_version);
	if (!a->r)
		return nomem(err);
	if (p->add(a, self, err) < 0)
		return -1;
	if (a->conf->ipmasq && a->r->n_ips) {
		if (masq_result(req, a->conf, true, a->r, err) < 0)
			return -1;
		a->masq_done = true;
	}
	return dns_from_config(a, err);
}

static void undo_all(struct attach *a, const struct attach_plugin *p, void *self)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (a->masq_done)
		masq_result(a->req, a->conf, false, a->r, &e);
	ccni_error_clear(&e);
	if (p->undo)
		p->undo(a, self);
	if (a->ipam_done)
		ccni_delegate(a->req, a->conf->ipam_type, CCNI_CMD_DEL, NULL, &e);
	ccni_error_clear(&e);
}

static int attach_add(const struct attach_plugin *p, void *self, const struct ccni_request *req,
		      const struct attach_conf *conf, struct ccni_result **out,
		      struct ccni_error *err)
{
	struct attach a = { .req = req, .conf = conf, .ns = NETLINK_PAIR_INIT };
	int rc;

	tag_of(req->name, req->container_id, req->ifname, a.tag);
	if (netlink_pair_open(req->netns, &a.ns, err) < 0)
		return -1;
	rc = add_all(&a, p, self, err);
	if (rc < 0)
		undo_all(&a, p, self);
	else
		*out = TAKE_PTR(a.r);
	ccni_result_free(a.r);
	netlink_pair_close(&a.ns);
	return rc;
}

/* --- DEL ---------------------------------------------------------------------------- */

static void found_close(struct attach_found *f)
{
	netlink_close(f->ct);
	if (f->nsfd >= 0)
		close(f->nsfd);
	free(f->addrs);
}

/* The namespace, the link and its addresses, as far as they still exist. */
static int find(const struct ccni_request *req, struct attach_found *f, struct ccni_error *err)
{
	int rc;

	if (req->netns && *req->netns && netns_open(req->netns, &f->nsfd, err) < 0) {
		if (err->code != CCNI_ERR_UNKNOWN_CONTAINER)
			return -1;
		ccni_error_clear(err); /* the netns is gone: release the rest */
	}
	if (f->nsfd < 0)
		return 0;
	if (!(f->ct = netlink_open(f->nsfd, err)))
		return -1;
	rc = link_get(f->ct, req->ifname, 0, &f->link, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	f->have_link = true;
	return addr_list(f->ct, f->link.ifindex, 0, &f->addrs, &f->n_addrs, err);
}

/* Without the link, prevResult says which addresses were masqueraded. */
static int unmasq(const struct ccni_request *req, const struct attach_conf *conf,
		  const struct attach_found *f, struct ccni_error *err)
{
	if (f->n_addrs)
		return masq(req, conf, false, f->addrs, (int)f->n_addrs, err);
	if (req->prev_result && req->prev_result->n_ips)
		return masq_result(req, conf, false, req->prev_result, err);
	/* neither the link nor prevResult: by tag */
	return masq(req, conf, false, NULL, 0, err);
}

static int attach_del(const struct attach_plugin *p, void *self, const struct ccni_request *req,
		      const struct attach_conf *conf, struct ccni_error *err)
{
	struct attach_found f = { .nsfd = -1 };
	int rc = find(req, &f, err);

	/* The masquerade first, then the address: a DEL that fails on the
	 * masquerade can be retried with the link still there to give the
	 * addresses, and no other attachment has been given them yet. */
	if (rc == 0 && conf->ipmasq)
		rc = unmasq(req, conf, &f, err);
	if (rc == 0 && conf->ipam_type)
		rc = ccni_delegate(req, conf->ipam_type, CCNI_CMD_DEL, NULL, err);
	if (rc == 0)
		rc = p->del(req, &f, self, err);
	found_close(&f);
	return rc;
}

/* --- CHECK, and the verbs ------------------------------------------------------------------ */

static bool masq_nftables(const struct attach_conf *conf)
{
	return conf->ipmasq && !streq(conf->masq_backend ? conf->masq_backend : "", "iptables");
}

/* prevResult's addresses of interface ci, IPv6 link-local ones left out
 * (malloc'd; *n their count). */
static struct ccni_ipnet *prev_addrs(const struct ccni_result *pr, int ci, int *n)
{
	struct ccni_ipnet *addrs = calloc(pr->n_ips + 1, sizeof(*addrs));

	*n = 0;
	for (size_t i = 0; addrs && i < pr->n_ips; i++)
		if (pr->ips[i].interface == ci && !ccni_ip_is_link_local6(&pr->ips[i].address.ip))
			addrs[(*n)++] = pr->ips[i].address;
	return addrs;
}

/* CHECK of ipMasq (nftables): the elements of prevResult's addresses of
 * interface ci (the iptables backend's rules are not looked at). */
static int check_masq(const struct ccni_request *req, const struct attach_conf *conf, int ci,
		      struct ccni_error *err)
{
	_cleanup_free_ struct ccni_ipnet *addrs = NULL;
	char tag[TAG_MAX];
	int n;

	if (!masq_nftables(conf))
		return 0;
	if (!(addrs = prev_addrs(req->prev_result, ci, &n)))
		return nomem(err);
	tag_of(req->name, req->container_id, req->ifname, tag);
	return ipmasq_check(addrs, n, tag, err);
}

/* REAPPLY: ipMasq's elements again (nftables; the iptables backend's
 * rules would be doubled), then the plugin's own firewall state. */
static int attach_reapply(const struct attach_plugin *p, void *self,
			  const struct ccni_request *req, const struct attach_conf *conf,
			  struct ccni_error *err)
{
	const struct ccni_result *pr = req->prev_result;
	_cleanup_free_ struct ccni_ipnet *addrs = NULL;
	int ci, n;

	if (!pr)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "prevResult: required to reapply");
	ci = check_find_interface(pr, req->ifname, req->netns ? req->netns : "", err);
	if (ci < 0) {
		/* without CNI_NETNS: the interface of that name in any sandbox */
		ccni_error_clear(err);
		for (size_t i = 0; ci < 0 && i < pr->n_interfaces; i++)
			if (pr->interfaces[i].name && streq(pr->interfaces[i].name, req->ifname) &&
			    pr->interfaces[i].sandbox && *pr->interfaces[i].sandbox)
				ci = (int)i;
	}
	if (masq_nftables(conf)) {
		if (!(addrs = prev_addrs(pr, ci, &n)))
			return nomem(err);
		if (masq(req, conf, true, addrs, n, err) < 0)
			return -1;
	}
	return p->reapply ? p->reapply(req, self, ci, err) : 0;
}

static int attach_check(const struct attach_plugin *p, void *self, const struct ccni_request *req,
			const struct attach_conf *conf, struct ccni_error *err)
{
	_cleanup_(netlink_pair_close) struct netlink_pair ns = NETLINK_PAIR_INIT;
	const struct ccni_result *pr = req->prev_result;
	struct link cv;
	int ci;

	if (conf->ipam_type && ccni_delegate(req, conf->ipam_type, CCNI_CMD_CHECK, NULL, err) < 0)
		return -1;
	if (!pr)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "prevResult: required for CHECK");
	if (conf->no_link)
		return 0;
	ci = check_find_interface(pr, req->ifname, req->netns, err);
	if (ci < 0 || netlink_pair_open(req->netns, &ns, err) < 0 ||
	    check_link(ns.ct, pr, ci, req->ifname, req->netns, p->kind, &cv, err) < 0 ||
	    (p->check_host && p->check_host(&ns, &cv, self, err) < 0) ||
	    check_addrs_routes(ns.ct, pr, ci, &cv, req->netns, err) < 0)
		return -1;
	return check_masq(req, conf, ci, err);
}

/* --- GC ------------------------------------------------------------------------------ */

static bool stale_comment(const char *comment, void *arg)
{
	const struct ccni_request *req = arg;

	return tag_is_stale(comment, req->name, req->valid_attachments);
}

static int attach_gc(const struct attach_plugin *p, void *self, const struct ccni_request *req,
		     const struct attach_conf *ac, struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *host = netlink_open(-1, err);

	if (!host || link_del_stale(host, req->name, req->valid_attachments, NULL, err) < 0)
		return -1;
	/* the iptables backend's chains are named by a hash: not collected */
	if (ac->ipmasq && !streq(ac->masq_backend ? ac->masq_backend : "", "iptables") &&
	    nftables_del_where("inet", "ccni_masq", stale_comment, (void *)req, err) < 0)
		return ccni_error_prefix(err, "ipMasq");
	if (p->gc && p->gc(req, self, err) < 0)
		return -1;
	if (ac->ipam_type && ccni_delegate(req, ac->ipam_type, CCNI_CMD_GC, NULL, err) < 0)
		return -1;
	return 0;
}

int attach_verb(const struct attach_plugin *p, void *self, const struct ccni_request *req,
		struct ccni_result **out, struct ccni_error *err)
{
	const struct attach_conf *ac = p->parse(req, self, err);
	assert(p && p->parse && p->add && p->del && self && req);

	if (!ac)
		return -1;
	switch (req->command) {
	case CCNI_CMD_ADD:
		return attach_add(p, self, req, ac, out, err);
	case CCNI_CMD_DEL:
		return attach_del(p, self, req, ac, err);
	case CCNI_CMD_CHECK:
		return attach_check(p, self, req, ac, err);
	case CCNI_CMD_GC:
		return attach_gc(p, self, req, ac, err);
	case CCNI_CMD_REAPPLY:
		return attach_reapply(p, self, req, ac, err);
	case CCNI_CMD_STATUS:
		/* ready when the IPAM plugin is */
		if (ac->ipam_type && ccni_delegate(req, ac->ipam_type, CCNI_CMD_STATUS, NULL, err) < 0)
			return -1;
		return 0;
	default:
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "%s: not a main plugin's verb",
				      req->command_name);
	}
}
