/* SPDX-License-Identifier: Apache-2.0 */
/* link.c — see link.h (deleting links: link-delete.c). */
#include <assert.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <netlink/attr.h>

#include <ccni/ip.h>

#include "lib/common/util.h"
#include "net/link.h"
#include "net/netlink.h"

/* --- reading a link ------------------------------------------------------------ */

static void put_string_attr(char *dst, size_t len, struct nlattr *a)
{
	if (a)
		snprintf(dst, len, "%.*s", nla_len(a), (const char *)nla_data(a));
}

/* accept_ra from IFLA_AF_SPEC's IPv6 part: the sysctl read through the
 * reply at hand, where /proc/sys would look the device's entry up among
 * every namespace's. */
static int inet6_accept_ra(const struct nlattr *af_spec)
{
	struct nlattr *af, *tb[IFLA_INET6_MAX + 1];
	int rem;

	if (!af_spec)
		return -1;
	nla_for_each_nested(af, af_spec, rem) {
		if (nla_type(af) != AF_INET6 || nla_parse_nested(tb, IFLA_INET6_MAX, af, NULL) < 0 ||
		    !tb[IFLA_INET6_CONF] ||
		    nla_len(tb[IFLA_INET6_CONF]) < (int)sizeof(int32_t) * (DEVCONF_ACCEPT_RA + 1))
			continue;
		return ((const int32_t *)nla_data(tb[IFLA_INET6_CONF]))[DEVCONF_ACCEPT_RA];
	}
	return -1;
}

struct link_read {
	struct link *out;
	link_data_fn data_fn;
	void *data_arg;
};

static int parse_link(struct nlmsghdr *h, void *arg)
{
	struct link_read *rd = arg;
	struct link *out = rd->out;
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	bool have_info;

	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	put_string_attr(out->name, sizeof(out->name), tb[IFLA_IFNAME]);
	put_string_attr(out->alias, sizeof(out->alias), tb[IFLA_IFALIAS]);
	if (tb[IFLA_MTU])
		out->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_TXQLEN])
		out->txqlen = nla_get_u32(tb[IFLA_TXQLEN]);
	if (tb[IFLA_MASTER])
		out->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_GROUP])
		out->group = nla_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_LINK])
		out->parent = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_ADDRESS])
		out->addr_len = (uint8_t)nla_len(tb[IFLA_ADDRESS]);
	if (out->addr_len == 6)
		memcpy(out->mac, nla_data(tb[IFLA_ADDRESS]), 6);
	out->accept_ra = inet6_accept_ra(tb[IFLA_AF_SPEC]);
	have_info = tb[IFLA_LINKINFO] &&
		    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0;
	if (have_info)
		put_string_attr(out->kind, sizeof(out->kind), info[IFLA_INFO_KIND]);
	if (rd->data_fn)
		rd->data_fn(have_info ? info[IFLA_INFO_DATA] : NULL, rd->data_arg);
	return 0;
}

int link_get(struct nl_sock *sk, const char *name, int ifindex, struct link *out,
	     struct ccni_error *err)
{
	return link_get_data(sk, name, ifindex, out, NULL, NULL, err);
}

int link_get_data(struct nl_sock *sk, const char *name, int ifindex, struct link *out,
		  link_data_fn data_fn, void *data_arg, struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = name ? 0 : ifindex };
	struct nl_msg *msg = netlink_msg(RTM_GETLINK, 0, &ifi, sizeof(ifi));
	struct link_read rd = { out, data_fn, data_arg };
	struct netlink_answer ans;
	char b[LINK_NAME_MAX];
	int rc;
	assert(sk && out && (name || ifindex > 0));

	if (!msg || (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return netlink_nomem(err, "link lookup");
	}
	out->ifindex = 0;
	rc = netlink_talk(sk, msg, parse_link, &rd, &ans);
	if (rc == -ENODEV || (rc == 0 && !out->ifindex))
		return 1;
	if (rc < 0) {
		if (!name)
			snprintf(b, sizeof(b), "#%d", ifindex);
		return netlink_error(err, &ans, "link %s: read", name ? name : b);
	}
	return 0;
}

struct link_dump {
	int master;
	const char *kind;
	int (*fn)(const struct link *l, void *arg);
	void *arg;
	int stop; /* what fn returned to stop, 0 while it goes on */
};

static int on_link(struct nlmsghdr *h, void *arg)
{
	struct link_dump *d = arg;
	struct link l = { 0 };
	struct link_read rd = { &l, NULL, NULL };

	parse_link(h, &rd);
	/* the kernel filters only by what it knows (a kind whose module is
	 * not loaded is no filter): the filters are checked here too */
	if (d->stop || !l.ifindex || (d->master > 0 && l.master != d->master) ||
	    (d->kind && strcmp(l.kind, d->kind) != 0))
		return 0;
	d->stop = d->fn(&l, d->arg);
	return 0;
}

int link_list(struct nl_sock *sk, int master, const char *kind,
	      int (*fn)(const struct link *l, void *arg), void *arg, struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	_cleanup_(nlmsg_freep) struct nl_msg *msg = netlink_msg(RTM_GETLINK, NLM_F_DUMP, &ifi,
								 sizeof(ifi));
	struct link_dump d = { .master = master, .kind = kind, .fn = fn, .arg = arg };
	struct netlink_answer ans;
	struct nlattr *info;
	assert(sk && fn);

	if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
	    (master > 0 && nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0))
		return netlink_nomem(err, "link listing");
	if (kind) {
		if (!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
		    nla_put_string(msg, IFLA_INFO_KIND, kind) < 0)
			return netlink_nomem(err, "link listing");
		nla_nest_end(msg, info);
	}
	if (netlink_talk(sk, TAKE_PTR(msg), on_link, &d, &ans) < 0)
		return netlink_error(err, &ans, "list the links%s%s", kind ? " of kind " : "",
				     kind ? kind : "");
	return d.stop;
}

int link_get_kind_data(struct nl_sock *sk, int ifindex, const char *kind, link_data_fn data_fn,
		       void *data_arg, struct ccni_error *err)
{
	struct link l;
	int rc = link_get_data(sk, NULL, ifindex, &l, data_fn, data_arg, err);

	return rc != 0 ? rc : streq(l.kind, kind) ? 0 : 1;
}

const char *link_name(struct nl_sock *sk, int ifindex, char buf[LINK_NAME_MAX])
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link l;

	if (link_get(sk, NULL, ifindex, &l, &e) == 0)
		snprintf(buf, LINK_NAME_MAX, "%s", l.name);
	else
		snprintf(buf, LINK_NAME_MAX, "#%d", ifindex);
	ccni_error_clear(&e);
	return buf;
}

/* --- changing a link ------------------------------------------------------------ */

static void say(char *buf, size_t len, const char *fmt, const char *what)
{
	size_t at = strlen(buf);

	snprintf(buf + at, len - at, fmt, at ? ", " : "", what);
}

/* "set up, set mtu 9000": the changes, for the error message. */
static void change_text(struct nl_sock *sk, const struct link_change *ch, char *buf, size_t len)
{
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = { { IFF_UP, "up" }, { IFF_PROMISC, "promisc" }, { IFF_ALLMULTI, "allmulticast" } };
	char v[64];

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (ch->flags_on & flags[i].flag)
			say(buf, len, "%sset %s on", flags[i].name);
		if (ch->flags_off & flags[i].flag)
			say(buf, len, "%sset %s off", flags[i].name);
	}
	if (ch->mtu) {
		snprintf(v, sizeof(v), "%u", ch->mtu);
		say(buf, len, "%sset mtu %s", v);
	}
	if (ch->mac)
		say(buf, len, "%sset address %s", ccni_mac_format(ch->mac, v));
	if (ch->name)
		say(buf, len, "%srename to %s", ch->name);
	if (ch->master == LINK_NO_MASTER)
		say(buf, len, "%s%s", "leave its master");
	else if (ch->master)
		say(buf, len, "%sset master %s", link_name(sk, ch->master, v));
	if (ch->netns_fd > 0)
		say(buf, len, "%s%s", "move to another namespace");
	if (ch->set_txqlen) {
		snprintf(v, sizeof(v), "%u", ch->txqlen);
		say(buf, len, "%sset txqueuelen %s", v);
	}
	if (ch->alias && *ch->alias)
		say(buf, len, "%sset alias %s", ch->alias);
	else if (ch->alias)
		say(buf, len, "%s%s", "remove its alias");
}

static struct nl_msg *change_msg(int ifindex, const struct link_change *ch)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = ch->flags_on,
		.ifi_change = ch->flags_on | ch->flags_off,
	};
	struct nl_msg *msg = netlink_msg(RTM_NEWLINK, 0, &ifi, sizeof(ifi));

	if (!msg || (ch->mtu && nla_put_u32(msg, IFLA_MTU, ch->mtu) < 0) ||
	    (ch->mac && nla_put(msg, IFLA_ADDRESS, 6, ch->mac) < 0) ||
	    (ch->name && nla_put_string(msg, IFLA_IFNAME, ch->name) < 0) ||
	    (ch->master && nla_put_u32(msg, IFLA_MASTER,
				       ch->master == LINK_NO_MASTER ? 0 : (uint32_t)ch->master) < 0) ||
	    (ch->netns_fd > 0 && nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)ch->netns_fd) < 0) ||
	    (ch->set_txqlen && nla_put_u32(msg, IFLA_TXQLEN, ch->txqlen) < 0) ||
	    (ch->alias && nla_put_string(msg, IFLA_IFALIAS, ch->alias) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int link_set(struct nl_sock *sk, int ifindex, const struct link_change *ch,
	     struct ccni_error *err)
{
	struct netlink_answer ans;
	char what[256], name[LINK_NAME_MAX];
	struct nl_msg *msg = change_msg(ifindex, ch);
	assert(sk && ifindex > 0 && ch);

	if (!msg)
		return netlink_nomem(err, "link change");
	if (netlink_talk(sk, msg, NULL, NULL, &ans) == 0)
		return 0;
	change_text(sk, ch, what, sizeof(what));
	return netlink_error(err, &ans, "link %s: %s", link_name(sk, ifindex, name), what);
}

int link_set_up(struct nl_sock *sk, int ifindex, bool up, struct ccni_error *err)
{
	struct link_change ch = { .flags_on = up ? IFF_UP : 0, .flags_off = up ? 0 : IFF_UP };

	return link_set(sk, ifindex, &ch, err);
}

/* --- creating a link ------------------------------------------------------------- */

void link_random_name(const char *prefix, char out[LINK_NAME_MAX])
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid() ^ (uint32_t)util_now_ns();
	snprintf(out, LINK_NAME_MAX, "%.7s%08x", prefix, r);
}

int link_put_common(struct nl_msg *msg, const struct link_spec *s)
{
	if ((s->name && nla_put_string(msg, IFLA_IFNAME, s->name) < 0) ||
	    (s->mtu && nla_put_u32(msg, IFLA_MTU, s->mtu) < 0) ||
	    (s->mac && nla_put(msg, IFLA_ADDRESS, 6, s->mac) < 0) ||
	    (s->netns_fd > 0 && nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)s->netns_fd) < 0) ||
	    (s->set_txqlen && nla_put_u32(msg, IFLA_TXQLEN, s->txqlen) < 0) ||
	    (s->group && nla_put_u32(msg, IFLA_GROUP, s->group) < 0))
		return -1;
	return 0;
}

struct nl_msg *link_create_msg(const struct link_spec *s)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_flags = s->flags, .ifi_change = s->flags
	};
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
		netlink_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	struct nlattr *info, *data;
	assert(s && s->name && s->kind);

	if (!msg || link_put_common(msg, s) < 0 ||
	    (s->parent && nla_put_u32(msg, IFLA_LINK, (uint32_t)s->parent) < 0) ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, s->kind) < 0)
		return NULL;
	if (s->put_data) {
		if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) || s->put_data(msg, s->data) < 0)
			return NULL;
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	return TAKE_PTR(msg);
}

int link_create(struct nl_sock *sk, const struct link_spec *s, struct ccni_error *err)
{
	struct nl_msg *msg = link_create_msg(s);

	if (!msg)
		return netlink_nomem(err, "link create");
	return netlink_request(sk, msg, 0, err, "%s link %s: create", s->kind, s->name);
}
