/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portmap-nft.c — portmap's nftables backend: every mapping of the node in
 * a few maps of ccni's table "inet ccni_portmap", keyed by (protocol, host
 * port) or (host IP, protocol, host port) and giving (container IP, port):
 * one DNAT path whatever the number of containers, and each ADD or DEL is
 * one batch of element changes. Hairpin, localhost and masqAll
 * masquerading are sets keyed by the container. Mappings with
 * conditionsV4/V6 (arbitrary nft matches) cannot share a map and get rules
 * of their own in the chain "conditional". Every element and rule carries
 * the attachment's tag (net/tag.h): a DEL removes only its own, and GC
 * what no valid attachment owns.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/nftables.h"
#include "net/nftset.h"
#include "net/tag.h"
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
	"add map inet ccni_portmap mapped4 { type ipv4_addr : mark; }\n"
	"add map inet ccni_portmap mapped6 { type ipv6_addr : mark; }\n"
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

/* --- nftables backend ---------------------------------------------------------- */

static void attachment_tag(const struct ccni_request *req, char tag[TAG_MAX])
{
	tag_of(req->name, req->container_id, req->ifname, tag);
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
 * how many were written to out (room for PORTMAP_MAX + 5). */
static int elements(const struct portmap_conf *c, const struct ccni_ipnet *cip, const char *tag,
		    struct nftset_elem *out)
{
	static const char *const names[2][7] = {
		{ "dnat4", "dnat4ip", "hairpin4", "local4", "masqall4", "mapped4" },
		{ "dnat6", "dnat6ip", "hairpin6", "local6", "masqall6", "mapped6" },
	};
	uint32_t mapped = 0;
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
	/* how many host ports the address holds: a DEL told fewer (or other)
	 * mappings than ADD finds the rest by tag */
	mapped = (uint32_t)n;
	memset(&out[n], 0, sizeof(*out));
	out[n].set = nm[5];
	nftset_put_ip(&out[n].key, &cip->ip);
	memcpy(out[n].data.b, &mapped, sizeof(mapped));
	out[n].data.len = sizeof(mapped);
	out[n++].comment = tag;
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
	struct nftset_elem *el = calloc(2 * (PORTMAP_MAX + 5), sizeof(*el));

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
				      cm ? " (held by network, container, interface \"" : "", holder_len,
				      cm ? cm : "", cm ? "\")" : "");
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

int portmap_nft_add(const struct ccni_request *req, const struct portmap_conf *c,
		    struct ccni_error *err)
{
	_cleanup_free_ char *rules = malloc(SCRIPT_MAX);
	_cleanup_free_ struct nftset_elem *el = NULL;
	char tag[TAG_MAX];
	size_t off = 0;
	int n;
	struct ccni_error e = CCNI_ERROR_INIT;

	attachment_tag(req, tag);
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

/* The DNAT elements of els that are ours, counted per family into ours[],
 * the others dropped from els; the mappedV elements' counts into
 * recorded[] (-1: none of ours). 0, or -1 when a lookup failed. */
static int own_elements(struct nftset_elem *el, int *n, const char *tag, long ours[2],
			long recorded[2], struct ccni_error *err)
{
	for (int i = 0; i < *n; i++) {
		const char *set = el[i].set;
		bool dnat = strncmp(set, "dnat", 4) == 0, mapped = strncmp(set, "mapped", 6) == 0;
		int v6 = strchr(set, '6') != NULL;
		struct nftset_val data;
		char owner[TAG_MAX * 2];
		uint32_t count = 0;
		int rc;

		if (!dnat && !mapped)
			continue;
		rc = nftset_elem_get("ccni_portmap", set, &el[i].key, owner, sizeof(owner), &data, err);
		if (rc < 0)
			return -1;
		if (rc != 0 || !streq(owner, tag)) {
			el[i--] = el[--*n]; /* not ours, or gone: leave it */
			continue;
		}
		if (dnat)
			ours[v6]++;
		else if (data.len == sizeof(count))
			recorded[v6] = (memcpy(&count, data.b, sizeof(count)), count);
	}
	return 0;
}

int portmap_nft_del(const struct ccni_request *req, const struct portmap_conf *c,
		    struct ccni_error *err)
{
	_cleanup_free_ struct nftset_elem *el = NULL;
	long ours[2] = { 0, 0 }, recorded[2] = { -1, -1 };
	char tag[TAG_MAX];
	int n;

	attachment_tag(req, tag);
	/* Without the mappings and addresses, or with conditional rules, find
	 * what is ours by tag. */
	if (!c->n || (!c->cip4.ip.family && !c->cip6.ip.family) || *c->cond4 || *c->cond6)
		return nftables_del_by_tag("ccni_portmap", tag, err);
	el = all_elements(c, NULL, &n);
	if (!el)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	/* A host port is bound to one container: an element goes only when it
	 * carries this attachment's tag, never another's. */
	if (own_elements(el, &n, tag, ours, recorded, err) < 0)
		return -1;
	/* ADD mapped ports this DEL was not told of (other mappings, or only
	 * some), or something is gone already: take the careful path. */
	for (int v6 = 0; v6 < 2; v6++)
		if ((v6 ? c->cip6 : c->cip4).ip.family && recorded[v6] != ours[v6])
			return nftables_del_by_tag("ccni_portmap", tag, err);
	if (nftset_del_owned("ccni_portmap", el, n, tag, NULL, err) < 0)
		return ccni_error_prefix(err, "portmap");
	return 0;
}

static bool stale_comment(const char *comment, void *arg)
{
	const struct ccni_request *req = arg;

	return tag_is_stale(comment, req->name, req->valid_attachments);
}

int portmap_nft_gc(const struct ccni_request *req, struct ccni_error *err)
{
	if (nftables_del_where("inet", "ccni_portmap", stale_comment, (void *)req, err) < 0)
		return ccni_error_prefix(err, "portmap");
	return 0;
}

int portmap_nft_check(const struct portmap_conf *c, struct ccni_error *err)
{
	for (int fam = 0; fam < 2; fam++) {
		const struct ccni_ipnet *cip = fam ? &c->cip6 : &c->cip4;
		int v = fam ? 6 : 4;

		if (!cip->ip.family || *(fam ? c->cond6 : c->cond4))
			continue;
		for (int i = 0; i < c->n; i++) {
			const struct portmap_entry *e = &c->maps[i];
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
