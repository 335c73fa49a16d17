/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipmasq.c — ipMasq on nftables sets. The table and its few rules are made
 * once per node; each attachment is then a handful of set elements added or
 * removed in one atomic batch, so the cost of an ADD or DEL, and of every
 * packet, does not grow with the number of containers.
 *
 *   table inet ccni_masq: postrouting (srcnat)
 *     ip saddr vmap @src4                     container address -> its chain
 *   chain m4_LEN (one per prefix length in use)
 *     ip daddr & MASK . ip saddr @m4_LEN return    -> its own subnet
 *     ip daddr 224.0.0.0/4 return                  multicast
 *     masquerade                                   elsewhere
 *     (and the same for IPv6 with ff00::/8)
 *
 * A set of (address . subnet) intervals would need no chain per prefix
 * length, but nftables rebuilds interval sets of concatenations on every
 * change, at a cost growing with their size; these are all hash lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/iptables.h"
#include "net/ipmasq.h"
#include "net/nftables.h"
#include "net/nftset.h"
#include "net/tag.h"

static const char masq_setup[] =
	"create table inet ccni_masq { comment \"ccni: ipMasq for bridge and ptp networks\"; }\n"
	"add map inet ccni_masq src4 { type ipv4_addr : verdict; }\n"
	"add map inet ccni_masq src6 { type ipv6_addr : verdict; }\n"
	"add chain inet ccni_masq postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"add rule inet ccni_masq postrouting ip saddr vmap @src4\n"
	"add rule inet ccni_masq postrouting ip6 saddr vmap @src6\n";

/* The chain and set of one prefix length, "m4_24" or "m6_64". */
static const char *plen_name(const struct ccni_ipnet *a)
{
	static char names[2][129][8];
	int v6 = a->ip.family == AF_INET6;
	char *n = names[v6][a->prefix];

	if (!*n)
		snprintf(n, sizeof(names[0][0]), "m%d_%u", v6 ? 6 : 4, (unsigned)a->prefix);
	return n;
}

/* Made once per node and prefix length; a racing ADD doing the same ends
 * with the same rules. */
static int plen_setup(const struct ccni_ipnet *a, struct ccni_error *err)
{
	int v6 = a->ip.family == AF_INET6;
	struct ccni_ip mask = ccni_ip_mask(a->ip.family, a->prefix);
	const char *nm = plen_name(a), *ip = v6 ? "ip6" : "ip", *t = v6 ? "ipv6_addr" : "ipv4_addr";
	char m[CCNI_IP_STRLEN], script[768];

	snprintf(script, sizeof(script),
		 "add set inet ccni_masq %s { type %s . %s; }\n"
		 "add chain inet ccni_masq %s\n"
		 "flush chain inet ccni_masq %s\n"
		 "add rule inet ccni_masq %s %s daddr & %s . %s saddr @%s return\n"
		 "add rule inet ccni_masq %s %s daddr %s return\n"
		 "add rule inet ccni_masq %s masquerade\n",
		 nm, t, t, nm, nm, nm, ip, ccni_ip_format(&mask, m), ip, nm, nm, ip,
		 v6 ? "ff00::/8" : "224.0.0.0/4", nm);
	return nftables_run(script, false, err);
}

/* The elements of addrs: in srcV the address jumping to its prefix
 * length's chain, in that chain's set (network . address). out has room
 * for 2 * n. */
static int masq_elements(const struct ccni_ipnet *addrs, int n, const char *tag,
			 struct nftset_elem *out)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		int v6 = addrs[i].ip.family == AF_INET6;
		struct ccni_ipnet nw = ccni_ipnet_network(&addrs[i]);

		memset(&out[k], 0, 2 * sizeof(*out));
		out[k].set = v6 ? "src6" : "src4";
		nftset_put_ip(&out[k].key, &addrs[i].ip);
		out[k].jump = plen_name(&addrs[i]);
		out[k++].comment = tag;
		out[k].set = plen_name(&addrs[i]);
		nftset_put_ip(&out[k].key, &nw.ip);
		nftset_put_ip(&out[k].key, &addrs[i].ip);
		out[k++].comment = tag;
	}
	return k;
}

struct masq_setup_job {
	const struct ccni_ipnet *addrs;
	int n;
};

/* The table (once per node) and a chain per prefix length in use. */
static int masq_setup_run(void *arg, struct ccni_error *err)
{
	const struct masq_setup_job *j = arg;
	struct ccni_error e = CCNI_ERROR_INIT;

	nftables_run(masq_setup, false, &e); /* EEXIST when another ADD made it first */
	ccni_error_clear(&e);
	for (int i = 0; i < j->n; i++)
		if (plen_setup(&j->addrs[i], err) < 0)
			return -1;
	return 0;
}

/* The elements go in with one netlink batch (no libnftables on this path);
 * the table is made on first use, through libnftables. */
int ipmasq_add(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err)
{
	_cleanup_free_ struct nftset_elem *el = NULL;
	struct masq_setup_job job = { addrs, n };
	int k;

	if (n <= 0)
		return 0;
	if (!(el = calloc(2 * (size_t)n, sizeof(*el))))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: out of memory");
	k = masq_elements(addrs, n, tag, el);
	if (nftset_add_ensuring(NFPROTO_INET, "ccni_masq", el, k, masq_setup_run, &job, err) < 0)
		return ccni_error_prefix(err, "ipMasq");
	return 0;
}

/* Only the attachment's own elements go: an address may belong to another
 * attachment by now (a retried DEL). Missing elements (or table) are fine.
 * Without the addresses, the elements are found by tag (a listing). */
int ipmasq_del(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err)
{
	_cleanup_free_ struct nftset_elem *el = NULL;
	int k;

	if (n <= 0)
		return nftables_del_by_tag("ccni_masq", tag, err);
	if (!(el = calloc(2 * (size_t)n, sizeof(*el))))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: out of memory");
	k = masq_elements(addrs, n, NULL, el);
	if (nftset_del_owned("ccni_masq", el, k, tag, NULL, err) < 0)
		return ccni_error_prefix(err, "ipMasq");
	return 0;
}

int ipmasq_apply(bool add, const char *backend, const struct ccni_ipnet *addrs, int n,
		 const char *network, const char *container_id, const char *ifname,
		 struct ccni_error *err)
{
	_cleanup_free_ struct ccni_ipnet *a = calloc((size_t)(n > 0 ? n : 1), sizeof(*a));
	bool iptables = backend && strcmp(backend, "iptables") == 0;
	char tag[TAG_MAX];
	int k = 0;

	if (!a)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: out of memory");
	for (int i = 0; i < n; i++)
		if (!ccni_ip_is_link_local6(&addrs[i].ip))
			a[k++] = addrs[i];
	tag_of(network, container_id, ifname, tag);
	/* a DEL that knows no address still finds its elements by tag */
	if (!add && !iptables)
		return n > 0 && k == 0 ? 0 : ipmasq_del(a, k, tag, err);
	if (k == 0)
		return 0;
	if (iptables)
		return iptables_masq(add, a, k, network, container_id, err);
	return ipmasq_add(a, k, tag, err);
}

int ipmasq_check(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err)
{
	_cleanup_free_ struct nftset_elem *el = calloc(2 * (size_t)(n > 0 ? n : 1), sizeof(*el));
	int k;

	if (!el)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: out of memory");
	k = masq_elements(addrs, n, NULL, el);
	for (int i = 0; i < k; i++) {
		char owner[256], a[CCNI_IP_STRLEN];
		int rc = nftset_elem_get("ccni_masq", el[i].set, &el[i].key, owner, sizeof(owner),
					 NULL, err);

		ccni_ip_format(&addrs[i / 2].ip, a);
		if (rc < 0)
			return ccni_error_prefix(err, "ipMasq");
		if (rc > 0)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "ipMasq: %s is not masqueraded (no element in set %s of "
					      "table inet ccni_masq)",
					      a, el[i].set);
		if (strcmp(owner, tag) != 0)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "ipMasq: the element of %s in set %s belongs to \"%.128s\", "
					      "not \"%s\"",
					      a, el[i].set, owner, tag);
	}
	return 0;
}
