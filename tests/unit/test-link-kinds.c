/* SPDX-License-Identifier: Apache-2.0 */
/* The link kinds' own attributes in a create request (macvlan's mode and
 * bcqueuelen, ipvlan's mode, a VLAN's id, under IFLA_LINK and the target
 * namespace), their mode names both ways, and the temporary link names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "net/link-ipvlan.h"
#include "net/link-macvlan.h"
#include "net/link-vlan.h"
#include "net/link.h"

/* The IFLA_INFO_DATA of s's create request, parsed into tb (max attrs);
 * the request's own attributes into top. */
static struct nl_msg *data_of(const struct link_spec *s, struct nlattr **top, struct nlattr **tb,
			      int max)
{
	struct nl_msg *msg = link_create_msg(s);
	struct nlattr *info[IFLA_INFO_MAX + 1];

	assert_non_null(msg);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), top, IFLA_MAX, NULL),
			 0);
	assert_int_equal(nla_parse_nested(info, IFLA_INFO_MAX, top[IFLA_LINKINFO], NULL), 0);
	assert_string_equal(nla_get_string(info[IFLA_INFO_KIND]), s->kind);
	assert_non_null(info[IFLA_INFO_DATA]);
	assert_int_equal(nla_parse_nested(tb, max, info[IFLA_INFO_DATA], NULL), 0);
	return msg;
}

static void macvlan_mode_and_bcqueuelen(void **state)
{
	struct link_macvlan m = { .mode = MACVLAN_MODE_VEPA };
	struct link_spec s = { .name = "ccni01234567", .kind = "macvlan", .parent = 4, .netns_fd = 9,
			       .put_data = link_macvlan_put_data, .data = &m };
	struct nlattr *top[IFLA_MAX + 1], *tb[IFLA_MACVLAN_MAX + 1];
	struct nl_msg *msg = data_of(&s, top, tb, IFLA_MACVLAN_MAX);

	(void)state;
	assert_int_equal(nla_get_u32(top[IFLA_LINK]), 4);
	assert_int_equal(nla_get_u32(top[IFLA_NET_NS_FD]), 9);
	assert_int_equal(nla_get_u32(tb[IFLA_MACVLAN_MODE]), MACVLAN_MODE_VEPA);
	assert_null(tb[IFLA_MACVLAN_BC_QUEUE_LEN]); /* the kernel's default */
	nlmsg_free(msg);
	m.set_bcqueuelen = true;
	m.bcqueuelen = 2000;
	msg = data_of(&s, top, tb, IFLA_MACVLAN_MAX);
	assert_int_equal(nla_get_u32(tb[IFLA_MACVLAN_BC_QUEUE_LEN]), 2000);
	nlmsg_free(msg);
}

static void macvlan_mode_names(void **state)
{
	static const char *const names[] = { "bridge", "private", "vepa", "passthru" };
	uint32_t mode;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(link_macvlan_mode_parse(names[i], &mode), 0);
		assert_string_equal(link_macvlan_mode_name(mode), names[i]);
	}
	assert_int_equal(link_macvlan_mode_parse("source", &mode), -1);
	assert_int_equal(link_macvlan_mode_parse("", &mode), -1);
	assert_null(link_macvlan_mode_name(MACVLAN_MODE_SOURCE));
}

static void ipvlan_mode(void **state)
{
	uint16_t mode = 0;
	struct link_spec s = { .name = "ccni01234567", .kind = "ipvlan", .parent = 2,
			       .put_data = link_ipvlan_put_data, .data = &mode };
	struct nlattr *top[IFLA_MAX + 1], *tb[IFLA_IPVLAN_MAX + 1];
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(link_ipvlan_mode_parse("l3s", &mode), 0);
	assert_int_equal(mode, IPVLAN_MODE_L3S);
	msg = data_of(&s, top, tb, IFLA_IPVLAN_MAX);
	assert_int_equal(nla_get_u16(tb[IFLA_IPVLAN_MODE]), IPVLAN_MODE_L3S);
	nlmsg_free(msg);
	assert_int_equal(link_ipvlan_mode_parse("l2", &mode), 0);
	assert_int_equal(mode, IPVLAN_MODE_L2);
	assert_string_equal(link_ipvlan_mode_name(IPVLAN_MODE_L3), "l3");
	assert_int_equal(link_ipvlan_mode_parse("L2", &mode), -1);
	assert_null(link_ipvlan_mode_name(7));
}

static void vlan_id(void **state)
{
	uint16_t id = 4094;
	struct link_spec s = { .name = "ccni01234567", .kind = "vlan", .parent = 3, .mtu = 1400,
			       .put_data = link_vlan_put_data, .data = &id };
	struct nlattr *top[IFLA_MAX + 1], *tb[IFLA_VLAN_MAX + 1];
	struct nl_msg *msg = data_of(&s, top, tb, IFLA_VLAN_MAX);

	(void)state;
	assert_int_equal(nla_get_u16(tb[IFLA_VLAN_ID]), 4094);
	assert_int_equal(nla_get_u32(top[IFLA_MTU]), 1400);
	nlmsg_free(msg);
}

static void random_names(void **state)
{
	char a[LINK_NAME_MAX], b[LINK_NAME_MAX];

	(void)state;
	link_random_name("ccni", a);
	link_random_name("ccni", b);
	assert_int_equal(strlen(a), 12);
	assert_memory_equal(a, "ccni", 4);
	assert_int_equal(strspn(a + 4, "0123456789abcdef"), 8);
	assert_string_not_equal(a, b);
	link_random_name("toolongprefix", a);
	assert_int_equal(strlen(a), 15); /* IFNAMSIZ - 1 at most */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(macvlan_mode_and_bcqueuelen),
		cmocka_unit_test(macvlan_mode_names),
		cmocka_unit_test(ipvlan_mode),
		cmocka_unit_test(vlan_id),
		cmocka_unit_test(random_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
