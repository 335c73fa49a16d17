/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge-validate.c — bridge for `ccni validate` (its parser is
 * bridge_conf_parse): its keys, and the bridge's name as a fact for the
 * checks across networks (one bridge, one subnet).
 */
#include <ccni/plugin.h>

#include "plugins/main/bridge/bridge.h"

const char *const bridge_keys[] = {
	"bridge", "isGateway", "isDefaultGateway", "forceAddress", "ipMasq", "ipMasqBackend",
	"mtu", "hairpinMode", "promiscMode", "vlan", "vlanTrunk[].minID", "vlanTrunk[].maxID",
	"vlanTrunk[].id", "preserveDefaultVlan", "macspoofchk", "enabledad",
	"disableContainerInterface", "portIsolation", "ipam.type", NULL,
};

void bridge_facts(const struct ccni_request *req, const void *conf)
{
	const struct bridge_conf *b = conf;

	ccni_conf_fact(req, "bridge", json_string(b->bridge));
}
