/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static-validate.c — static for `ccni validate`: its keys, and its config
 * parser (static_conf_parse, the one ADD runs) run alone; each address is
 * published as a one-address range, so that an address another network's
 * host-local could hand out is found across the conf dir.
 */
#include <stdio.h>

#include <ccni/result.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/static/static.h"

const char *const static_keys[] = {
	"ipam.type", "ipam.addresses[].address", "ipam.addresses[].gateway",
	"ipam.routes[].dst", "ipam.routes[].gw", "ipam.routes[].mtu", "ipam.routes[].advmss",
	"ipam.routes[].priority", "ipam.routes[].table", "ipam.routes[].scope",
	"ipam.dns.nameservers", "ipam.dns.domain", "ipam.dns.search", "ipam.dns.options",
	NULL,
};

static json_t *ranges_fact(const struct ccni_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_ips; i++) {
		struct ccni_ipnet net = ccni_ipnet_network(&r->ips[i].address);
		char n[CCNI_IPNET_STRLEN], ip[CCNI_IP_STRLEN], key[64];

		ccni_ip_format(&r->ips[i].address.ip, ip);
		snprintf(key, sizeof(key), "ipam.addresses[%zu].address", i);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "subnet",
						   ccni_ipnet_format(&net, n), "rangeStart", ip,
						   "rangeEnd", ip, "key", key));
	}
	return a;
}

int static_validate(const struct ccni_request *req, struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;

	if (static_conf_parse(req, &r, err) < 0)
		return -1;
	ccni_conf_fact(req, "ranges", ranges_fact(r));
	return 0;
}
