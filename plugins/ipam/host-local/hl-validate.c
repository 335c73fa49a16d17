/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hl-validate.c — host-local for `ccni validate`: its keys, and its config
 * parser run alone, publishing the ranges it allocates from and its store
 * directory for the checks across networks.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/host-local/hl.h"

const char *const hl_keys[] = {
	"ipam.type", "ipam.dataDir", "ipam.resolvConf",
	"ipam.ranges[][].subnet", "ipam.ranges[][].rangeStart", "ipam.ranges[][].rangeEnd",
	"ipam.ranges[][].gateway",
	"ipam.subnet", "ipam.rangeStart", "ipam.rangeEnd", "ipam.gateway",
	"ipam.routes[].dst", "ipam.routes[].gw", "ipam.routes[].mtu", "ipam.routes[].advmss",
	"ipam.routes[].priority", "ipam.routes[].table", "ipam.routes[].scope",
	NULL,
};

static json_t *ranges_fact(const struct hl_config *c)
{
	json_t *a = json_array();

	for (int i = 0; i < c->n_sets; i++)
		for (int k = 0; k < c->sets[i].n; k++) {
			const struct hl_range *r = &c->sets[i].r[k];
			char n[CCNI_IPNET_STRLEN], s[CCNI_IP_STRLEN], e[CCNI_IP_STRLEN], key[96];

			/* where the range is written: the legacy one is ipam's own subnet */
			if (streq(c->sets[i].where, "ipam"))
				snprintf(key, sizeof(key), "ipam.subnet");
			else
				snprintf(key, sizeof(key), "%s[%d].subnet", c->sets[i].where, k);
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "subnet",
							   ccni_ipnet_format(&r->subnet, n),
							   "rangeStart", ccni_ip_format(&r->start, s),
							   "rangeEnd", ccni_ip_format(&r->end, e),
							   "key", key));
		}
	return a;
}

int hl_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct hl_config c;
	int rc = hl_config_parse(req, &c, err);

	if (rc == 0) {
		ccni_conf_fact(req, "ranges", ranges_fact(&c));
		if (c.name)
			ccni_conf_fact(req, "store",
				       json_sprintf("%s/%s", c.data_dir, c.name));
	}
	hl_config_free(&c);
	return rc;
}
