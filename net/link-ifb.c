/* SPDX-License-Identifier: Apache-2.0 */
/* link-ifb.c — see link-ifb.h. */
#include <linux/if.h>

#include "net/link-ifb.h"

int link_ifb_create(struct nl_sock *sk, const char *name, unsigned mtu, uint32_t group,
		    const char *alias, struct link *out, struct ccni_error *err)
{
	struct link_spec s = { .name = name, .kind = "ifb", .mtu = mtu, .flags = IFF_UP,
			       .set_txqlen = true, .txqlen = 0, .group = group };
	int rc;

	if (link_create(sk, &s, err) < 0)
		return -1;
	rc = link_get(sk, name, 0, out, err);
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "ifb link %s: gone after its creation",
				      name);
	if (rc == 0 && alias &&
	    link_set(sk, out->ifindex, &(struct link_change){ .alias = alias }, err) < 0) {
		struct ccni_error e = CCNI_ERROR_INIT;

		link_del(sk, out->ifindex, &e); /* made, but not as asked: it goes again */
		ccni_error_clear(&e);
		return -1;
	}
	return rc;
}
