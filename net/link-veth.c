/* SPDX-License-Identifier: Apache-2.0 */
/* link-veth.c — see link-veth.h. The peer is a whole link description
 * nested in the first one's IFLA_INFO_DATA, as `ip link add type veth
 * peer ...` sends it. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>

#include "net/link-veth.h"
#include "net/netlink.h"

static int put_peer(struct nl_msg *msg, const void *data)
{
	const struct link_spec *peer = data;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *nest = nla_nest_start(msg, VETH_INFO_PEER);

	if (!nest || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    link_put_common(msg, peer) < 0)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int link_veth_create(struct nl_sock *sk, const char *host_name, const char *peer_name,
		     int peer_nsfd, unsigned mtu, const uint8_t *peer_mac,
		     char host_out[LINK_NAME_MAX], struct ccni_error *err)
{
	struct link_spec peer = { .name = peer_name, .netns_fd = peer_nsfd, .mtu = mtu,
				  .mac = peer_mac };
	struct link_spec host = { .kind = "veth", .mtu = mtu, .put_data = put_peer, .data = &peer };
	char name[LINK_NAME_MAX];
	struct nl_msg *msg;

	for (int attempt = 0;; attempt++) {
		if (host_name)
			snprintf(name, sizeof(name), "%s", host_name);
		else
			link_random_name("veth", name);
		host.name = name;
		msg = link_create_msg(&host);
		if (!msg)
			return netlink_nomem(err, "veth create");
		if (netlink_request(sk, msg, 0, err, "veth %s (peer %s): create", name, peer_name) == 0)
			break;
		/* A random name taken (or the peer's name in its namespace):
		 * retry a few times, then report. */
		if (err->errnum != EEXIST || host_name || attempt == 3)
			return -1;
		ccni_error_clear(err);
	}
	snprintf(host_out, LINK_NAME_MAX, "%s", name);
	return 0;
}

int link_veth_into(struct nl_sock *host, struct nl_sock *ct, int nsfd, const char *peer_name,
		   unsigned mtu, const uint8_t *peer_mac, struct link *host_end, struct link *peer,
		   struct ccni_error *err)
{
	char name[LINK_NAME_MAX];

	if (link_veth_create(host, NULL, peer_name, nsfd, mtu, peer_mac, name, err) < 0)
		return -1;
	snprintf(host_end->name, sizeof(host_end->name), "%s", name);
	if (link_get(host, name, 0, host_end, err) != 0 || link_get(ct, peer_name, 0, peer, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "veth %s: not found after creation",
				      name);
	return 0;
}
