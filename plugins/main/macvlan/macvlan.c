/* SPDX-License-Identifier: Apache-2.0 */
/*
 * macvlan — a macvlan link on a host interface (the master) in the
 * container, as the reference plugin: the same keys, defaults and result
 * (one interface, addresses at index 0, the config's dns). The work is the
 * shared one-link path (net/attach-link.h); this file is the keys.
 */
#include <linux/if_link.h>
#include <stdint.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "net/attach-link.h"
#include "net/link-macvlan.h"
#include "plugins/main/macvlan/macvlan.h"

/* CHECK: the mode is the config's. */
static int macvlan_check(struct nl_sock *ct, const struct link *cv, const struct attach_link *l,
			 struct ccni_error *err)
{
	const union attach_link_data *d = &l->data;
	struct link_macvlan have;
	int rc = link_macvlan_get(ct, cv->ifindex, &have, err);

	if (rc < 0)
		return -1;
	if (rc == 0 && have.mode == d->macvlan.mode)
		return 0;
	return attach_link_mode_differs(cv, link_macvlan_mode_name(have.mode),
					link_macvlan_mode_name(d->macvlan.mode), err);
}

static const struct attach_link_kind macvlan_kind = {
	.kind = "macvlan",
	.on_master = true,
	.announce = true,
	.put_data = link_macvlan_put_data,
	.check = macvlan_check,
};

int macvlan_conf_parse(const struct ccni_request *req, struct attach_link *l,
		       struct ccni_error *err)
{
	json_t *c = req->config;
	const char *mode = NULL;
	long long bcq = 0;

	memset(l, 0, sizeof(*l));
	l->kind = &macvlan_kind;
	l->data.macvlan.mode = MACVLAN_MODE_BRIDGE;
	if (attach_link_parse_master(req, l, false, err) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(c, "", "mode", &mode, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(c, "", "bcqueuelen", 0, UINT32_MAX, &bcq,
						       err)) < 0)
		return -1;
	if (mode && *mode && link_macvlan_mode_parse(mode, &l->data.macvlan.mode) < 0 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "mode: \"%.32s\" is not one of bridge, private, vepa, passthru",
			    mode) < 0)
		return -1;
	/* 0 is the reference's "not set": the kernel's default */
	l->data.macvlan.set_bcqueuelen = bcq > 0;
	l->data.macvlan.bcqueuelen = (uint32_t)bcq;
	/* "ipam": {} (or none) is an interface without addresses */
	if (attach_link_parse_mac(req, l, err) < 0 ||
	    CCNI_CONF_TRY(req, err, attach_link_parse_ipam(req, l, true, err)) < 0)
		return -1;
	l->attach.dns = ATTACH_DNS_CONFIG;
	return 0;
}

/* `ccni validate`: the keys macvlan reads. */
static const char *const macvlan_keys[] = {
	"master", "mode", "mtu", "linkInContainer", "bcqueuelen", "mac", "ipam.type", NULL,
};

ATTACH_LINK_PLUGIN_DEFINE(macvlan, "macvlan",
			  "ccni macvlan: a macvlan link on a host interface in the container",
			  "macvlan", macvlan_conf_parse, macvlan_keys);
