/* SPDX-License-Identifier: Apache-2.0 */
/* check.c — see check.h. */
#include <stdbool.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/check.h"
#include "net/route.h"

int check_find_interface(const struct ccni_result *r, const char *ifname, const char *netns,
			 struct ccni_error *err)
{
	int found = -1;

	for (size_t i = 0; i < r->n_interfaces; i++)
		if (r->interfaces[i].name && streq(r->interfaces[i].name, ifname) &&
		    r->interfaces[i].sandbox && streq(r->interfaces[i].sandbox, netns))
			found = (int)i;
	if (found < 0)
		ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "prevResult: no interface %s in sandbox %s",
			       ifname, netns);
	return found;
}

int check_link(struct nl_sock *ct, const struct ccni_result *r, int ci, const char *ifname,
	       const char *netns, const char *kind, struct link *cv, struct ccni_error *err)
{
	const char *want = r->interfaces[ci].mac;
	char m[18];

	if (link_get(ct, ifname, 0, cv, err) != 0 || (kind && !streq(cv->kind, kind)))
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "interface %s: missing in %s%s%s",
				      ifname, netns, kind ? " or not a " : "", kind ? kind : "");
	if (want && !streq(want, ccni_mac_format(cv->mac, m)))
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: MAC %s, prevResult says %s", ifname, m, want);
	return 0;
}

int check_addrs_routes(struct nl_sock *ct, const struct ccni_result *r, int ci,
		       const struct link *cv, const char *netns, struct ccni_error *err)
{
	_cleanup_free_ struct ccni_ipnet *have = NULL;
	char a[CCNI_IPNET_STRLEN];
	size_t n;
	int rc;

	if (addr_list(ct, cv->ifindex, 0, &have, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_ips; i++) {
		bool found = false;

		if (r->ips[i].interface != ci)
			continue;
		for (size_t k = 0; k < n && !found; k++)
			found = ccni_ipnet_equal(&have[k], &r->ips[i].address);
		if (!found)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "interface %s: address %s is missing", cv->name,
					      ccni_ipnet_format(&r->ips[i].address, a));
	}
	for (size_t i = 0; i < r->n_routes; i++) {
		struct route k = route_init();

		k.dst = ccni_ipnet_network(&r->routes[i].dst);
		k.gw = r->routes[i].gw;
		k.table = r->routes[i].table;
		rc = route_exists(ct, &k, err);
		if (rc < 0)
			return -1;
		if (!rc)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "route to %s is missing in %s",
					      ccni_ipnet_format(&r->routes[i].dst, a), netns);
	}
	return 0;
}
