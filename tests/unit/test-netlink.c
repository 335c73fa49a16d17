/* SPDX-License-Identifier: Apache-2.0 */
/* The netlink requests net/ builds, checked attribute by attribute without
 * sending them (no root, no kernel); and the core's reading of the
 * kernel's extended ack into the error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "net/addr.h"
#include "net/link-bridge.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/qdisc.h"
#include "net/route.h"
#include "net/tag.h"
#include "net/rule.h"

static struct ccni_ipnet net(const char *s)
{
	struct ccni_ipnet n;

	assert_int_equal(ccni_ipnet_parse(s, &n), 0);
	return n;
}

static struct ccni_ip ip(const char *s)
{
	struct ccni_ip a;

	assert_int_equal(ccni_ip_parse(s, &a), 0);
	return a;
}

/* The attributes of msg after its family header of hdrlen bytes. */
static void attrs(struct nl_msg *msg, size_t hdrlen, struct nlattr **tb, int max)
{
	assert_non_null(msg);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), (int)hdrlen, tb, max, NULL), 0);
}

static void assert_ip_attr(struct nlattr *a, const char *want)
{
	struct ccni_ip w = ip(want);

	assert_non_null(a);
	assert_int_equal(nla_len(a), ccni_ip_len(&w));
	assert_memory_equal(nla_data(a), w.addr, ccni_ip_len(&w));
}

static void bridge_vlan_range_is_a_begin_and_an_end_entry(void **state)
{
	struct link_bridge_vlan v = { .vid_start = 10, .vid_end = 20 };
	struct nl_msg *msg = link_bridge_vlan_msg(5, &v, false);
	struct nlattr *tb[IFLA_MAX + 1], *a;
	struct ifinfomsg *ifi;
	const struct bridge_vlan_info *vi[2];
	int n = 0, rem;

	(void)state;
	attrs(msg, sizeof(*ifi), tb, IFLA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_SETLINK);
	ifi = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(ifi->ifi_family, AF_BRIDGE);
	assert_int_equal(ifi->ifi_index, 5);
	assert_non_null(tb[IFLA_AF_SPEC]);
	nla_for_each_nested(a, tb[IFLA_AF_SPEC], rem) {
		assert_int_equal(nla_type(a), IFLA_BRIDGE_VLAN_INFO);
		assert_true(n < 2);
		vi[n++] = nla_data(a);
	}
	assert_int_equal(n, 2);
	assert_int_equal(vi[0]->vid, 10);
	assert_int_equal(vi[0]->flags, BRIDGE_VLAN_INFO_RANGE_BEGIN);
	assert_int_equal(vi[1]->vid, 20);
	assert_int_equal(vi[1]->flags, BRIDGE_VLAN_INFO_RANGE_END);
	nlmsg_free(msg);
}

static void bridge_vlan_pvid_untagged_is_one_entry_and_delete_a_dellink(void **state)
{
	struct link_bridge_vlan v = { .vid_start = 7, .vid_end = 7, .pvid = true, .untagged = true,
				      .self = true };
	struct nl_msg *msg = link_bridge_vlan_msg(9, &v, true);
	struct nlattr *tb[IFLA_MAX + 1], *spec[IFLA_BRIDGE_MAX + 1];
	const struct bridge_vlan_info *vi;

	(void)state;
	attrs(msg, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELLINK);
	assert_int_equal(nla_parse_nested(spec, IFLA_BRIDGE_MAX, tb[IFLA_AF_SPEC], NULL), 0);
	assert_non_null(spec[IFLA_BRIDGE_FLAGS]);
	assert_int_equal(nla_get_u16(spec[IFLA_BRIDGE_FLAGS]), BRIDGE_FLAGS_SELF);
	vi = nla_data(spec[IFLA_BRIDGE_VLAN_INFO]);
	assert_int_equal(vi->vid, 7);
	assert_int_equal(vi->flags, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);
	nlmsg_free(msg);
}

static void route_via_gateway_names_network_gateway_device_and_metrics(void **state)
{
	struct route r = route_init();
	struct nl_msg *msg;
	struct nlattr *tb[RTA_MAX + 1], *mx[RTAX_MAX + 1];
	struct rtmsg *rtm;

	(void)state;
	r.dst = net("10.66.1.2/16");
	r.gw = ip("192.0.2.1");
	r.ifindex = 3;
	r.metrics[RTAX_MTU] = 1400;
	msg = route_msg(true, &r, NLM_F_CREATE | NLM_F_EXCL);
	attrs(msg, sizeof(*rtm), tb, RTA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWROUTE);
	assert_true(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_EXCL);
	rtm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 16);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_protocol, RTPROT_BOOT);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(nla_get_u32(tb[RTA_TABLE]), RT_TABLE_MAIN);
	/* the network, not the address given */
	assert_ip_attr(tb[RTA_DST], "10.66.0.0");
	assert_ip_attr(tb[RTA_GATEWAY], "192.0.2.1");
	assert_int_equal(nla_get_u32(tb[RTA_OIF]), 3);
	assert_null(tb[RTA_PRIORITY]);
	assert_int_equal(nla_parse_nested(mx, RTAX_MAX, tb[RTA_METRICS], NULL), 0);
	assert_int_equal(nla_get_u32(mx[RTAX_MTU]), 1400);
	assert_null(mx[RTAX_ADVMSS]);
	nlmsg_free(msg);
}

static void route_without_gateway_is_link_scope_and_default_route_has_no_dst(void **state)
{
	struct route r = route_init();
	struct nl_msg *msg;
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	(void)state;
	r.dst = net("0.0.0.0/0");
	r.ifindex = 2;
	r.table = 1000;
	msg = route_msg(false, &r, 0);
	attrs(msg, sizeof(*rtm), tb, RTA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELROUTE);
	rtm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_dst_len, 0);
	/* a table past 255 goes in RTA_TABLE alone */
	assert_int_equal(rtm->rtm_table, RT_TABLE_COMPAT);
	assert_int_equal(nla_get_u32(tb[RTA_TABLE]), 1000);
	assert_null(tb[RTA_DST]);
	assert_null(tb[RTA_GATEWAY]);
	assert_null(tb[RTA_METRICS]);
	nlmsg_free(msg);
}

static void route_ipv6_with_source_and_priority(void **state)
{
	struct route r = route_init();
	struct nl_msg *msg;
	struct nlattr *tb[RTA_MAX + 1];

	(void)state;
	r.dst = net("fd00:1::/64");
	r.src = ip("fd00:1::5");
	r.priority = 100;
	r.scope = RT_SCOPE_HOST;
	msg = route_msg(true, &r, NLM_F_CREATE | NLM_F_REPLACE);
	attrs(msg, sizeof(struct rtmsg), tb, RTA_MAX);
	assert_int_equal(((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_family, AF_INET6);
	assert_int_equal(((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_scope, RT_SCOPE_HOST);
	assert_true(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_REPLACE);
	assert_ip_attr(tb[RTA_DST], "fd00:1::");
	assert_ip_attr(tb[RTA_PREFSRC], "fd00:1::5");
	assert_int_equal(nla_get_u32(tb[RTA_PRIORITY]), 100);
	assert_null(tb[RTA_OIF]);
	nlmsg_free(msg);
}

static void tbf_carries_rate_limit_and_buffer(void **state)
{
	struct qdisc_tbf t = { .rate = 125000, .limit = 3125, .buffer = 1250000 };
	struct nl_msg *msg = qdisc_tbf_msg(4, &t);
	struct nlattr *tb[TCA_MAX + 1], *ot[TCA_TBF_MAX + 1];
	const struct tc_tbf_qopt *q;
	struct tcmsg *tcm;

	(void)state;
	attrs(msg, sizeof(*tcm), tb, TCA_MAX);
	tcm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWQDISC);
	assert_int_equal(tcm->tcm_ifindex, 4);
	assert_int_equal(tcm->tcm_handle, 0x00010000);
	assert_int_equal(tcm->tcm_parent, TC_H_ROOT);
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "tbf");
	assert_int_equal(nla_parse_nested(ot, TCA_TBF_MAX, tb[TCA_OPTIONS], NULL), 0);
	q = nla_data(ot[TCA_TBF_PARMS]);
	assert_int_equal(q->rate.rate, 125000);
	assert_int_equal(q->limit, 3125);
	assert_int_equal(q->buffer, 1250000);
	/* no rate table: the kernel computes its own */
	assert_null(ot[TCA_TBF_RTAB]);
	assert_null(ot[TCA_TBF_RATE64]);
	nlmsg_free(msg);
}

static void tbf_rate_past_4_gb_goes_in_rate64(void **state)
{
	struct qdisc_tbf t = { .rate = 5000000000ULL, .limit = 1, .buffer = 1 };
	struct nl_msg *msg = qdisc_tbf_msg(4, &t);
	struct nlattr *tb[TCA_MAX + 1], *ot[TCA_TBF_MAX + 1];

	(void)state;
	attrs(msg, sizeof(struct tcmsg), tb, TCA_MAX);
	assert_int_equal(nla_parse_nested(ot, TCA_TBF_MAX, tb[TCA_OPTIONS], NULL), 0);
	assert_non_null(ot[TCA_TBF_RATE64]);
	assert_true(nla_get_u64(ot[TCA_TBF_RATE64]) == 5000000000ULL);
	nlmsg_free(msg);
}

static void redirect_filter_is_u32_flow_1_1_with_two_mirred_actions(void **state)
{
	struct nl_msg *msg = qdisc_redirect_filter_msg(4, 8);
	struct nlattr *tb[TCA_MAX + 1], *ot[TCA_U32_MAX + 1], *acts[4], *act[TCA_ACT_MAX + 1];
	struct tcmsg *tcm;

	(void)state;
	attrs(msg, sizeof(*tcm), tb, TCA_MAX);
	tcm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(tcm->tcm_parent, 0xffff0000);
	assert_int_equal(TC_H_MAJ(tcm->tcm_info), 1u << 16);
	assert_int_equal(TC_H_MIN(tcm->tcm_info), htons(0x0003 /* ETH_P_ALL */));
	assert_string_equal(nla_get_string(tb[TCA_KIND]), "u32");
	assert_int_equal(nla_parse_nested(ot, TCA_U32_MAX, tb[TCA_OPTIONS], NULL), 0);
	assert_int_equal(nla_get_u32(ot[TCA_U32_CLASSID]), 0x00010001);
	assert_int_equal(nla_parse_nested(acts, 3, ot[TCA_U32_ACT], NULL), 0);
	for (int i = 1; i <= 2; i++) {
		assert_non_null(acts[i]);
		assert_int_equal(nla_parse_nested(act, TCA_ACT_MAX, acts[i], NULL), 0);
		assert_string_equal(nla_get_string(act[TCA_ACT_KIND]), "mirred");
	}
	assert_null(acts[3]);
	nlmsg_free(msg);
}

static int put_peer(struct nl_msg *msg, const void *data)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *p = nla_nest_start(msg, VETH_INFO_PEER);

	if (!p || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    link_put_common(msg, data) < 0)
		return -1;
	nla_nest_end(msg, p);
	return 0;
}

static void link_create_names_kind_parent_mtu_and_kind_data(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct link_spec peer = { .name = "eth0", .netns_fd = 7 };
	struct link_spec s = { .name = "veth1234", .kind = "veth", .mtu = 1450, .mac = mac,
			       .parent = 3, .flags = IFF_UP, .put_data = put_peer, .data = &peer };
	struct nl_msg *msg = link_create_msg(&s);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *data, *ptb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;

	(void)state;
	attrs(msg, sizeof(*ifi), tb, IFLA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	ifi = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "veth1234");
	assert_int_equal(nla_get_u32(tb[IFLA_MTU]), 1450);
	assert_int_equal(nla_get_u32(tb[IFLA_LINK]), 3);
	assert_memory_equal(nla_data(tb[IFLA_ADDRESS]), mac, 6);
	assert_null(tb[IFLA_NET_NS_FD]);
	assert_int_equal(nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_string_equal(nla_get_string(info[IFLA_INFO_KIND]), "veth");
	/* the peer: an ifinfomsg, then its own attributes */
	data = nla_find(nla_data(info[IFLA_INFO_DATA]), nla_len(info[IFLA_INFO_DATA]),
			VETH_INFO_PEER);
	assert_non_null(data);
	assert_int_equal(nla_parse(ptb, IFLA_MAX,
				   (struct nlattr *)((char *)nla_data(data) + NLMSG_ALIGN(sizeof(*ifi))),
				   nla_len(data) - (int)NLMSG_ALIGN(sizeof(*ifi)), NULL),
			 0);
	assert_string_equal(nla_get_string(ptb[IFLA_IFNAME]), "eth0");
	assert_int_equal(nla_get_u32(ptb[IFLA_NET_NS_FD]), 7);
	nlmsg_free(msg);
}

/* A link made for an attachment has its network's group from its creation
 * on (the alias can only follow); the default group is not sent. */
static void link_create_sends_the_group_and_tag_group_marks_the_network(void **state)
{
	struct link_spec s = { .name = "bwp0", .kind = "ifb", .group = tag_group("net1") };
	struct link_spec d = { .name = "bwp1", .kind = "ifb" };
	struct nl_msg *msg = link_create_msg(&s), *dmsg = link_create_msg(&d);
	struct nlattr *tb[IFLA_MAX + 1];

	(void)state;
	assert_true(tag_group("net1") & 0x80000000u);
	assert_int_equal(tag_group("net1"), tag_group("net1"));
	assert_int_not_equal(tag_group("net1"), tag_group("net2"));
	attrs(msg, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	assert_int_equal(nla_get_u32(tb[IFLA_GROUP]), tag_group("net1"));
	attrs(dmsg, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	assert_null(tb[IFLA_GROUP]);
	nlmsg_free(msg);
	nlmsg_free(dmsg);
}

static void address_v4_has_its_broadcast_v6_nodad(void **state)
{
	struct ccni_ipnet a = net("10.1.2.3/24"), p2p = net("10.9.9.0/31"), six = net("fd00::5/64");
	struct nlattr *tb[IFA_MAX + 1];
	struct nl_msg *msg = addr_msg(true, 6, &a, true);
	struct ifaddrmsg *ifa;

	(void)state;
	attrs(msg, sizeof(*ifa), tb, IFA_MAX);
	ifa = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(ifa->ifa_prefixlen, 24);
	assert_int_equal(ifa->ifa_index, 6);
	assert_int_equal(ifa->ifa_flags, 0); /* nodad is for IPv6 only */
	assert_ip_attr(tb[IFA_LOCAL], "10.1.2.3");
	assert_ip_attr(tb[IFA_ADDRESS], "10.1.2.3");
	assert_ip_attr(tb[IFA_BROADCAST], "10.1.2.255");
	nlmsg_free(msg);

	msg = addr_msg(true, 6, &p2p, false);
	attrs(msg, sizeof(*ifa), tb, IFA_MAX);
	assert_null(tb[IFA_BROADCAST]);
	nlmsg_free(msg);

	msg = addr_msg(false, 6, &six, true);
	attrs(msg, sizeof(*ifa), tb, IFA_MAX);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_DELADDR);
	assert_int_equal(((struct ifaddrmsg *)nlmsg_data(nlmsg_hdr(msg)))->ifa_flags, IFA_F_NODAD);
	assert_null(tb[IFA_BROADCAST]);
	nlmsg_free(msg);
}

static void rule_from_source_looks_up_the_table(void **state)
{
	struct ccni_ipnet src = net("10.1.0.5/32");
	struct nl_msg *msg = rule_from_msg(&src, 100);
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr *frh;

	(void)state;
	attrs(msg, sizeof(*frh), tb, FRA_MAX);
	frh = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->src_len, 32);
	assert_int_equal(frh->table, 100);
	assert_int_equal(nla_get_u32(tb[FRA_TABLE]), 100);
	assert_ip_attr(tb[FRA_SRC], "10.1.0.5");
	assert_null(tb[FRA_PRIORITY]);
	nlmsg_free(msg);
}

/* An NLMSG_ERROR as the kernel sends it with capped acks and a message. */
static size_t build_ext_ack(uint8_t *buf, size_t cap, int error, const char *text)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((char *)e + NLMSG_ALIGN(sizeof(*e)));
	size_t tlen = strlen(text) + 1;

	memset(buf, 0, cap);
	e->error = -error;
	e->msg.nlmsg_len = NLMSG_HDRLEN + 64; /* the request's, not echoed */
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = (uint16_t)(NLA_HDRLEN + tlen);
	memcpy((char *)a + NLA_HDRLEN, text, tlen);
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e)) + NLA_ALIGN(a->nla_len));
	return h->nlmsg_len;
}

static void ext_ack_text_becomes_details_and_errno_stays_data(void **state)
{
	_Alignas(struct nlmsghdr) uint8_t buf[512];
	struct netlink_answer ans = { .error = ENETUNREACH };
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	build_ext_ack(buf, sizeof(buf), ENETUNREACH, "Nexthop has invalid gateway");
	netlink_ack_text(NLMSG_DATA((struct nlmsghdr *)buf), ans.text, sizeof(ans.text));
	assert_string_equal(ans.text, "Nexthop has invalid gateway");
	assert_int_equal(netlink_error(&e, &ans, "add route %s dev %s", "10.66.0.0/16", "eth0"), -1);
	assert_int_equal(e.code, CCNI_ERR_NETLINK);
	assert_int_equal(e.errnum, ENETUNREACH);
	assert_string_equal(e.msg, "add route 10.66.0.0/16 dev eth0: Network is unreachable");
	assert_string_equal(e.details, "kernel: Nexthop has invalid gateway");
	ccni_error_clear(&e);
	assert_int_equal(e.errnum, 0);
}

static void error_without_ext_ack_has_no_details(void **state)
{
	struct netlink_answer ans = { .error = EEXIST };
	struct ccni_error e = CCNI_ERROR_INIT;
	_Alignas(struct nlmsghdr) uint8_t buf[64] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	(void)state;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
	netlink_ack_text(NLMSG_DATA(h), ans.text, sizeof(ans.text));
	assert_string_equal(ans.text, "");
	netlink_error(&e, &ans, "veth link %s: create", "veth1");
	assert_string_equal(e.msg, "veth link veth1: create: File exists");
	assert_null(e.details);
	assert_int_equal(e.errnum, EEXIST);
	ccni_error_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bridge_vlan_range_is_a_begin_and_an_end_entry),
		cmocka_unit_test(bridge_vlan_pvid_untagged_is_one_entry_and_delete_a_dellink),
		cmocka_unit_test(route_via_gateway_names_network_gateway_device_and_metrics),
		cmocka_unit_test(route_without_gateway_is_link_scope_and_default_route_has_no_dst),
		cmocka_unit_test(route_ipv6_with_source_and_priority),
		cmocka_unit_test(tbf_carries_rate_limit_and_buffer),
		cmocka_unit_test(tbf_rate_past_4_gb_goes_in_rate64),
		cmocka_unit_test(redirect_filter_is_u32_flow_1_1_with_two_mirred_actions),
		cmocka_unit_test(link_create_names_kind_parent_mtu_and_kind_data),
		cmocka_unit_test(address_v4_has_its_broadcast_v6_nodad),
		cmocka_unit_test(rule_from_source_looks_up_the_table),
		cmocka_unit_test(ext_ack_text_becomes_details_and_errno_stays_data),
		cmocka_unit_test(error_without_ext_ack_has_no_details),
		cmocka_unit_test(link_create_sends_the_group_and_tag_group_marks_the_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
