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
#include "net/check.h"
#include "net/kernel.h"
#include "plugins/main/bridge/bridge.h"

DEFINE_CLEANUP(struct nl_sock *, kns_socket_free)

static int get_bool(json_t *c, const char *key, bool *out, struct ccni_error *err)
{
	return ccni_json_get_bool(c, "", key, out, err);
}

static int parse_trunk(json_t *arr, struct bridge_conf *b, struct ccni_error *err)
{
	size_t i;
	json_t *t;
	bool want[4095] = { false };

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "vlanTrunk: expected an array");
	json_array_foreach(arr, i, t) {
		char w[32];
		long long lo = 0, hi = 0, id = 0;
		bool has_lo = json_object_get(t, "minID") != NULL, has_hi = json_object_get(t, "maxID") != NULL;

		snprintf(w, sizeof(w), "vlanTrunk[%zu]", i);
		if (!json_is_object(t))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: expected an object", w);
		if (ccni_json_get_int(t, w, "minID", 1, 4094, &lo, err) < 0 ||
		    ccni_json_get_int(t, w, "maxID", 1, 4094, &hi, err) < 0 ||
		    ccni_json_get_int(t, w, "id", 1, 4094, &id, err) < 0)
			return -1;
		if (has_lo != has_hi)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: minID and maxID go together (%s is missing)", w,
					      has_lo ? "maxID" : "minID");
		if (has_lo && hi < lo)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: minID %lld is greater than maxID %lld", w, lo, hi);
		for (long long v = lo; has_lo && v <= hi; v++)
			want[v] = true;
		if (id)
			want[id] = true;
	}
	for (int v = 1; v <= 4094; v++)
		if (want[v]) {
			if (b->n_trunk == BRIDGE_MAX_TRUNK)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "vlanTrunk: more than %d VLAN ranges", BRIDGE_MAX_TRUNK);
			if (b->n_trunk && b->trunk[b->n_trunk - 1][1] == v - 1)
				b->trunk[b->n_trunk - 1][1] = (uint16_t)v;
			else {
				b->trunk[b->n_trunk][0] = b->trunk[b->n_trunk][1] = (uint16_t)v;
				b->n_trunk++;
			}
		}
	return 0;
}

int bridge_conf_parse(const struct ccni_request *req, struct bridge_conf *b,
		      struct ccni_error *err)
{
	static const char *const known_args[] = { "MAC", NULL };
	json_t *c = req->config;
	long long v;
	const char *mac = NULL;

	memset(b, 0, sizeof(*b));
	b->bridge = "cni0";
	b->ipmasq_backend = "nftables";
	if (ccni_json_get_string(c, "", "bridge", &b->bridge, err) < 0 ||
	    get_bool(c, "isGateway", &b->is_gw, err) < 0 ||
	    get_bool(c, "isDefaultGateway", &b->is_default_gw, err) < 0 ||
	    get_bool(c, "forceAddress", &b->force_address, err) < 0 ||
	    get_bool(c, "ipMasq", &b->ipmasq, err) < 0 ||
	    ccni_json_get_string(c, "", "ipMasqBackend", &b->ipmasq_backend, err) < 0 ||
	    get_bool(c, "hairpinMode", &b->hairpin, err) < 0 ||
	    get_bool(c, "promiscMode", &b->promisc, err) < 0 ||
	    get_bool(c, "preserveDefaultVlan", &b->preserve_default_vlan, err) < 0 ||
	    get_bool(c, "macspoofchk", &b->macspoofchk, err) < 0 ||
	    get_bool(c, "enabledad", &b->enable_dad, err) < 0 ||
	    get_bool(c, "disableContainerInterface", &b->disable_container_if, err) < 0 ||
	    get_bool(c, "portIsolation", &b->port_isolation, err) < 0)
		return -1;
	if (!*b->bridge)
		b->bridge = "cni0";
	if (!ccni_ifname_valid(b->bridge))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "bridge: invalid interface name \"%.32s\" (1 to 15 bytes, no '/', "
				      "':' or spaces)",
				      b->bridge);
	if (!*b->ipmasq_backend)
		b->ipmasq_backend = "nftables";
	if (!streq(b->ipmasq_backend, "nftables") && !streq(b->ipmasq_backend, "iptables"))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipMasqBackend: \"%.32s\" is not \"nftables\" or \"iptables\"",
				      b->ipmasq_backend);
	v = 0;
	if (ccni_json_get_int(c, "", "mtu", 0, 65535, &v, err) < 0)
		return -1;
	if (v && v < 68)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "mtu: %lld is below the minimum of 68", v);
	b->mtu = (unsigned)v;
	v = 0;
	if (ccni_json_get_int(c, "", "vlan", 0, 4094, &v, err) < 0)
		return ccni_error_prefix(err, "invalid VLAN ID");
	b->vlan = (uint16_t)v;
	if (parse_trunk(json_object_get(c, "vlanTrunk"), b, err) < 0)
		return -1;
	if (b->is_default_gw)
		b->is_gw = true;
	if (b->hairpin && b->promisc)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "hairpinMode and promiscMode cannot both be set");

	/* ipam is optional: without it (or with an empty type, as the
	 * reference) the bridge gives layer 2 only. */
	{
		json_t *ipam = json_object_get(c, "ipam"), *t;

		if (ipam && !json_is_null(ipam) && !json_is_object(ipam))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: expected an object");
		t = json_object_get(ipam, "type");
		if (t && !json_is_null(t) && !(json_is_string(t) && !*json_string_value(t)) &&
		    ccni_request_ipam_type(req, &b->ipam_type, err) < 0)
			return -1;
	}
	if (b->ipam_type && b->disable_container_if)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "disableContainerInterface: cannot be used with ipam");

	/* The container's MAC: CNI_ARGS MAC, args.cni.mac, runtimeConfig.mac
	 * (the later one wins, as in the reference). */
	if (req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK) {
		const char *m_args = NULL, *m_rt = NULL;

		if (ccni_args_check_known(&req->args, known_args, err) < 0)
			return -1;
		mac = ccni_args_get(&req->args, "MAC");
		if (ccni_json_get_string(req->cni_args, "args.cni", "mac", &m_args, err) < 0 ||
		    ccni_json_get_string(req->runtime_config, "runtimeConfig", "mac", &m_rt, err) < 0)
			return -1;
		/* An empty value does not override an earlier source. */
		if (m_args && *m_args)
			mac = m_args;
		if (m_rt && *m_rt)
			mac = m_rt;
		if (mac && *mac) {
			if (ccni_mac_parse(mac, b->mac) < 0)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "mac: invalid MAC address \"%.32s\"", mac);
			b->has_mac = true;
		}
	}
	return 0;
}

/* --- ADD ------------------------------------------------------------------ */

struct add_state {
	const struct ccni_request *req;
	struct bridge_conf *b;
	struct kns_pair ns;
	struct klink br, hv, cv;
	struct klink vg; /* the VLAN gateway interface "<bridge>.<vlan>" */
	char host_name[16];
	bool veth_made, ipam_done, masq_done, spoof_done, have_vg;
	struct ccni_result *r;
};

/* ipMasq of the addresses IPAM gave this attachment. */
static int masq(const struct add_state *s, bool add, struct ccni_error *err)
{
	struct ccni_ipnet a[16];
	int n = 0;

	for (size_t i = 0; s->r && i < s->r->n_ips && n < 16; i++)
		a[n++] = s->r->ips[i].address;
	return kmasq(add, s->b->ipmasq_backend, a, n, s->req->name, s->req->container_id,
		     s->req->ifname, err);
}

static int set_port(struct add_state *s, struct ccni_error *err)
{
	struct bridge_conf *b = s->b;

	if (klink_set_master(s->ns.host, s->hv.ifindex, s->br.ifindex, err) < 0)
		return -1;
	if (kbridge_port_set(s->ns.host, s->hv.ifindex, b->hairpin ? 1 : -1,
			     b->port_isolation ? 1 : -1, err) < 0)
		return -1;
	if ((b->vlan || b->n_trunk) && !b->preserve_default_vlan &&
	    kbridge_vlan(s->ns.host, s->hv.ifindex, 1, 1, false, false, true, false, err) < 0)
		return -1;
	if (b->vlan && kbridge_vlan(s->ns.host, s->hv.ifindex, b->vlan, b->vlan, true, true, false, false,
				    err) < 0)
		return -1;
	for (int i = 0; i < b->n_trunk; i++)
		if (kbridge_vlan(s->ns.host, s->hv.ifindex, b->trunk[i][0], b->trunk[i][1], false, false,
				 false, false, err) < 0)
			return -1;
	if (!b->vlan && b->n_trunk &&
	    kbridge_vlan(s->ns.host, s->hv.ifindex, 1, 1, true, true, false, false, err) < 0)
		return -1;
	return klink_set_up(s->ns.host, s->hv.ifindex, true, err);
}

/* A sysctl the reference sets best effort (a kernel without IPv6 has no
 * such keys). */
static void sysctl_try(const char *fmt, const char *ifname, const char *value)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char key[96];

	snprintf(key, sizeof(key), fmt, ifname);
	ksysctl_set(key, value, &e);
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
static int calc_gateways(struct add_state *s, struct ccni_error *err)
{
	struct ccni_result *r = s->r;
	bool def_found[2] = { false, false };

	for (size_t i = 0; i < r->n_ips; i++) {
		struct ccni_ipconfig *ip = &r->ips[i];
		int fam = ip->address.ip.family == AF_INET6 ? 1 : 0;

		ip->interface = 2;
		if (!ip->gateway.family && s->b->is_gw) {
			struct ccni_ipnet n = ccni_ipnet_network(&ip->address);

			ip->gateway = n.ip;
			ccni_ip_add(&ip->gateway, 1);
		}
		if (s->b->is_default_gw && !def_found[fam]) {
			for (size_t k = 0; k < r->n_routes; k++)
				if (r->routes[k].gw.family && ccni_ipnet_is_default(&r->routes[k].dst) &&
				    r->routes[k].dst.ip.family == ip->address.ip.family)
					def_found[fam] = true;
			if (!def_found[fam]) {
				struct ccni_route rt = ccni_route_init();

				rt.dst.ip.family = ip->address.ip.family;
				rt.dst.prefix = 0;
				rt.gw = ip->gateway;
				if (ccni_result_add_route(r, &rt) < 0)
					return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
				def_found[fam] = true;
			}
		}
	}
	return 0;
}

/* Addresses, link up, routes in the container (the reference's
 * ConfigureIface): a route without a gateway goes via the gateway of its
 * family, if there is one. */
static int configure_container(struct add_state *s, struct ccni_error *err)
{
	struct ccni_result *r = s->r;
	struct sysctl_job job = { s->req->ifname, s->b->enable_dad };

	if (kns_run(s->ns.nsfd, container_sysctls, &job, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_ips; i++)
		if (kaddr_add(s->ns.ct, s->cv.ifindex, &r->ips[i].address, !s->b->enable_dad, err) < 0)
			return -1;
	if (klink_set_up(s->ns.ct, s->cv.ifindex, true, err) < 0)
		return -1;
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

/* The gateway address on the bridge (the reference's ensureAddr): an
 * address already there is fine; another address of the same subnet (any
 * IPv4 address) is an error unless forceAddress replaces it. */
static int bridge_gateway(struct add_state *s, struct klink *on, const struct ccni_ipnet *gw,
			  struct ccni_error *err)
{
	struct ccni_ipnet have[32];
	int n = kaddr_list(s->ns.host, on->ifindex, gw->ip.family, have, 32, err);
	char b1[CCNI_IPNET_STRLEN];

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (ccni_ipnet_equal(&have[i], gw))
			return 0;
		if (ccni_ip_is_link_local6(&have[i].ip))
			continue;
		if (gw->ip.family == AF_INET || ccni_ipnet_contains(&have[i], &gw->ip) ||
		    ccni_ipnet_contains(gw, &have[i].ip)) {
			if (!s->b->force_address)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "bridge: \"%s\" already has an IP address different "
						      "from %s (set forceAddress to replace it)",
						      on->name, ccni_ipnet_format(gw, b1));
			if (kaddr_del(s->ns.host, on->ifindex, &have[i], err) < 0)
				return -1;
		}
	}
	if (kaddr_add(s->ns.host, on->ifindex, gw, true, err) < 0)
		return -1;
	/* Pin the bridge's MAC (as the reference does), so it stops following
	 * the lowest port MAC as containers come and go. */
	if (klink_get(s->ns.host, NULL, on->ifindex, on, err) != 0)
		return ccni_error_is_set(err) ? -1 : 0;
	return klink_set_mac(s->ns.host, on->ifindex, on->mac, err);
}

/* With a VLAN, the gateway address lives on "<bridge>.<vlan>" (as the
 * reference): the host-side end of a veth pair whose other end is a port of
 * the bridge carrying the VLAN untagged. Made by the first ADD that needs
 * it; later (or racing) ADDs reuse it. */
static int vlan_gateway(struct add_state *s, struct ccni_error *err)
{
	char name[32], port[16];
	struct klink p;
	struct ccni_error e2 = CCNI_ERROR_INIT;
	int rc;

	snprintf(name, sizeof(name), "%s.%u", s->b->bridge, (unsigned)s->b->vlan);
	if (strlen(name) > 15)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "vlan: the gateway interface name \"%s\" is longer than 15 bytes "
				      "(use a shorter bridge name)",
				      name);
	rc = klink_get(s->ns.host, name, 0, &s->vg, err);
	if (rc <= 0)
		return rc;
	if (kveth_create(s->ns.host, NULL, name, -1, s->br.mtu, NULL, port, err) < 0) {
		if (klink_get(s->ns.host, name, 0, &s->vg, &e2) == 0) {
			ccni_error_clear(err); /* a concurrent ADD made it */
			return 0;
		}
		ccni_error_clear(&e2);
		return -1;
	}
	if (klink_get(s->ns.host, port, 0, &p, err) != 0 || klink_get(s->ns.host, name, 0, &s->vg, err) != 0) {
		if (!ccni_error_is_set(err))
			ccni_error_set(err, CCNI_ERR_NETLINK, "%s: not found after creation", name);
		goto fail;
	}
	if (klink_set_master(s->ns.host, p.ifindex, s->br.ifindex, err) < 0 ||
	    (!s->b->preserve_default_vlan &&
	     kbridge_vlan(s->ns.host, p.ifindex, 1, 1, false, false, true, false, err) < 0) ||
	    kbridge_vlan(s->ns.host, p.ifindex, s->b->vlan, s->b->vlan, true, true, false, false, err) < 0 ||
	    klink_set_up(s->ns.host, p.ifindex, true, err) < 0 ||
	    klink_set_up(s->ns.host, s->vg.ifindex, true, err) < 0)
		goto fail;
	return 0;
fail:
	if (klink_get(s->ns.host, port, 0, &p, &e2) == 0)
		klink_del(s->ns.host, p.ifindex, &e2);
	ccni_error_clear(&e2);
	return ccni_error_prefix(err, "vlan gateway %s", name);
}

static int result_interfaces(struct add_state *s, struct ccni_error *err)
{
	char m[18];

	if (klink_get(s->ns.host, NULL, s->br.ifindex, &s->br, err) != 0 ||
	    klink_get(s->ns.host, NULL, s->hv.ifindex, &s->hv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "bridge: a link vanished during ADD");
	if (ccni_result_add_interface(s->r, s->br.name, ccni_mac_format(s->br.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(s->r, s->hv.name, ccni_mac_format(s->hv.mac, m), NULL) < 0 ||
	    ccni_result_add_interface(s->r, s->req->ifname, ccni_mac_format(s->cv.mac, m),
				      s->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	/* The VLAN gateway interface comes fourth, as in the reference. */
	if (s->have_vg &&
	    ccni_result_add_interface(s->r, s->vg.name, ccni_mac_format(s->vg.mac, m), NULL) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	/* The three interfaces come first in the result (ips point at 2). */
	return 0;
}

static int do_add(struct add_state *s, struct ccni_error *err)
{
	struct bridge_conf *b = s->b;
	struct kbridge_opts bo = { .mtu = b->mtu, .promisc = b->promisc,
				   .vlan_filtering = b->vlan || b->n_trunk };
	struct ccni_result *ipam = NULL;
	int rc;

	if (kbridge_ensure(s->ns.host, b->bridge, &bo, &s->br, err) < 0)
		return -1;
	/* The bridge's routes are ours, not router advertisements' (as the
	 * reference). */
	sysctl_try("net/ipv6/conf/%s/accept_ra", b->bridge, "0");
	/* The container's name must be free (one lookup, not a retry loop). */
	rc = klink_get(s->ns.ct, s->req->ifname, 0, &s->cv, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_IFNAME: interface \"%s\" already exists in %s",
				      s->req->ifname, s->req->netns);
	if (kveth_create(s->ns.host, NULL, s->req->ifname, s->ns.nsfd, b->mtu, b->has_mac ? b->mac : NULL,
			 s->host_name, err) < 0)
		return -1;
	s->veth_made = true;
	if (klink_get(s->ns.host, s->host_name, 0, &s->hv, err) != 0 ||
	    (rc = klink_get(s->ns.ct, s->req->ifname, 0, &s->cv, err)) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: not found after creation",
				      s->host_name);
	if (set_port(s, err) < 0)
		return -1;

	s->r = ccni_result_new(s->req->cni_version);
	if (!s->r)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");

	if (b->macspoofchk) {
		if (kspoof_add(s->host_name, s->cv.mac, err) < 0)
			return -1;
		s->spoof_done = true;
	}

	if (b->ipam_type) {
		if (ccni_delegate(s->req, b->ipam_type, CCNI_CMD_ADD, &ipam, err) < 0)
			return -1;
		s->ipam_done = true;
		if (ipam->n_ips == 0) {
			ccni_result_free(ipam);
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "IPAM plugin \"%s\" returned no IP configuration",
					      b->ipam_type);
		}
		for (size_t i = 0; i < ipam->n_ips; i++)
			ccni_result_add_ip(s->r, &ipam->ips[i].address, &ipam->ips[i].gateway, -1);
		for (size_t i = 0; i < ipam->n_routes; i++)
			ccni_result_add_route(s->r, &ipam->routes[i]);
		ccni_dns_copy(&s->r->dns, &ipam->dns);
		ccni_result_free(ipam);

		if (calc_gateways(s, err) < 0 || configure_container(s, err) < 0)
			return -1;
		if (b->is_gw) {
			bool fam[2] = { false, false };

			for (size_t i = 0; i < s->r->n_ips; i++) {
				struct ccni_ipnet gw = { s->r->ips[i].gateway, s->r->ips[i].address.prefix };
				bool v6 = gw.ip.family == AF_INET6;

				if (!gw.ip.family)
					continue;
				if (b->vlan && !s->have_vg) {
					if (vlan_gateway(s, err) < 0)
						return -1;
					s->have_vg = true;
				}
				if (bridge_gateway(s, b->vlan ? &s->vg : &s->br, &gw, err) < 0)
					return -1;
				fam[v6] = true;
			}
			if (fam[0] && ksysctl_set("net/ipv4/ip_forward", "1", err) < 0)
				return -1;
			if (fam[1] && ksysctl_set("net/ipv6/conf/all/forwarding", "1", err) < 0)
				return -1;
		}
		if (b->ipmasq) {
			if (masq(s, true, err) < 0)
				return -1;
			s->masq_done = true;
		}
	} else if (!b->disable_container_if) {
		if (klink_set_up(s->ns.ct, s->cv.ifindex, true, err) < 0)
			return -1;
	}
	if (result_interfaces(s, err) < 0)
		return -1;
	/* Interfaces were added last; the model keeps them in order of
	 * addition, and the ips already point at index 2. */
	{
		json_t *dns = json_object_get(s->req->config, "dns");

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
		masq(s, false, &e);
		ccni_error_clear(&e);
	}
	if (s->ipam_done) {
		ccni_delegate(s->req, s->b->ipam_type, CCNI_CMD_DEL, NULL, &e);
		ccni_error_clear(&e);
	}
	if (s->spoof_done) {
		kspoof_del(s->host_name, &e);
		ccni_error_clear(&e);
	}
	if (s->veth_made) {
		struct klink l;

		if (klink_get(s->ns.host, s->host_name, 0, &l, &e) == 0)
			klink_del(s->ns.host, l.ifindex, &e);
		ccni_error_clear(&e);
	}
}

static int br_add(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct bridge_conf b;
	struct add_state s = { .req = req, .b = &b, .ns = KNS_PAIR_INIT };
	int rc;

	if (bridge_conf_parse(req, &b, err) < 0 || kns_pair_open(req->netns, &s.ns, err) < 0)
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

static int br_del(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct bridge_conf b;
	_cleanup_(kns_socket_freep) struct nl_sock *host = NULL, *ct = NULL;
	_cleanup_close_ int nsfd = -1;
	struct ccni_ipnet addrs[16];
	int n_addrs = 0;
	struct klink cv, hv;
	bool have_cv = false, have_hv = false;

	(void)out;
	if (bridge_conf_parse(req, &b, err) < 0)
		return -1;
	if (req->netns && kns_open(req->netns, &nsfd, err) < 0) {
		if (err->code != CCNI_ERR_UNKNOWN_CONTAINER)
			return -1;
		ccni_error_clear(err); /* the netns is gone: release the rest */
	}
	if (nsfd >= 0) {
		ct = kns_socket(nsfd, err);
		host = ct ? kns_socket(-1, err) : NULL;
		if (!host)
			return -1;
		if (klink_get(ct, req->ifname, 0, &cv, err) == 0) {
			have_cv = true;
			n_addrs = kaddr_list(ct, cv.ifindex, 0, addrs, 16, err);
			if (n_addrs < 0)
				return -1;
			/* The host end: the veth's peer, by index, for the spoof check. */
			if (cv.link > 0 && klink_get(host, NULL, cv.link, &hv, err) == 0)
				have_hv = true;
			ccni_error_clear(err);
		} else if (ccni_error_is_set(err)) {
			return -1;
		}
	}
	/* Without the link, prevResult says which addresses were masqueraded. */
	if (!n_addrs && req->prev_result)
		for (size_t i = 0; i < req->prev_result->n_ips && n_addrs < 16; i++)
			addrs[n_addrs++] = req->prev_result->ips[i].address;
	if (b.ipam_type && ccni_delegate(req, b.ipam_type, CCNI_CMD_DEL, NULL, err) < 0)
		return -1;
	/* The masquerade first: a DEL that fails on it can be retried with the
	 * link still there to give the addresses. */
	if (b.ipam_type && b.ipmasq &&
	    kmasq(false, b.ipmasq_backend, addrs, n_addrs, req->name, req->container_id, req->ifname,
		  err) < 0)
		return -1;
	/* returns once the host end is gone; the kernel's freeing goes on */
	if (have_cv && klink_del_unwaited(ct, cv.ifindex, cv.link, err) < 0)
		return -1;
	if (b.macspoofchk) {
		/* Without the link (netns gone), the host end's name is the
		 * second interface of prevResult, as ADD reported it. */
		const struct ccni_result *pr = req->prev_result;
		const char *port = have_hv ? hv.name : NULL;

		if (!port && pr && pr->n_interfaces >= 2 &&
		    (!pr->interfaces[1].sandbox || !*pr->interfaces[1].sandbox) &&
		    port_name_safe(pr->interfaces[1].name))
			port = pr->interfaces[1].name;
		if (port)
			kspoof_del(port, err);
	}
	return 0;
}

/* --- CHECK ---------------------------------------------------------------- */

static int br_check(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	struct bridge_conf b;
	_cleanup_(kns_pair_close) struct kns_pair ns = KNS_PAIR_INIT;
	const struct ccni_result *pr = req->prev_result;
	struct klink br, cv;
	int ci;

	(void)out;
	if (bridge_conf_parse(req, &b, err) < 0)
		return -1;
	if (b.ipam_type && ccni_delegate(req, b.ipam_type, CCNI_CMD_CHECK, NULL, err) < 0)
		return -1;
	if (!pr)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "prevResult: required for CHECK");
	ci = kcheck_find_interface(pr, req->ifname, req->netns, err);
	if (ci < 0)
		return -1;
	if (kns_pair_open(req->netns, &ns, err) < 0)
		return -1;
	if (klink_get(ns.host, b.bridge, 0, &br, err) != 0 || !streq(br.kind, "bridge"))
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "bridge %s: missing or not a bridge",
				      b.bridge);
	if (kcheck_link(ns.ct, pr, ci, req->ifname, req->netns, NULL, &cv, err) < 0)
		return -1;
	if (cv.link > 0) {
		struct klink hv;

		if (klink_get(ns.host, NULL, cv.link, &hv, err) != 0 || hv.master != br.ifindex)
			return ccni_error_is_set(err) ? -1 :
			       ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "interface %s: its host end is not a port of %s",
					      req->ifname, b.bridge);
	}
	return kcheck_addrs_routes(ns.ct, pr, ci, &cv, req->netns, err);
}

/* --- STATUS --------------------------------------------------------------- */

/* Ready when the IPAM plugin is (as the reference). */
static int br_status(const struct ccni_request *req, struct ccni_result **out,
		     struct ccni_error *err)
{
	struct bridge_conf b;

	(void)out;
	if (bridge_conf_parse(req, &b, err) < 0)
		return -1;
	if (b.ipam_type && ccni_delegate(req, b.ipam_type, CCNI_CMD_STATUS, NULL, err) < 0)
		return -1;
	return 0;
}

const struct ccni_plugin plugin_bridge = {
	.name = "bridge",
	.about = "ccni bridge: containers on a Linux bridge through veth pairs",
	.add = br_add,
	.del = br_del,
	.check = br_check,
	.status = br_status,
};
