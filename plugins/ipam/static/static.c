/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static — IPAM that hands out the addresses, routes and DNS its config (or
 * the runtime, through CNI_ARGS, args or runtimeConfig) names. It holds no
 * state: DEL and GC have nothing to release, STATUS is ready whenever the
 * config can be read, and CHECK compares prevResult with the config.
 */
#include <string.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/static/static.h"


static int static_add(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	return static_conf_parse(req, out, err);
}

/* DEL: nothing was reserved, and a config DEL cannot read must not make a
 * repeated or late DEL fail (the reference reads none either). */
static int static_del(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	(void)req;
	(void)out;
	(void)err;
	return 0;
}

static const struct ccni_ipconfig *find_ip(const struct ccni_result *prev,
					   const struct ccni_ip *ip)
{
	for (size_t i = 0; i < prev->n_ips; i++)
		if (ccni_ip_equal(&prev->ips[i].address.ip, ip))
			return &prev->ips[i];
	return NULL;
}

/* CHECK: every configured address is in prevResult with its prefix and, when
 * the config names one, its gateway. The reference passes an address that
 * prevResult lacks and ignores the prefix; the spec asks for an error when
 * an address is missing or not as it should be. */
static int static_check(const struct ccni_request *req, struct ccni_result **out,
			struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *want = NULL;
	const struct ccni_result *prev = req->prev_result;

	(void)out;
	if (static_conf_parse(req, &want, err) < 0)
		return -1;
	if (!prev)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "static: CHECK needs prevResult, the result of ADD");
	for (size_t i = 0; i < want->n_ips; i++) {
		const struct ccni_ipconfig *w = &want->ips[i], *got = find_ip(prev, &w->address.ip);
		char a[CCNI_IPNET_STRLEN], b[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN];

		ccni_ipnet_format(&w->address, a);
		if (!got)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "static: address %s on interface %s is not in prevResult",
					      a, req->ifname);
		if (got->address.prefix != w->address.prefix)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "static: address %s on interface %s is %s in prevResult",
					      a, req->ifname, ccni_ipnet_format(&got->address, b));
		if (ccni_ip_is_set(&w->gateway) && !ccni_ip_equal(&w->gateway, &got->gateway))
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "static: address %s on interface %s has gateway %s in "
					      "prevResult, the config says %s",
					      a, req->ifname, ccni_ip_format(&got->gateway, g),
					      ccni_ip_format(&w->gateway, b));
	}
	return 0;
}

/* STATUS: ready when ADD could read the config. */
static int static_status(const struct ccni_request *req, struct ccni_result **out,
			 struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;

	(void)out;
	return static_conf_parse(req, &r, err);
}

const struct ccni_plugin plugin_static = {
	.name = "static",
	.about = "ccni static: IP address management from the config",
	.add = static_add,
	.del = static_del,
	.check = static_check,
	.status = static_status,
	.ipam = true,
	.validate = static_validate,
	.keys = static_keys,
};
