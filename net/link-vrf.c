/* SPDX-License-Identifier: Apache-2.0 */
/* link-vrf.c — see link-vrf.h. */
#include <linux/if.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/link-vrf.h"
#include "net/netlink.h"

int link_vrf_put_data(struct nl_msg *msg, const void *table)
{
	return nla_put_u32(msg, IFLA_VRF_TABLE, *(const uint32_t *)table);
}

int link_vrf_create(struct nl_sock *sk, const char *name, uint32_t table, struct link *out,
		    struct ccni_error *err)
{
	struct link_spec s = { .name = name, .kind = "vrf", .flags = IFF_UP,
			       .put_data = link_vrf_put_data, .data = &table };
	int rc;

	if (link_create(sk, &s, err) < 0)
		return -1;
	rc = link_get(sk, name, 0, out, err);
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "vrf link %s: gone after its creation",
				      name);
	return rc;
}

static void read_table(const struct nlattr *data, void *arg)
{
	struct nlattr *tb[IFLA_VRF_MAX + 1];

	if (data && nla_parse_nested(tb, IFLA_VRF_MAX, (struct nlattr *)data, NULL) == 0 &&
	    tb[IFLA_VRF_TABLE])
		*(uint32_t *)arg = nla_get_u32(tb[IFLA_VRF_TABLE]);
}

int link_vrf_get(struct nl_sock *sk, const char *name, struct link *out, uint32_t *table,
		 struct ccni_error *err)
{
	int rc;

	*table = 0;
	rc = link_get_data(sk, name, 0, out, read_table, table, err);
	if (rc != 0)
		return rc;
	return strcmp(out->kind, "vrf") == 0 ? 0 : 2;
}

struct vrf_list {
	int *idx;
	size_t n, cap;
	bool nomem;
};

static int one_vrf(const struct link *l, void *arg)
{
	struct vrf_list *v = arg;

	int *p = util_array_grow(v->idx, v->n, &v->cap, sizeof(*p));

	if (!p)
		return v->nomem = true;
	v->idx = p;
	v->idx[v->n++] = l->ifindex;
	return 0;
}

int link_vrf_tables(struct nl_sock *sk, uint32_t **out, size_t *n, struct ccni_error *err)
{
	_cleanup_free_ int *idx = NULL;
	struct vrf_list v = { 0 };
	struct link l;
	uint32_t *t;

	*out = NULL;
	*n = 0;
	if (link_list(sk, 0, "vrf", one_vrf, &v, err) < 0 || v.nomem) {
		free(v.idx);
		return v.nomem ? netlink_nomem(err, "VRF listing") : -1;
	}
	idx = v.idx;
	if (v.n == 0)
		return 0;
	if (!(t = calloc(v.n, sizeof(*t))))
		return netlink_nomem(err, "VRF listing");
	/* link_list gives what every link has, not a kind's attributes: one
	 * lookup each, after the dump (a socket serves one request at a time) */
	for (size_t i = 0; i < v.n; i++) {
		uint32_t table = 0;
		int rc = link_get_data(sk, NULL, idx[i], &l, read_table, &table, err);

		if (rc < 0) {
			free(t);
			return -1;
		}
		if (rc == 0 && table)
			t[(*n)++] = table;
	}
	*out = t;
	return 0;
}
