/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portmap-ipt.c — the iptables backend, with the reference's chains so it
 * coexists with kube-proxy and with the reference's own rules: nat
 * PREROUTING/OUTPUT -> CNI-HOSTPORT-DNAT -> CNI-DN-<hash> per container;
 * CNI-HOSTPORT-SETMARK marks hairpin and localhost traffic, which
 * CNI-HOSTPORT-MASQ masquerades. One iptables-restore --noflush per address
 * family; the shared chains are made by a second call only the first time.
 */
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/sha512.h"
#include "net/iptables.h"
#include "plugins/meta/portmap/portmap.h"

#define IPT_MAX 32768

/* "CNI-DN-" and 21 hex digits: the reference's 28-character name */
static void dn_chain(const char *network, const char *id, char out[29])
{
	sha512_name("CNI-DN-", network, id, out, 29);
}

static const char *ports_of(const struct portmap_conf *c, int af, const char *proto, char *buf,
			    size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->n && off < len; i++)
		if (streq(c->maps[i].proto, proto) &&
		    (!c->maps[i].host_ip.family || c->maps[i].host_ip.family == af))
			off += (size_t)snprintf(buf + off, len - off, "%s%u", off ? "," : "",
						c->maps[i].host_port);
	return buf;
}

int portmap_ipt(const struct ccni_request *req, const struct portmap_conf *c, bool add,
		struct ccni_error *err)
{
	static const char *const protos[] = { "tcp", "udp", "sctp" };
	char chain[29], comment[320], mark[32];
	const char *setmark = c->external_mark_chain ? c->external_mark_chain : "CNI-HOSTPORT-SETMARK";

	dn_chain(req->name, req->container_id, chain);
	snprintf(comment, sizeof(comment), "name: \\\"%s\\\" id: \\\"%s\\\"", req->name,
		 req->container_id);
	snprintf(mark, sizeof(mark), "0x%x/0x%x", 1u << c->mark_bit, 1u << c->mark_bit);
	for (int fam = 0; fam < 2; fam++) {
		const struct ccni_ipnet *cip = fam ? &c->cip6 : &c->cip4;
		int af = fam ? AF_INET6 : AF_INET;
		_cleanup_free_ char *s = malloc(IPT_MAX);
		char a[CCNI_IP_STRLEN], net[CCNI_IPNET_STRLEN], ports[1024], hip[CCNI_IP_STRLEN + 8];
		struct ccni_ipnet nw;
		size_t off = 0;
		const char *cond = fam ? c->cond6 : c->cond4;

		if (!cip->ip.family || !c->n)
			continue;
		if (!s)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		nw = ccni_ipnet_network(cip);
		ccni_ip_format(&cip->ip, a);
		ccni_ipnet_format(&nw, net);
		off += (size_t)snprintf(s + off, IPT_MAX - off, "*nat\n");
		if (add)
			off += (size_t)snprintf(s + off, IPT_MAX - off, ":%s - [0:0]\n", chain);
		for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
			if (!*ports_of(c, af, protos[p], ports, sizeof(ports)))
				continue;
			off += (size_t)snprintf(s + off, IPT_MAX - off,
						"%s CNI-HOSTPORT-DNAT %s%s-p %s -m comment --comment \"%s\" "
						"-m multiport --destination-ports %s -j %s\n",
						add ? "-A" : "-D", cond, *cond ? " " : "", protos[p], comment,
						ports, chain);
		}
		for (int i = 0; add && i < c->n && off < IPT_MAX; i++) {
			const struct portmap_entry *e = &c->maps[i];

			if (e->host_ip.family && e->host_ip.family != af)
				continue;
			hip[0] = '\0';
			if (e->host_ip.family) {
				char t[CCNI_IP_STRLEN];

				snprintf(hip, sizeof(hip), "-d %s ", ccni_ip_format(&e->host_ip, t));
			}
			if (c->snat)
				off += (size_t)snprintf(s + off, IPT_MAX - off,
							"-A %s -p %s -s %s %s--dport %u -j %s\n"
							"-A %s -p %s -s %s %s--dport %u -j %s\n",
							chain, e->proto, net, hip, e->host_port, setmark, chain,
							e->proto, fam ? "::1" : "127.0.0.1", hip, e->host_port,
							setmark);
			if (c->masq_all)
				off += (size_t)snprintf(s + off, IPT_MAX - off,
							"-A %s -p %s %s--dport %u -j %s\n", chain, e->proto,
							hip, e->host_port, setmark);
			off += (size_t)snprintf(s + off, IPT_MAX - off,
						"-A %s -p %s %s--dport %u -j DNAT --to-destination %s%s%s:%u\n",
						chain, e->proto, hip, e->host_port, fam ? "[" : "", a,
						fam ? "]" : "", e->container_port);
		}
		if (!add)
			off += (size_t)snprintf(s + off, IPT_MAX - off, "-F %s\n-X %s\n", chain, chain);
		if (off + 8 >= IPT_MAX)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "portmap: too many mappings");
		snprintf(s + off, IPT_MAX - off, "COMMIT\n");
		if (iptables_restore(fam, s, err) == 0)
			continue;
		if (!add) {
			/* Some rule was gone already: remove what can be removed. */
			char retry[160];

			ccni_error_clear(err);
			snprintf(retry, sizeof(retry), "*nat\n-F %s\n-X %s\nCOMMIT\n", chain, chain);
			iptables_restore(fam, retry, err);
			ccni_error_clear(err);
			continue;
		}
		/* First use on this node: make the shared chains ("-N" fails when
		 * another ADD made them first, and then nothing is touched). */
		{
			char setup[1024];
			struct ccni_error e = CCNI_ERROR_INIT;

			ccni_error_clear(err);
			if (c->external_mark_chain)
				snprintf(setup, sizeof(setup),
					 "*nat\n-N CNI-HOSTPORT-DNAT\n"
					 "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"
					 "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\nCOMMIT\n");
			else
				snprintf(setup, sizeof(setup),
					 "*nat\n-N CNI-HOSTPORT-DNAT\n-N CNI-HOSTPORT-SETMARK\n-N CNI-HOSTPORT-MASQ\n"
					 "-A CNI-HOSTPORT-SETMARK -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark %s\n"
					 "-A CNI-HOSTPORT-MASQ -m mark --mark %s -j MASQUERADE\n"
					 "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"
					 "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"
					 "-A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ\n"
					 "COMMIT\n",
					 mark, mark);
			iptables_restore(fam, setup, &e);
			ccni_error_clear(&e);
			if (iptables_restore(fam, s, err) < 0)
				return ccni_error_prefix(err, "portmap");
		}
	}
	return 0;
}
