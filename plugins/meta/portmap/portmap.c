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
#include "plugins/meta/portmap/portmap.h"


#define SCRIPT_MAX 65536

static const char setup_script[] =
	"create table inet ccni_portmap { comment \"ccni: portmap host ports\"; }\n"
	"add map inet ccni_portmap dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add map inet ccni_portmap dnat4ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add map inet ccni_portmap dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"add map inet ccni_portmap dnat6ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"add map inet ccni_portmap hairpin4 { type ipv4_addr : verdict; }\n"
	"add map inet ccni_portmap hairpin6 { type ipv6_addr : verdict; }\n"
	"add set inet ccni_portmap local4 { type ipv4_addr; }\n"
	"add set inet ccni_portmap local6 { type ipv6_addr; }\n"
	"add set inet ccni_portmap masqall4 { type ipv4_addr; }\n"
	"add set inet ccni_portmap masqall6 { type ipv6_addr; }\n"
	"add chain inet ccni_portmap conditional\n"
	"add chain inet ccni_portmap hostports\n"
	"add chain inet ccni_portmap prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
	"add chain inet ccni_portmap output { type nat hook output priority -100; policy accept; }\n"
	"add chain inet ccni_portmap postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"add rule inet ccni_portmap prerouting fib daddr type local jump hostports\n"
	"add rule inet ccni_portmap output fib daddr type local jump hostports\n"
	"add rule inet ccni_portmap hostports jump conditional\n"
	"add rule inet ccni_portmap hostports meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @dnat4ip\n"
	"add rule inet ccni_portmap hostports meta nfproto ipv4 dnat ip to meta l4proto . th dport map @dnat4\n"
	"add rule inet ccni_portmap hostports meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @dnat6ip\n"
	"add rule inet ccni_portmap hostports meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @dnat6\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip daddr vmap @hairpin4\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip saddr 127.0.0.0/8 ip daddr @local4 masquerade\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip daddr @masqall4 masquerade\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip6 daddr vmap @hairpin6\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip6 saddr ::1 ip6 daddr @local6 masquerade\n"
	"add rule inet ccni_portmap postrouting ct status dnat ip6 daddr @masqall6 masquerade\n";

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
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: expected an array of strings",
				      key);
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

int portmap_conf_parse(const struct ccni_request *req, struct portmap_conf *c,
		       struct ccni_error *err)
{
	json_t *cfg = req->config, *maps, *m;
	long long bit = 13;
	size_t i;
	bool has_bit = json_object_get(cfg, "markMasqBit") != NULL;

	memset(c, 0, sizeof(*c));
	c->snat = true;
	c->backend = "nftables";
	if (ccni_json_get_bool(cfg, "", "snat", &c->snat, err) < 0 ||
	    ccni_json_get_bool(cfg, "", "masqAll", &c->masq_all, err) < 0 ||
	    ccni_json_get_string(cfg, "", "backend", &c->backend, err) < 0 ||
	    ccni_json_get_string(cfg, "", "externalSetMarkChain", &c->external_mark_chain, err) < 0 ||
	    ccni_json_get_int(cfg, "", "markMasqBit", 0, 31, &bit, err) < 0)
		return -1;
	if (has_bit && c->external_mark_chain)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "markMasqBit and externalSetMarkChain cannot both be set");
	c->mark_bit = (int)bit;
	if (!streq(c->backend, "nftables") && !streq(c->backend, "iptables"))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "backend: unrecognized backend \"%.32s\" (\"nftables\" or "
				      "\"iptables\")",
				      c->backend);
	if (parse_conditions(cfg, "conditionsV4", c->cond4, sizeof(c->cond4), err) < 0 ||
	    parse_conditions(cfg, "conditionsV6", c->cond6, sizeof(c->cond6), err) < 0)
		return -1;

	maps = json_object_get(req->runtime_config, "portMappings");
	if (maps && !json_is_array(maps))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "runtimeConfig.portMappings: expected an array");
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
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: expected an object", w);
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

/* --- nftables backend ---------------------------------------------------------- */

static void tag_of(const struct ccni_request *req, char *tag, size_t len)
{
	snprintf(tag, len, "%.100s/%.15s", req->container_id, req->ifname);
}

static uint8_t proto_num(const char *p)
{
	return streq(p, "udp") ? IPPROTO_UDP : streq(p, "sctp") ? IPPROTO_SCTP : IPPROTO_TCP;
}

/*
 * Hairpin and same-subnet traffic through a host port is masqueraded when
 * its source is in the container's subnet. An interval set of (subnet .
 * address) pairs would do, but nftables keeps such sets in a structure
 * that is rebuilt on every change, at a cost growing with its size. So
 * each prefix length in use gets a plain hash set "hpV_LEN" of (network .
 * address) pairs and a chain of that name with the one rule
 * "saddr & MASK . daddr @hpV_LEN masquerade"; the map hairpinV sends each
 * container address to its chain. Every change is then O(1).
 */
static const char *hairpin_name(const struct ccni_ipnet *cip)
{
	static char names[2][129][8];
	int v6 = cip->ip.family == AF_INET6;
	char *n = names[v6][cip->prefix];

	if (!*n)
		snprintf(n, sizeof(names[0][0]), "hp%d_%u", v6 ? 6 : 4, (unsigned)cip->prefix);
	return n;
}

/* The set, chain and rule of one prefix length (made once per node; a
 * racing ADD doing the same ends with the same one rule). */
static int hairpin_setup(const struct ccni_ipnet *cip, struct ccni_error *err)
{
	int v6 = cip->ip.family == AF_INET6;
	struct ccni_ip mask = ccni_ip_mask(cip->ip.family, cip->prefix);
	const char *nm = hairpin_name(cip), *ip = v6 ? "ip6" : "ip";
	char m[CCNI_IP_STRLEN], script[640];

	snprintf(script, sizeof(script),
		 "add set inet ccni_portmap %s { type %s . %s; }\n"
		 "add chain inet ccni_portmap %s\n"
		 "flush chain inet ccni_portmap %s\n"
		 "add rule inet ccni_portmap %s %s saddr & %s . %s daddr @%s masquerade\n",
		 nm, v6 ? "ipv6_addr" : "ipv4_addr", v6 ? "ipv6_addr" : "ipv4_addr", nm, nm, nm, ip,
		 ccni_ip_format(&mask, m), ip, nm);
	return nftables_run(script, false, err);
}

/* The elements of one family (NULL tag: for DEL, no data needed). Returns
 * how many were written to out (room for PORTMAP_MAX + 4). */
static int elements(const struct portmap_conf *c, const struct ccni_ipnet *cip, const char *tag,
		    struct nftset_elem *out)
{
	static const char *const names[2][7] = {
		{ "dnat4", "dnat4ip", "hairpin4", "local4", "masqall4" },
		{ "dnat6", "dnat6ip", "hairpin6", "local6", "masqall6" },
	};
	int v6 = cip->ip.family == AF_INET6, n = 0;
	const char *const *nm = names[v6];
	struct ccni_ipnet nw = ccni_ipnet_network(cip);

	if (*(v6 ? c->cond6 : c->cond4)) /* conditional mappings are rules, not elements */
		goto masq;
	for (int i = 0; i < c->n; i++) {
		const struct portmap_entry *e = &c->maps[i];
		struct nftset_elem *el = &out[n];

		if (e->host_ip.family && e->host_ip.family != cip->ip.family)
			continue;
		memset(el, 0, sizeof(*el));
		el->set = nm[e->host_ip.family ? 1 : 0];
		if (e->host_ip.family)
			nftset_put_ip(&el->key, &e->host_ip);
		nftset_put_proto(&el->key, proto_num(e->proto));
		nftset_put_port(&el->key, e->host_port);
		nftset_put_ip(&el->data, &cip->ip);
		nftset_put_port(&el->data, e->container_port);
		el->comment = tag;
		n++;
	}
masq:
	if (c->snat) {
		/* hairpin: the container's address jumps to the chain of its
		 * prefix length, where (source & mask . address) is looked up */
		memset(&out[n], 0, 3 * sizeof(*out));
		out[n].set = nm[2];
		nftset_put_ip(&out[n].key, &cip->ip);
		out[n].jump = hairpin_name(cip);
		out[n++].comment = tag;
		out[n].set = hairpin_name(cip);
		nftset_put_ip(&out[n].key, &nw.ip);
		nftset_put_ip(&out[n].key, &cip->ip);
		out[n++].comment = tag;
		out[n].set = nm[3];
		nftset_put_ip(&out[n].key, &cip->ip);
		out[n++].comment = tag;
	}
	if (c->masq_all) {
		memset(&out[n], 0, sizeof(*out));
		out[n].set = nm[4];
		nftset_put_ip(&out[n].key, &cip->ip);
		out[n++].comment = tag;
	}
	return n;
}

/* Both families' elements into one array (malloc'd); *n their count. */
static struct nftset_elem *all_elements(const struct portmap_conf *c, const char *tag, int *n)
{
	struct nftset_elem *el = calloc(2 * (PORTMAP_MAX + 4), sizeof(*el));

	*n = 0;
	if (!el)
		return NULL;
	if (c->cip4.ip.family)
		*n += elements(c, &c->cip4, tag, el + *n);
	if (c->cip6.ip.family)
		*n += elements(c, &c->cip6, tag, el + *n);
	return el;
}

/* Conditional mappings: one rule each in chain "conditional". */
static size_t cond_rules(const struct portmap_conf *c, const struct ccni_ipnet *cip,
			 const char *tag, char *s, size_t off, size_t len)
{
	int v = cip->ip.family == AF_INET6 ? 6 : 4;
	const char *cond = v == 6 ? c->cond6 : c->cond4;
	char a[CCNI_IP_STRLEN], hip[CCNI_IP_STRLEN];

	if (!*cond)
		return off;
	ccni_ip_format(&cip->ip, a);
	for (int i = 0; i < c->n && off < len; i++) {
		const struct portmap_entry *e = &c->maps[i];
		char match[80] = "";

		if (e->host_ip.family && e->host_ip.family != cip->ip.family)
			continue;
		if (e->host_ip.family)
			snprintf(match, sizeof(match), "%s daddr %s ", v == 6 ? "ip6" : "ip",
				 ccni_ip_format(&e->host_ip, hip));
		off += (size_t)snprintf(s + off, len - off,
					"add rule inet ccni_portmap conditional meta nfproto ipv%d %s %s"
					"meta l4proto %s th dport %u dnat %s to %s%s%s:%u comment \"%s\"\n",
					v, cond, match, e->proto, e->host_port, v == 6 ? "ip6" : "ip",
					v == 6 ? "[" : "", a, v == 6 ? "]" : "", e->container_port, tag);
	}
	return off;
}

/* Report who holds a host port when the batch hit "File exists". */
/* "get element" of one mapping's key: 0 and *text (nft's listing of that
 * element) when mapped, 1 when not, -1 on error. */
static int get_mapping(const struct portmap_entry *e, int v, char **text, struct ccni_error *err)
{
	char cmd[160], hip[CCNI_IP_STRLEN];

	if (e->host_ip.family)
		snprintf(cmd, sizeof(cmd), "get element inet ccni_portmap dnat%dip { %s . %s . %u }", v,
			 ccni_ip_format(&e->host_ip, hip), e->proto, e->host_port);
	else
		snprintf(cmd, sizeof(cmd), "get element inet ccni_portmap dnat%d { %s . %u }", v,
			 e->proto, e->host_port);
	return nftables_get_text(cmd, text, true, err);
}

/* Report who holds a host port when the batch hit "File exists". */
static int explain_conflict(const struct portmap_conf *c, const struct ccni_ipnet *cip,
			    struct ccni_error *err)
{
	int v = cip->ip.family == AF_INET6 ? 6 : 4;

	for (int i = 0; i < c->n; i++) {
		const struct portmap_entry *e = &c->maps[i];
		char hip[CCNI_IP_STRLEN] = "";
		_cleanup_free_ char *text = NULL;
		struct ccni_error e2 = CCNI_ERROR_INIT;
		const char *cm;
		int holder_len = 0;

		if (e->host_ip.family && e->host_ip.family != cip->ip.family)
			continue;
		if (get_mapping(e, v, &text, &e2) != 0) {
			ccni_error_clear(&e2);
			continue;
		}
		cm = strstr(text, "comment \"");
		if (cm) {
			cm += 9;
			holder_len = (int)strcspn(cm, "\"");
		}
		if (e->host_ip.family)
			ccni_ip_format(&e->host_ip, hip);
		return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				      "portmap: host port %u/%s%s%s is already mapped%s%.*s%s",
				      e->host_port, e->proto, *hip ? " on " : "", hip,
				      cm ? " (by container/ifname " : "", holder_len, cm ? cm : "",
				      cm ? ")" : "");
	}
	return -1;
}

/* The table (a racing ADD may make it first: then "create" fails
 * harmlessly) and, with snat, the hairpin chains of the container's
 * families. */
static int setup_table(void *arg, struct ccni_error *err)
{
	const struct portmap_conf *c = arg;
	struct ccni_error e = CCNI_ERROR_INIT;

	nftables_run(setup_script, false, &e);
	ccni_error_clear(&e);
	if (c->snat && ((c->cip4.ip.family && hairpin_setup(&c->cip4, err) < 0) ||
			(c->cip6.ip.family && hairpin_setup(&c->cip6, err) < 0)))
		return -1;
	return 0;
}

static int nft_add(const struct ccni_request *req, const struct portmap_conf *c,
		   struct ccni_error *err)
{
	_cleanup_free_ char *rules = malloc(SCRIPT_MAX);
	_cleanup_free_ struct nftset_elem *el = NULL;
	char tag[128];
	size_t off = 0;
	int n;
	struct ccni_error e = CCNI_ERROR_INIT;

	tag_of(req, tag, sizeof(tag));
	el = all_elements(c, tag, &n);
	if (!el || !rules)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rules[0] = '\0';
	if (c->cip4.ip.family)
		off = cond_rules(c, &c->cip4, tag, rules, off, SCRIPT_MAX);
	if (c->cip6.ip.family)
		off = cond_rules(c, &c->cip6, tag, rules, off, SCRIPT_MAX);
	if (off >= SCRIPT_MAX)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "portmap: too many mappings");
	/* The elements: one batch, no library; the table is made on first use. */
	if (nftset_add_ensuring(NFPROTO_INET, "ccni_portmap", el, n, setup_table, (void *)c, &e) < 0) {
		if (e.errnum == EEXIST &&
		    ((c->cip4.ip.family && explain_conflict(c, &c->cip4, err) < 0 && ccni_error_is_set(err)) ||
		     (c->cip6.ip.family && explain_conflict(c, &c->cip6, err) < 0 && ccni_error_is_set(err)))) {
			ccni_error_clear(&e);
			return -1;
		}
		ccni_error_move(err, &e);
		return ccni_error_prefix(err, "portmap");
	}
	/* Conditional mappings are rules (rare): through libnftables. */
	if (off && nftables_run(rules, false, err) < 0) {
		nftset_elems(NFPROTO_INET, "ccni_portmap", false, el, n, &e);
		ccni_error_clear(&e);
		return ccni_error_prefix(err, "portmap");
	}
	return 0;
}

static int nft_del(const struct ccni_request *req, const struct portmap_conf *c,
		   struct ccni_error *err)
{
	_cleanup_free_ struct nftset_elem *el = NULL;
	char tag[128];
	int n, gone;
	struct ccni_error e = CCNI_ERROR_INIT;
	bool cond = *c->cond4 || *c->cond6;

	tag_of(req, tag, sizeof(tag));
	/* Without the mappings and addresses, or with conditional rules, find
	 * what is ours by tag. */
	if (!c->n || (!c->cip4.ip.family && !c->cip6.ip.family) || cond)
		return nftables_del_by_tag("ccni_portmap", tag, err);
	el = all_elements(c, NULL, &n);
	if (!el)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	/* A host port is bound to one container: delete a map element only
	 * when it carries this attachment's tag, never another's. */
	for (int i = 0; i < n; i++) {
		char owner[128];
		int rc;

		if (strncmp(el[i].set, "dnat", 4) != 0)
			continue;
		rc = nftset_elem_get("ccni_portmap", el[i].set, &el[i].key, owner, sizeof(owner), &e);
		if (rc < 0) {
			ccni_error_clear(&e);
			return nftables_del_by_tag("ccni_portmap", tag, err);
		}
		if (rc == 0 && streq(owner, tag))
			continue;
		el[i--] = el[--n]; /* not ours, or gone: leave it */
	}
	if (nftset_elems(NFPROTO_INET, "ccni_portmap", false, el, n, &e) == 0)
		return 0;
	gone = e.errnum;
	ccni_error_clear(&e);
	if (gone == ENOENT && n == 0)
		return 0;
	/* Something was already gone (or a key now belongs to someone else):
	 * take the careful path. */
	return nftables_del_by_tag("ccni_portmap", tag, err);
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
	if ((streq(c.backend, "iptables") ? portmap_ipt(req, &c, true, err) : nft_add(req, &c, err)) < 0)
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
	return nft_del(req, &c, err);
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
	for (int fam = 0; fam < 2; fam++) {
		const struct ccni_ipnet *cip = fam ? &c.cip6 : &c.cip4;
		int v = fam ? 6 : 4;

		if (!cip->ip.family || *(fam ? c.cond6 : c.cond4))
			continue;
		for (int i = 0; i < c.n; i++) {
			const struct portmap_entry *e = &c.maps[i];
			char a[CCNI_IP_STRLEN], want[CCNI_IP_STRLEN + 16];
			_cleanup_free_ char *text = NULL;
			int rc;

			if (e->host_ip.family && e->host_ip.family != cip->ip.family)
				continue;
			rc = get_mapping(e, v, &text, err);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
						      "portmap: host port %u/%s is not mapped", e->host_port,
						      e->proto);
			snprintf(want, sizeof(want), ": %s . %u ", ccni_ip_format(&cip->ip, a),
				 e->container_port);
			if (!strstr(text, want))
				return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
						      "portmap: host port %u/%s is not mapped to %s:%u",
						      e->host_port, e->proto, a, e->container_port);
		}
	}
	return 0;
}

const struct ccni_plugin plugin_portmap = {
	.name = "portmap",
	.about = "ccni portmap: host ports forwarded to containers (nftables maps)",
	.add = pm_add,
	.del = pm_del,
	.check = pm_check,
};
