/* SPDX-License-Identifier: Apache-2.0 */
/* link-ipvlan.c — see link-ipvlan.h. */
#include <linux/if_link.h>

#include <netlink/attr.h>

#include "lib/common/cleanup.h"
#include "net/link-ipvlan.h"
#include "net/netlink.h"

static const char *const modes[] = {
	[IPVLAN_MODE_L2] = "l2",
	[IPVLAN_MODE_L3] = "l3",
	[IPVLAN_MODE_L3S] = "l3s",
};

int link_ipvlan_mode_parse(const char *s, uint16_t *mode)
{
	for (uint16_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (streq(s, modes[i])) {
			*mode = i;
			return 0;
		}
	return -1;
}

const char *link_ipvlan_mode_name(uint16_t mode)
{
	return mode < ARRAY_SIZE(modes) ? modes[mode] : NULL;
}

int link_ipvlan_put_data(struct nl_msg *msg, const void *data)
{
	return nla_put_u16(msg, IFLA_IPVLAN_MODE, *(const uint16_t *)data);
}

static void read_data(const struct nlattr *data, void *arg)
{
	struct nlattr *tb[IFLA_IPVLAN_MAX + 1];

	if (data && nla_parse_nested(tb, IFLA_IPVLAN_MAX, (struct nlattr *)data, NULL) == 0 &&
	    tb[IFLA_IPVLAN_MODE])
		*(uint16_t *)arg = nla_get_u16(tb[IFLA_IPVLAN_MODE]);
}

int link_ipvlan_get(struct nl_sock *sk, int ifindex, uint16_t *mode, struct ccni_error *err)
{
	*mode = UINT16_MAX;
	return link_get_kind_data(sk, ifindex, "ipvlan", read_data, mode, err);
}
