/* SPDX-License-Identifier: Apache-2.0 */
/*
 * masq.c — ipMasq and macspoofchk on nftables sets. The tables and their
 * few rules are made once per node; each attachment is then a handful of
 * set elements added or removed in one atomic batch, so the cost of an ADD
 * or DEL, and of every packet, does not grow with the number of containers.
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
 *   table bridge ccni_spoof: prerouting
 *     iifname @ports iifname . ether saddr != @allowed drop
 */
#include <errno.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/kernel.h"
#include "net/nftset.h"

#define KMASQ_MAX 16 /* addresses of one attachment */

#define SCRIPT_MAX 8192

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
	return knft_run(script, false, err);
}

static const char spoof_setup[] =
	"create table bridge ccni_spoof { comment \"ccni: macspoofchk\"; }\n"
	"add map bridge ccni_spoof ports { type ifname : verdict; }\n"
	"add chain bridge ccni_spoof prerouting { type filter hook prerouting priority -300; policy accept; }\n"
	"add rule bridge ccni_spoof prerouting iifname vmap @ports\n";

/* Run the element batch; when the table is missing, make it (a racing
 * creator wins harmlessly: "create table" fails and the batch with it) and
 * try again. */
static int with_table(const char *setup, const char *script, struct ccni_error *err)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (knft_run(script, false, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	knft_run(setup, false, &e); /* EEXIST when another ADD made it first */
	ccni_error_clear(&e);
	return knft_run(script, false, err);
}

/* Delete elements one batch at a time; missing ones are fine. */
static int delete_each(char *script)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char *save = NULL;

	if (knft_run(script, true, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	for (char *line = strtok_r(script, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		knft_run(line, true, &e);
		ccni_error_clear(&e);
	}
	return 0;
}

/* The elements of addrs: in srcV the address jumping to its prefix
 * length's chain, in that chain's set (network . address). out has room
 * for 2 * n. */
static int masq_elements(const struct ccni_ipnet *addrs, int n, const char *tag,
			 struct knft_elem *out)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		int v6 = addrs[i].ip.family == AF_INET6;
		struct ccni_ipnet nw = ccni_ipnet_network(&addrs[i]);

		memset(&out[k], 0, 2 * sizeof(*out));
		out[k].set = v6 ? "src6" : "src4";
		knft_put_ip(&out[k].key, &addrs[i].ip);
		out[k].jump = plen_name(&addrs[i]);
		out[k++].comment = tag;
		out[k].set = plen_name(&addrs[i]);
		knft_put_ip(&out[k].key, &nw.ip);
		knft_put_ip(&out[k].key, &addrs[i].ip);
		out[k++].comment = tag;
	}
	return k;
}

/* The elements go in with one netlink batch (no libnftables on this path);
 * the table is made on first use, through libnftables. */
int kmasq_add(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err)
{
	struct knft_elem el[2 * KMASQ_MAX];
	struct ccni_error e = CCNI_ERROR_INIT;
	int k, kerr;

	if (n == 0)
		return 0;
	if (n > KMASQ_MAX)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: too many addresses");
	k = masq_elements(addrs, n, tag, el);
	if (knft_elems(NFPROTO_INET, "ccni_masq", true, el, k, &kerr, &e) == 0)
		return 0;
	if (kerr != ENOENT) {
		ccni_error_move(err, &e);
		return ccni_error_prefix(err, "ipMasq");
	}
	ccni_error_clear(&e);
	knft_run(masq_setup, false, &e); /* EEXIST when another ADD made it first */
	ccni_error_clear(&e);
	for (int i = 0; i < n; i++)
		if (plen_setup(&addrs[i], err) < 0)
			return ccni_error_prefix(err, "ipMasq");
	if (knft_elems(NFPROTO_INET, "ccni_masq", true, el, k, NULL, err) < 0)
		return ccni_error_prefix(err, "ipMasq");
	return 0;
}

/* Missing elements (or table) are fine: then each is deleted on its own. */
int kmasq_del(const struct ccni_ipnet *addrs, int n, struct ccni_error *err)
{
	struct knft_elem el[2 * KMASQ_MAX];
	struct ccni_error e = CCNI_ERROR_INIT;
	int k;

	(void)err;
	if (n == 0)
		return 0;
	k = masq_elements(addrs, n > KMASQ_MAX ? KMASQ_MAX : n, NULL, el);
	if (knft_elems(NFPROTO_INET, "ccni_masq", false, el, k, NULL, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	for (int i = 0; i < k; i++) {
		knft_elems(NFPROTO_INET, "ccni_masq", false, &el[i], 1, NULL, &e);
		ccni_error_clear(&e);
	}
	return 0;
}

int kmasq(bool add, const char *backend, const struct ccni_ipnet *addrs, int n,
	  const char *network, const char *container_id, const char *ifname,
	  struct ccni_error *err)
{
	struct ccni_ipnet a[KMASQ_MAX];
	char tag[160];
	int k = 0;

	for (int i = 0; i < n && k < KMASQ_MAX; i++)
		if (!ccni_ip_is_link_local6(&addrs[i].ip))
			a[k++] = addrs[i];
	if (k == 0)
		return 0;
	if (backend && strcmp(backend, "iptables") == 0)
		return kipt_masq(add, a, k, network, container_id, err);
	if (!add)
		return kmasq_del(a, k, err);
	snprintf(tag, sizeof(tag), "%s %s %s", network, container_id, ifname);
	return kmasq_add(a, k, tag, err);
}

/* One chain per checked port, reached through the "ports" verdict map by
 * the port's name: DEL needs only the name, whatever the MAC is by then. */
int kspoof_add(const char *ifname, const uint8_t mac[6], struct ccni_error *err)
{
	char script[512], m[18];

	ccni_mac_format(mac, m);
	snprintf(script, sizeof(script),
		 "add chain bridge ccni_spoof port-%s\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "add rule bridge ccni_spoof port-%s ether saddr != %s drop\n"
		 "add element bridge ccni_spoof ports { \"%s\" : jump port-%s }\n",
		 ifname, ifname, ifname, m, ifname, ifname);
	if (with_table(spoof_setup, script, err) < 0)
		return ccni_error_prefix(err, "macspoofchk");
	return 0;
}

int kspoof_del(const char *ifname, struct ccni_error *err)
{
	char script[512];

	(void)err;
	snprintf(script, sizeof(script),
		 "delete element bridge ccni_spoof ports { \"%s\" }\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "delete chain bridge ccni_spoof port-%s\n",
		 ifname, ifname, ifname);
	return delete_each(script);
}
