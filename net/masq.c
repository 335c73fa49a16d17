/* SPDX-License-Identifier: Apache-2.0 */
/*
 * masq.c — ipMasq and macspoofchk on nftables sets. The tables and their
 * few rules are made once per node; each attachment is then a handful of
 * set elements added or removed in one atomic batch, so the cost of an ADD
 * or DEL, and of every packet, does not grow with the number of containers.
 *
 *   table inet ccni_masq: postrouting (srcnat)
 *     ip saddr . ip daddr @local4 return      container -> its own subnet
 *     ip daddr 224.0.0.0/4 return             multicast
 *     ip saddr @src4 masquerade               container -> elsewhere
 *     (and the same for IPv6 with ff00::/8)
 *   table bridge ccni_spoof: prerouting
 *     iifname @ports iifname . ether saddr != @allowed drop
 */
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/kernel.h"

#define SCRIPT_MAX 8192

static const char masq_setup[] =
	"create table inet ccni_masq { comment \"ccni: ipMasq for bridge and ptp networks\"; }\n"
	"add set inet ccni_masq src4 { type ipv4_addr; }\n"
	"add set inet ccni_masq src6 { type ipv6_addr; }\n"
	"add set inet ccni_masq local4 { type ipv4_addr . ipv4_addr; flags interval; }\n"
	"add set inet ccni_masq local6 { type ipv6_addr . ipv6_addr; flags interval; }\n"
	"add chain inet ccni_masq postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"add rule inet ccni_masq postrouting ip saddr . ip daddr @local4 return\n"
	"add rule inet ccni_masq postrouting ip daddr 224.0.0.0/4 return\n"
	"add rule inet ccni_masq postrouting ip saddr @src4 masquerade\n"
	"add rule inet ccni_masq postrouting ip6 saddr . ip6 daddr @local6 return\n"
	"add rule inet ccni_masq postrouting ip6 daddr ff00::/8 return\n"
	"add rule inet ccni_masq postrouting ip6 saddr @src6 masquerade\n";

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

static void safe_tag(const char *tag, char *out, size_t len)
{
	size_t i = 0;

	for (; tag && *tag && i + 1 < len; tag++)
		out[i++] = (*tag == '"' || *tag == '\\' || *tag == '\n') ? '_' : *tag;
	out[i] = '\0';
}

static int masq_script(const struct ccni_ipnet *addrs, int n, const char *verb, const char *tag,
		       char *buf, size_t len)
{
	size_t off = 0;
	char c[160] = "";

	if (tag) {
		char t[120];

		safe_tag(tag, t, sizeof(t));
		snprintf(c, sizeof(c), " comment \"%s\"", t);
	}
	for (int i = 0; i < n && off < len; i++) {
		char a[CCNI_IP_STRLEN], net[CCNI_IPNET_STRLEN];
		struct ccni_ipnet nw = ccni_ipnet_network(&addrs[i]);
		int v = addrs[i].ip.family == AF_INET6 ? 6 : 4;

		ccni_ip_format(&addrs[i].ip, a);
		ccni_ipnet_format(&nw, net);
		off += (size_t)snprintf(buf + off, len - off,
					"%s element inet ccni_masq src%d { %s%s }\n"
					"%s element inet ccni_masq local%d { %s . %s%s }\n",
					verb, v, a, c, verb, v, a, net, c);
	}
	return off < len ? 0 : -1;
}

int kmasq_add(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err)
{
	char script[SCRIPT_MAX];

	if (n == 0)
		return 0;
	if (masq_script(addrs, n, "add", tag, script, sizeof(script)) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: too many addresses");
	if (with_table(masq_setup, script, err) < 0)
		return ccni_error_prefix(err, "ipMasq");
	return 0;
}

int kmasq_del(const struct ccni_ipnet *addrs, int n, struct ccni_error *err)
{
	char script[SCRIPT_MAX];

	if (n == 0)
		return 0;
	if (masq_script(addrs, n, "delete", NULL, script, sizeof(script)) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "ipMasq: too many addresses");
	return delete_each(script);
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
