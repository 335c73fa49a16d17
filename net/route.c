/* SPDX-License-Identifier: Apache-2.0 */
/* route.c — see route.h. */
#include <errno.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/route/route.h>

#include "net/route.h"

int kroute_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		      struct ccni_error *err)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct ccni_ipnet n = ccni_ipnet_network(dst);
	struct nl_addr *a = nl_addr_build(dst->ip.family, n.ip.addr, ccni_ip_len(&n.ip));
	char b[CCNI_IPNET_STRLEN];
	int rc;

	if (!rt || !nh || !a) {
		if (rt)
			rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		if (a)
			nl_addr_put(a);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	nl_addr_set_prefixlen(a, n.prefix);
	rtnl_route_set_family(rt, dst->ip.family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_UNSPEC);
	rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	rtnl_route_set_dst(rt, a);
	nl_addr_put(a);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	rc = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "delete route %s: %s",
				      ccni_ipnet_format(&n, b), nl_geterror(rc));
	return 0;
}
