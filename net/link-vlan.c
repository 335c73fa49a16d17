/* SPDX-License-Identifier: Apache-2.0 */
/* link-vlan.c — see link-vlan.h. */
#include <linux/if_link.h>

#include <netlink/attr.h>

#include "lib/common/cleanup.h"
#include "net/link-vlan.h"
#include "net/netlink.h"

int link_vlan_put_data(struct nl_msg *msg, const void *data)
{
	return nla_put_u16(msg, IFLA_VLAN_ID, *(const uint16_t *)data);
}

static void read_data(const struct nlattr *data, void *arg)
{
	struct nlattr *tb[IFLA_VLAN_MAX + 1];

	if (data && nla_parse_nested(tb, IFLA_VLAN_MAX, (struct nlattr *)data, NULL) == 0 &&
	    tb[IFLA_VLAN_ID])
		*(uint16_t *)arg = nla_get_u16(tb[IFLA_VLAN_ID]);
}

int link_vlan_get(struct nl_sock *sk, int ifindex, uint16_t *id, struct ccni_error *err)
{
	*id = UINT16_MAX;
	return link_get_kind_data(sk, ifindex, "vlan", read_data, id, err);
}
