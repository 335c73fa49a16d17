/* SPDX-License-Identifier: Apache-2.0 */
/* link-bridge.c — see link-bridge.h. */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "net/link-bridge.h"
#include "net/netlink.h"

static int put_vlan_filtering(struct nl_msg *msg, const void *data)
{
	(void)data;
	return nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1);
}

static int bridge_create(struct nl_sock *sk, const char *name, const struct link_bridge_opts *o,
			 struct ccni_error *err)
{
	struct link_spec s = { .name = name, .kind = "bridge", .mtu = o->mtu };

	if (o->vlan_filtering)
		s.put_data = put_vlan_filtering;
	if (link_create(sk, &s, err) == 0)
		return 0;
	if (err->errnum == EEXIST) {
		ccni_error_clear(err);
		return 0;
	}
	if (err->errnum == EOPNOTSUPP && o->vlan_filtering)
		ccni_error_prefix(err, "vlan/vlanTrunk need a kernel with VLAN-filtering bridges "
				       "(CONFIG_BRIDGE_VLAN_FILTERING)");
	return -1;
}

int link_bridge_ensure(struct nl_sock *sk, const char *name, const struct link_bridge_opts *o,
		       struct link *out, struct ccni_error *err)
{
	int rc = link_get(sk, name, 0, out, err);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		if (bridge_create(sk, name, o, err) < 0)
			return -1;
		rc = link_get(sk, name, 0, out, err);
		if (rc != 0)
			return rc < 0 ? -1 :
			       ccni_error_set(err, CCNI_ERR_NETLINK, "bridge %s: gone after its creation",
					      name);
	}
	if (strcmp(out->kind, "bridge") != 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "bridge: \"%s\" already exists and is not a bridge (it is a %s "
				      "link)",
				      name, out->kind[0] ? out->kind : "plain");
	if (o->promisc && !(out->flags & IFF_PROMISC) &&
	    link_set(sk, out->ifindex, &(struct link_change){ .flags_on = IFF_PROMISC }, err) < 0)
		return -1;
	if (!(out->flags & IFF_UP)) {
		if (link_set_up(sk, out->ifindex, true, err) < 0)
			return -1;
		out->flags |= IFF_UP;
	}
	return 0;
}

int link_bridge_port_set(struct nl_sock *sk, int ifindex, int hairpin, int isolated,
			 struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	char name[LINK_NAME_MAX];
	struct nlattr *p;

	if (hairpin < 0 && isolated < 0)
		return 0;
	msg = netlink_msg(RTM_SETLINK, 0, &ifi, sizeof(ifi));
	if (!msg || !(p = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    (hairpin >= 0 && nla_put_u8(msg, IFLA_BRPORT_MODE, (uint8_t)hairpin) < 0) ||
	    (isolated >= 0 && nla_put_u8(msg, IFLA_BRPORT_ISOLATED, (uint8_t)isolated) < 0))
		return netlink_nomem(err, "bridge port");
	nla_nest_end(msg, p);
	return netlink_request(sk, TAKE_PTR(msg), 0, err, "bridge port %s: set hairpin/isolation",
			       link_name(sk, ifindex, name));
}

struct nl_msg *link_bridge_vlan_msg(int ifindex, const struct link_bridge_vlan *v, bool del)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
		netlink_msg(del ? RTM_DELLINK : RTM_SETLINK, 0, &ifi, sizeof(ifi));
	struct bridge_vlan_info vi = { .vid = v->vid_start };
	struct nlattr *spec;

	vi.flags = (v->pvid ? BRIDGE_VLAN_INFO_PVID : 0) |
		   (v->untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
	if (!msg || !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
	    (v->self && nla_put_u16(msg, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF) < 0))
		return NULL;
	if (v->vid_end > v->vid_start) {
		/* A range is two entries: its first VLAN and its last. */
		vi.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
		if (nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi) < 0)
			return NULL;
		vi.vid = v->vid_end;
		vi.flags = (uint16_t)((vi.flags & ~BRIDGE_VLAN_INFO_RANGE_BEGIN) |
				      BRIDGE_VLAN_INFO_RANGE_END);
	}
	if (nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi) < 0)
		return NULL;
	nla_nest_end(msg, spec);
	return TAKE_PTR(msg);
}

int link_bridge_vlan_set(struct nl_sock *sk, int ifindex, const struct link_bridge_vlan *v,
			 bool del, struct ccni_error *err)
{
	struct nl_msg *msg = link_bridge_vlan_msg(ifindex, v, del);
	struct netlink_answer ans;
	char name[LINK_NAME_MAX];
	int rc;

	if (!msg)
		return netlink_nomem(err, "bridge vlan");
	rc = netlink_talk(sk, msg, NULL, NULL, &ans);
	if (rc == 0 || (del && (rc == -ENOENT || rc == -EADDRNOTAVAIL)))
		return 0;
	return netlink_error(err, &ans, "bridge vlan %u-%u on %s: %s", v->vid_start, v->vid_end,
			     link_name(sk, ifindex, name), del ? "delete" : "add");
}
