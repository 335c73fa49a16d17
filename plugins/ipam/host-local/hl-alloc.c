/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hl-alloc.c — host-local's allocator: one address from a range set, either
 * the one requested or the next free one in the reference's round robin.
 * Candidates are tried by linking a reservation into place (the store's
 * exclusive create), so ADD never lists the directory.
 */
#include <string.h>

#include "plugins/ipam/host-local/hl.h"

/* The round-robin walk of the reference: start after last_reserved_ip (or
 * at the first range's start), go to each range's end, wrap to the next
 * range, skip gateways, stop when back at the start. */
int hl_allocate(struct hl_store *s, const struct hl_rangeset *set, int set_index,
		const char *id, const char *ifname, const struct ccni_ip *requested,
		struct ccni_ipnet *addr, struct ccni_ip *gw, struct ccni_error *err)
{
	struct ccni_ip last, cur, start;
	const struct hl_range *r;
	int idx = 0, rc;
	bool have_cur = false;
	char b[CCNI_IP_STRLEN], text[512];

	if (requested) {
		r = hl_set_find(set, requested);
		if (!r)
			return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
					      "requested IP address %s is not in range set %s",
					      ccni_ip_format(requested, b), hl_set_text(set, text, sizeof(text)));
		if (ccni_ip_equal(requested, &r->gateway))
			return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
					      "requested IP address %s is the subnet's gateway",
					      ccni_ip_format(requested, b));
		rc = hl_store_reserve(s, id, ifname, requested, set_index, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
					      "requested IP address %s is already reserved (range set %s)",
					      ccni_ip_format(requested, b), hl_set_text(set, text, sizeof(text)));
		addr->ip = *requested;
		addr->prefix = r->subnet.prefix;
		*gw = r->gateway;
		return 0;
	}

	if (hl_store_last(s, set_index, &last) == 0) {
		for (int i = 0; i < set->n; i++)
			if (hl_range_contains(&set->r[i], &last)) {
				idx = i;
				cur = last;
				have_cur = true;
				break;
			}
	}
	if (!have_cur) {
		idx = 0;
		cur = set->r[0].start;
		start = cur;
	} else {
		start.family = 0;
	}
	for (;;) {
		r = &set->r[idx];
		if (have_cur) {
			if (ccni_ip_equal(&cur, &r->end)) {
				idx = (idx + 1) % set->n;
				r = &set->r[idx];
				cur = r->start;
			} else {
				ccni_ip_add(&cur, 1);
			}
			if (!start.family)
				start = cur;
			else if (ccni_ip_equal(&cur, &start))
				break;
		}
		have_cur = true;
		if (ccni_ip_equal(&cur, &r->gateway))
			continue;
		rc = hl_store_reserve(s, id, ifname, &cur, set_index, err);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			addr->ip = cur;
			addr->prefix = r->subnet.prefix;
			*gw = r->gateway;
			return 0;
		}
	}
	return ccni_error_set(err, CCNI_ERR_ADDR_EXHAUSTED,
			      "no IP addresses available in range set %s",
			      hl_set_text(set, text, sizeof(text)));
}
