/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portmap — host ports forwarded to a container (the portMappings
 * capability), a drop-in for the reference plugin.
 *
 * The nftables backend (default) keeps every mapping of the node in a few
 * maps of ccni's table "inet ccni_portmap", keyed by (protocol, host port)
 * or (host IP, protocol, host port) and giving (container IP, port): one DNAT
 * path whatever the number of containers, and each ADD or DEL is one batch
 * of element changes. Hairpin, localhost and masqAll masquerading are sets
 * keyed by the container. Mappings with conditionsV4/V6 (arbitrary nft
 * matches) cannot share a map and get rules of their own in the chain
 * "conditional", tagged with the container so DEL finds them.
 *
 * The iptables backend writes the reference's chains (CNI-HOSTPORT-DNAT,
 * CNI-DN-<hash>, CNI-HOSTPORT-SETMARK, CNI-HOSTPORT-MASQ) with one
 * iptables-restore per address family, so it coexists with kube-proxy.
 */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/conntrack.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/nftables.h"
#include "net/route.h"
#include "net/sysctl.h"
#include "net/nftset.h"
#include "net/iptables.h"
#include "plugins/meta/portmap/portmap.h"


/* --- config ----------------------------------------------------------------- */

static int parse_conditions(json_t *c, const char *key, char *out, size_t len,
			    struct ccni_error *err)
{
	json_t *arr = json_object_get(c, key), *v;
	size_t i, off = 0;

	out[0] = '\0';
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return ccni_json_type_error(arr, key, "an array of strings", err);
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (!s || strpbrk(s, "\n;{}#\""))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s[%zu]: expected a match word without newlines, ';', "
					      "braces, '#' or quotes",
					      key, i);
		off += (size_t)snprintf(out + off, len - off, "%s%s", off ? " " : "", s);
		if (off >= len)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: too long", key);
	}
	return 0;
}

/* runtimeConfig.portMappings (what the runtime passes: its mistakes stop
 * the parse). */
static int parse_mappings(const struct ccni_request *req, struct portmap_conf *c,
			  struct ccni_error *err)
{
	json_t *maps, *m;
	size_t i;

	maps = json_object_get(req->runtime_config, "portMappings");
	if (maps && !json_is_array(maps))
		return ccni_json_type_error(maps, "runtimeConfig.portMappings", "an array", err);
	json_array_foreach(maps, i, m) {
		struct portmap_entry *e;
		char w[64];
		long long hp = 0, cp = 0;
		const char *proto = "tcp", *hip = NULL;

		snprintf(w, sizeof(w), "runtimeConfig.portMappings[%zu]", i);
		if (c->n == PORTMAP_MAX)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: more than %d mappings",
					      w, PORTMAP_MAX);
		if (!json_is_object(m))
			return ccni_json_type_error(m, w, "an object", err);
		if (ccni_json_get_int(m, w, "hostPort", -65536, 65535, &hp, err) < 0 ||
		    ccni_json_get_int(m, w, "containerPort", -65536, 65535, &cp, err) < 0 ||
		    ccni_json_get_string(m, w, "protocol", &proto, err) < 0 ||
		    ccni_json_get_string(m, w, "hostIP", &hip, err) < 0)
			return -1;
		if (cp <= 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.containerPort: invalid container port number %lld", w, cp);
		if (hp <= 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.hostPort: invalid host port number %lld", w, hp);
		e = &c->maps[c->n++];
		e->host_port = (uint16_t)hp;
		e->container_port = (uint16_t)cp;
		if (!*proto)
			proto = "tcp";
		if (!strcasecmp(proto, "tcp"))
			e->proto = "tcp";
		else if (!strcasecmp(proto, "udp"))
			e->proto = "udp";
		else if (!strcasecmp(proto, "sctp"))
			e->proto = "sctp";
		else
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.protocol: \"%.16s\" is not tcp, udp or sctp", w, proto);
		if (hip && *hip && ccni_ip_parse(hip, &e->host_ip) < 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.hostIP: invalid IP address \"%.64s\"", w, hip);
	}
	return 0;
}

int portmap_conf_parse(const struct ccni_request *req, struct portmap_conf *c,
		       struct ccni_error *err)
{
	json_t *cfg = req->config;
	long long bit = 13;
	bool has_bit = json_object_get(cfg, "markMasqBit") != NULL;

	memset(c, 0, sizeof(*c));
	c->snat = true;
	c->backend = "nftables";
	/* each key on its own: validation reports every bad one */
	if (CCNI_CONF_TRY(req, err, ccni_json_get_bool(cfg, "", "snat", &c->snat, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_bool(cfg, "", "masqAll", &c->masq_all, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "backend", &c->backend, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "externalSetMarkChain",
							  &c->external_mark_chain, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(cfg, "", "markMasqBit", 0, 31, &bit, err)) < 0)
		return -1;
	if (has_bit && c->external_mark_chain &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "externalSetMarkChain: markMasqBit and externalSetMarkChain cannot both "
			    "be set") < 0)
		return -1;
	/* it goes into iptables-restore's script: a newline in it would be a
	 * command of its own */
	if (c->external_mark_chain && !iptables_chain_name_ok(c->external_mark_chain) &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "externalSetMarkChain: invalid chain name \"%.64s\" (%s)",
			    c->external_mark_chain, IPTABLES_CHAIN_NAME_RULE) < 0)
		return -1;
	c->mark_bit = (int)bit;
	if (!streq(c->backend, "nftables") && !streq(c->backend, "iptables") &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "backend: unrecognized backend \"%.32s\" (\"nftables\" or \"iptables\")",
			    c->backend) < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, parse_conditions(cfg, "conditionsV4", c->cond4, sizeof(c->cond4),
						      err)) < 0 ||
	    CCNI_CONF_TRY(req, err, parse_conditions(cfg, "conditionsV6", c->cond6, sizeof(c->cond6),
						      err)) < 0)
		return -1;

	if (parse_mappings(req, c, err) < 0)
		return -1;
	/* The container's addresses: the first IPv4 and IPv6 of the interface
	 * CNI_IFNAME in a sandbox (or of no interface), as the reference. */
	if (req->prev_result) {
		const struct ccni_result *r = req->prev_result;

		for (size_t k = 0; k < r->n_ips; k++) {
			const struct ccni_ipconfig *ip = &r->ips[k];
			struct ccni_ipnet *slot = ip->address.ip.family == AF_INET6 ? &c->cip6 : &c->cip4;

			if (slot->ip.family)
				continue;
			if (ip->interface >= 0 && (size_t)ip->interface < r->n_interfaces &&
			    (!streq(r->interfaces[ip->interface].name, req->ifname) ||
			     !r->interfaces[ip->interface].sandbox))
				continue;
			*slot = ip->address;
		}
	}
	return 0;
}

/* --- the verbs ------------------------------------------------------------------- */

/* route_localnet on the host interface that reaches the container, so
 * 127.0.0.1:hostPort can be forwarded (as the reference). */
static int enable_localnet(const struct ccni_ip *cip, struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = netlink_open(-1, err);
	struct link l;
	char key[96];
	int oif;

	if (!sk)
		return -1;
	oif = route_get_oif(sk, cip, err);
	if (oif <= 0 || link_get(sk, NULL, oif, &l, err) != 0)
		return ccni_error_is_set(err) ? -1 : 0;
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", l.name);
	return sysctl_set(key, "1", err);
}

/* UDP flows that reached a host port before its mapping stay un-NATed in
 * conntrack: forget them (best effort, as the reference). Finding them
 * walks the whole conntrack hash table (about 9 ms with 262,144 buckets),
 * so a detached process does it and ADD returns at once: until it is done,
 * a stale flow's datagrams go where they went before the mapping existed,
 * which is a few milliseconds more of the state before ADD. */
static void flush_stale_udp(const struct portmap_conf *c)
{
	uint16_t ports[PORTMAP_MAX];
	int n = 0, rc;

	for (int i = 0; i < c->n; i++)
		if (streq(c->maps[i].proto, "udp"))
			ports[n++] = c->maps[i].host_port;
	if (n == 0)
		return;
	rc = util_fork_detached(-1, -1);
	if (rc > 0)
		return;
	for (int fam = 0; fam < 2; fam++) {
		struct ccni_error e = CCNI_ERROR_INIT;

		if (!(fam ? c->cip6.ip.family : c->cip4.ip.family))
			continue;
		if (conntrack_flush_udp_dports(fam ? AF_INET6 : AF_INET, ports, n, &e) < 0)
			fprintf(stderr, "portmap: stale UDP flows not flushed: %s\n", e.msg);
		ccni_error_clear(&e);
	}
	if (rc == 0)
		_exit(0); /* the detached process (rc -1: no fork, done inline) */
}

static int pm_add(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct portmap_conf c;

	if (portmap_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "portmap: must be called as a chained plugin (no prevResult)");
	*out = ccni_result_copy(req->prev_result);
	if (!*out)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (c.n == 0)
		return 0; /* nothing to map: no firewall work at all */
	if ((streq(c.backend, "iptables") ? portmap_ipt(req, &c, true, err) : portmap_nft_add(req, &c, err)) < 0)
		goto fail;
	if (c.snat && c.cip4.ip.family && enable_localnet(&c.cip4.ip, err) < 0)
		goto fail;
	flush_stale_udp(&c);
	return 0;
fail:
	ccni_result_free(*out);
	*out = NULL;
	return -1;
}

static int pm_del(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct portmap_conf c;

	(void)out;
	if (portmap_conf_parse(req, &c, err) < 0)
		return -1;
	if (streq(c.backend, "iptables"))
		return portmap_ipt(req, &c, false, err);
	/* No mappings now and none recorded: the reference does nothing either. */
	if (c.n == 0 && !json_object_get(req->runtime_config, "portMappings") && req->prev_result &&
	    !*c.cond4 && !*c.cond6)
		return 0;
	return portmap_nft_del(req, &c, err);
}

static int pm_check(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	struct portmap_conf c;

	(void)out;
	if (portmap_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "portmap: prevResult is required");
	if (c.n == 0 || streq(c.backend, "iptables"))
		return 0;
	return portmap_nft_check(&c, err);
}

/* GC collects nftables state; the iptables backend's chains are named by a
 * hash of network and container (not reversible): they are not collected. */
static int pm_gc(const struct ccni_request *req, struct ccni_result **out,
		 struct ccni_error *err)
{
	struct portmap_conf c;

	(void)out;
	if (portmap_conf_parse(req, &c, err) < 0)
		return -1;
	return streq(c.backend, "iptables") ? 0 : portmap_nft_gc(req, err);
}

/* REAPPLY: the mappings again (the iptables backend's rules would be
 * doubled: not reapplied). An element still there is left as it is;
 * conditional rules are rules, so they go by tag first. */
static int pm_reapply(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	struct portmap_conf c;

	(void)out;
	if (portmap_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "portmap: prevResult is required");
	if (c.n == 0 || streq(c.backend, "iptables"))
		return 0;
	if ((*c.cond4 || *c.cond6) && portmap_nft_del(req, &c, err) < 0)
		return -1;
	if (portmap_nft_add(req, &c, err) < 0)
		return -1;
	return c.snat && c.cip4.ip.family ? enable_localnet(&c.cip4.ip, err) : 0;
}

/* `ccni validate`: its keys, and the parser above. */
static const char *const portmap_keys[] = {
	"snat", "masqAll", "backend", "externalSetMarkChain", "markMasqBit", "conditionsV4",
	"conditionsV6", NULL,
};

static int portmap_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct portmap_conf c;

	return portmap_conf_parse(req, &c, err);
}

const struct ccni_plugin plugin_portmap = {
	.name = "portmap",
	.about = "ccni portmap: host ports forwarded to containers (nftables maps)",
	.add = pm_add,
	.del = pm_del,
	.check = pm_check,
	.gc = pm_gc,
	.reapply = pm_reapply,
	.validate = portmap_validate,
	.keys = portmap_keys,
};
