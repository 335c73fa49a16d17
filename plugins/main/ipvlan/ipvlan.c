/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipvlan — an ipvlan link on a host interface (the master) in the
 * container, as the reference plugin. Chained after another plugin it may
 * go without master (then prevResult's one interface is the master) and
 * without ipam (then prevResult's addresses and routes go on the link).
 * The work is the shared one-link path (net/attach-link.h).
 */
#include <linux/if_link.h>
#include <stdint.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "net/attach-link.h"
#include "net/link-ipvlan.h"
#include "plugins/main/ipvlan/ipvlan.h"

/* CHECK: the mode is the config's. */
static int ipvlan_check(struct nl_sock *ct, const struct link *cv, const struct attach_link *l,
			struct ccni_error *err)
{
	const union attach_link_data *d = &l->data;
	uint16_t mode;
	int rc = link_ipvlan_get(ct, cv->ifindex, &mode, err);

	if (rc < 0)
		return -1;
	if (rc == 0 && mode == d->ipvlan_mode)
		return 0;
	return attach_link_mode_differs(cv, link_ipvlan_mode_name(mode),
					link_ipvlan_mode_name(d->ipvlan_mode), err);
}

static const struct attach_link_kind ipvlan_kind = {
	.kind = "ipvlan",
	.on_master = true,
	.announce = true,
	.put_data = link_ipvlan_put_data,
	.check = ipvlan_check,
};

int ipvlan_conf_parse(const struct ccni_request *req, struct attach_link *l,
		      struct ccni_error *err)
{
	const struct ccni_result *pr = req->prev_result;
	const char *mode = NULL;

	memset(l, 0, sizeof(*l));
	l->kind = &ipvlan_kind;
	l->data.ipvlan_mode = IPVLAN_MODE_L2;
	if (attach_link_parse_master(req, l, false, err) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(req->config, "", "mode", &mode, err)) < 0)
		return -1;
	if (mode && *mode && link_ipvlan_mode_parse(mode, &l->data.ipvlan_mode) < 0 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "mode: \"%.32s\" is not one of l2, l3, l3s", mode) < 0)
		return -1;
	l->master_from_prev = true;
	if (CCNI_CONF_TRY(req, err, attach_link_parse_ipam(req, l, true, err)) < 0)
		return -1;
	/* chained: prevResult's addresses, which ADD must have (`ccni validate`
	 * has no prevResult: the chain gives it at run time) */
	if (!l->attach.ipam_type) {
		l->ips_from_prev = true;
		if (req->command == CCNI_CMD_ADD && !req->validation && (!pr || !pr->n_ips))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: missing (required unless chained after a plugin "
					      "whose prevResult has addresses)");
		if (pr && pr->n_ips > ATTACH_IPS_MAX)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "prevResult: %zu addresses, more than the %d an "
					      "attachment may have",
					      pr->n_ips, ATTACH_IPS_MAX);
	}
	l->attach.dns = ATTACH_DNS_CONFIG;
	return 0;
}

/* `ccni validate`: the keys ipvlan reads. */
static const char *const ipvlan_keys[] = {
	"master", "mode", "mtu", "linkInContainer", "ipam.type", NULL,
};

ATTACH_LINK_PLUGIN_DEFINE(ipvlan, "ipvlan",
			  "ccni ipvlan: an ipvlan link on a host interface in the container",
			  "ipvlan", ipvlan_conf_parse, ipvlan_keys);
