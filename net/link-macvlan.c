/* SPDX-License-Identifier: Apache-2.0 */
/* link-macvlan.c — see link-macvlan.h. */
#include <linux/if_link.h>
#include <string.h>

#include <netlink/attr.h>

#include "lib/common/cleanup.h"
#include "net/link-macvlan.h"
#include "net/netlink.h"

static const struct {
	const char *name;
	uint32_t mode;
} modes[] = {
	{ "bridge", MACVLAN_MODE_BRIDGE },
	{ "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA },
	{ "passthru", MACVLAN_MODE_PASSTHRU },
};

int link_macvlan_mode_parse(const char *s, uint32_t *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (streq(s, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	return -1;
}

const char *link_macvlan_mode_name(uint32_t mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return NULL;
}

int link_macvlan_put_data(struct nl_msg *msg, const void *data)
{
	const struct link_macvlan *m = data;

	if (nla_put_u32(msg, IFLA_MACVLAN_MODE, m->mode) < 0 ||
	    (m->set_bcqueuelen && nla_put_u32(msg, IFLA_MACVLAN_BC_QUEUE_LEN, m->bcqueuelen) < 0))
		return -1;
	return 0;
}

static void read_data(const struct nlattr *data, void *arg)
{
	struct link_macvlan *m = arg;
	struct nlattr *tb[IFLA_MACVLAN_MAX + 1];

	if (!data || nla_parse_nested(tb, IFLA_MACVLAN_MAX, (struct nlattr *)data, NULL) < 0)
		return;
	if (tb[IFLA_MACVLAN_MODE])
		m->mode = nla_get_u32(tb[IFLA_MACVLAN_MODE]);
	if (tb[IFLA_MACVLAN_BC_QUEUE_LEN]) {
		m->set_bcqueuelen = true;
		m->bcqueuelen = nla_get_u32(tb[IFLA_MACVLAN_BC_QUEUE_LEN]);
	}
}

int link_macvlan_get(struct nl_sock *sk, int ifindex, struct link_macvlan *out,
		     struct ccni_error *err)
{
	memset(out, 0, sizeof(*out));
	return link_get_kind_data(sk, ifindex, "macvlan", read_data, out, err);
}
