/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conntrack.c — forget UDP flows to given destination ports, through
 * ctnetlink (NETLINK_NETFILTER) with libnl's core only.
 *
 * A UDP flow that reached a host port before its mapping existed stays in
 * the conntrack table un-NATed and keeps matching every later datagram of
 * the same 5-tuple; portmap deletes such entries after adding the mapping,
 * as the reference does (flows the mapping already rewrote are kept: this
 * runs detached, after ADD). The kernel has no "delete by port" request, so
 * this dumps the family's table and deletes the matching entries by their
 * original tuple: the cost is proportional to the node's conntrack table,
 * paid only by ADDs that map UDP ports, and skipped when the namespace
 * tracks no flow at all (nf_conntrack_count, one read).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "net/conntrack.h"
#include "net/netlink.h"
#include "net/nftset.h"

#define CT_MAX_VICTIMS 4096

struct victims {
	const uint16_t *ports;
	int n_ports;
	int n;
	struct nlattr *tuples[CT_MAX_VICTIMS]; /* copies of CTA_TUPLE_ORIG */
};

static bool wanted(struct victims *v, struct nlattr *orig)
{
	struct nlattr *tb[CTA_TUPLE_MAX + 1], *pb[CTA_PROTO_MAX + 1];

	if (nla_parse_nested(tb, CTA_TUPLE_MAX, orig, NULL) < 0 || !tb[CTA_TUPLE_PROTO] ||
	    nla_parse_nested(pb, CTA_PROTO_MAX, tb[CTA_TUPLE_PROTO], NULL) < 0 ||
	    !pb[CTA_PROTO_NUM] || !pb[CTA_PROTO_DST_PORT] ||
	    nla_get_u8(pb[CTA_PROTO_NUM]) != IPPROTO_UDP)
		return false;
	for (int i = 0; i < v->n_ports; i++)
		if (ntohs(nla_get_u16(pb[CTA_PROTO_DST_PORT])) == v->ports[i])
			return true;
	return false;
}

static int on_entry(struct nlmsghdr *h, void *arg)
{
	struct victims *v = arg;
	struct nlattr *tb[CTA_MAX + 1];

	if (nlmsg_parse(h, sizeof(struct nfgenmsg), tb, CTA_MAX, NULL) < 0 ||
	    !tb[CTA_TUPLE_ORIG] || !wanted(v, tb[CTA_TUPLE_ORIG]) || v->n == CT_MAX_VICTIMS)
		return 0;
	/* A flow the new mapping already rewrote is not stale: the flush
	 * runs after ADD has returned, and must leave the container's first
	 * datagrams alone. */
	if (tb[CTA_STATUS] && (ntohl(nla_get_u32(tb[CTA_STATUS])) & IPS_DST_NAT))
		return 0;
	v->tuples[v->n] = malloc((size_t)nla_total_size(nla_len(tb[CTA_TUPLE_ORIG])));
	if (v->tuples[v->n]) {
		memcpy(v->tuples[v->n], tb[CTA_TUPLE_ORIG],
		       (size_t)nla_total_size(nla_len(tb[CTA_TUPLE_ORIG])));
		v->n++;
	}
	return 0;
}

static struct nl_msg *ct_msg(int type, int flags, int family)
{
	struct nfgenmsg g = { .nfgen_family = (uint8_t)family, .version = NFNETLINK_V0 };
	struct nl_msg *m = nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | type, flags);

	if (m && nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

/* Does this namespace track any flow? (no conntrack module: none) */
static bool tracking(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/net/netfilter/nf_conntrack_count", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n <= 0 || strtoul(buf, NULL, 10) != 0;
}

/* Delete the victims by their original tuple; one gone meanwhile (the
 * flow ended by itself) is fine. The count deleted, or -1. */
static int delete_victims(struct nl_sock *sk, int family, const struct victims *v,
			  struct ccni_error *err)
{
	struct netlink_answer ans;
	int deleted = 0, rc;

	for (int i = 0; i < v->n; i++) {
		struct nl_msg *m = ct_msg(IPCTNL_MSG_CT_DELETE, 0, family);

		if (!m || nla_put(m, CTA_TUPLE_ORIG | NLA_F_NESTED, nla_len(v->tuples[i]),
				  nla_data(v->tuples[i])) < 0) {
			nlmsg_free(m);
			return netlink_nomem(err, "conntrack");
		}
		rc = netlink_talk(sk, m, NULL, NULL, &ans);
		if (rc == 0)
			deleted++;
		else if (rc != -ENOENT)
			return netlink_error(err, &ans, "conntrack: delete a stale flow");
	}
	return deleted;
}

int conntrack_flush_udp_dports(int family, const uint16_t *ports, int n_ports, struct ccni_error *err)
{
	struct nl_sock *sk;
	struct nl_msg *m;
	struct victims *v;
	struct netlink_answer ans;
	int rc;

	if (n_ports <= 0 || !tracking())
		return 0;
	sk = nl_socket_alloc();
	v = calloc(1, sizeof(*v));
	if (!sk || !v) {
		nl_socket_free(sk);
		free(v);
		return netlink_nomem(err, "conntrack");
	}
	v->ports = ports;
	v->n_ports = n_ports;
	if (nl_connect(sk, NETLINK_NETFILTER) < 0)
		rc = ccni_error_errno(err, CCNI_ERR_NETLINK, errno, "conntrack: netlink socket");
	else if (!(m = ct_msg(IPCTNL_MSG_CT_GET, NLM_F_DUMP, family)))
		rc = netlink_nomem(err, "conntrack");
	else if (netlink_talk(sk, m, on_entry, v, &ans) < 0)
		rc = netlink_error(err, &ans, "conntrack: list the flows");
	else
		rc = delete_victims(sk, family, v, err);
	for (int i = 0; i < v->n; i++)
		free(v->tuples[i]);
	free(v);
	/* the socket's last close goes to the keeper (see nftset_close) */
	nftset_close(dup(nl_socket_get_fd(sk)));
	nl_socket_free(sk);
	return rc;
}
