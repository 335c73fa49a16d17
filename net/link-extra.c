/* SPDX-License-Identifier: Apache-2.0 */
/* link-extra.c — all-multicast flag and transmit queue length of a link. */
#include <linux/if.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "net/link-extra.h"

static int change(struct nl_sock *sk, struct rtnl_link *c, const char *what, int ifindex,
		  struct ccni_error *err)
{
	int rc = rtnl_link_change(sk, c, c, 0);

	rtnl_link_put(c);
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "link %d: %s: %s", ifindex, what,
				      nl_geterror(rc));
	return 0;
}

static struct rtnl_link *changer(int ifindex)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (c)
		rtnl_link_set_ifindex(c, ifindex);
	return c;
}

int klink_set_allmulti(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (on)
		rtnl_link_set_flags(c, IFF_ALLMULTI);
	else
		rtnl_link_unset_flags(c, IFF_ALLMULTI);
	return change(sk, c, "set allmulticast", ifindex, err);
}

int klink_set_txqlen(struct nl_sock *sk, int ifindex, unsigned qlen, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rtnl_link_set_txqlen(c, qlen);
	return change(sk, c, "set txqueuelen", ifindex, err);
}

int klink_get_txqlen(struct nl_sock *sk, int ifindex, unsigned *qlen, struct ccni_error *err)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, ifindex, NULL, &l);

	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV || (rc >= 0 && !l))
		return 1;
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "link %d: %s", ifindex,
				      nl_geterror(rc));
	*qlen = rtnl_link_get_txqlen(l);
	rtnl_link_put(l);
	return 0;
}
