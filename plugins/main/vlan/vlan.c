/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vlan — an 802.1Q VLAN link on a host interface (the master) in the
 * container, as the reference plugin: each container its own (master,
 * vlanId) pair. The work is the shared one-link path (net/attach-link.h).
 */
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "net/attach-link.h"
#include "net/link-vlan.h"
#include "plugins/main/vlan/vlan.h"

/* CHECK: the VLAN id and (when the config sets one) the MTU are the
 * config's. */
static int vlan_check(struct nl_sock *ct, const struct link *cv, const struct attach_link *l,
		      struct ccni_error *err)
{
	uint16_t id;
	int rc = link_vlan_get(ct, cv->ifindex, &id, err);

	if (rc < 0)
		return -1;
	if (rc > 0 || id != l->data.vlan_id)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: VLAN id %d, the config's vlanId is %u", cv->name,
				      rc > 0 ? -1 : (int)id, l->data.vlan_id);
	if (l->mtu && cv->mtu != l->mtu)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: MTU %u, the config's mtu is %u", cv->name,
				      cv->mtu, l->mtu);
	return 0;
}

static const struct attach_link_kind vlan_kind = {
	.kind = "vlan",
	.on_master = true,
	.put_data = link_vlan_put_data,
	.check = vlan_check,
};

int vlan_conf_parse(const struct ccni_request *req, struct attach_link *l, struct ccni_error *err)
{
	json_t *c = req->config;
	long long id = 0;

	memset(l, 0, sizeof(*l));
	l->kind = &vlan_kind;
	if (attach_link_parse_master(req, l, true, err) < 0)
		return -1;
	if (!json_object_get(c, "vlanId") || json_is_null(json_object_get(c, "vlanId"))) {
		if (ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				    "vlanId: missing (the VLAN id, 0 to 4094)") < 0)
			return -1;
	} else if (CCNI_CONF_TRY(req, err, ccni_json_get_int(c, "", "vlanId", 0, 4094, &id,
							      err)) < 0) {
		return -1;
	}
	l->data.vlan_id = (uint16_t)id;
	if (CCNI_CONF_TRY(req, err, attach_link_parse_ipam(req, l, false, err)) < 0)
		return -1;
	l->attach.dns = ATTACH_DNS_CONFIG;
	return 0;
}

/* `ccni validate`: the keys vlan reads. */
static const char *const vlan_keys[] = {
	"master", "vlanId", "mtu", "linkInContainer", "ipam.type", NULL,
};

ATTACH_LINK_PLUGIN_DEFINE(vlan, "vlan",
			  "ccni vlan: an 802.1Q VLAN link on a host interface in the container",
			  "vlan", vlan_conf_parse, vlan_keys);
