/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach-conf.c — ipMasq, ipMasqBackend and mtu, read the same way by
 * bridge and ptp (same keys, defaults and messages as the reference),
 * reporting each bad one when `ccni validate` asks.
 */
#include <string.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "net/attach-conf.h"

int attach_conf_common(const struct ccni_request *req, struct attach_common *out,
		       struct ccni_error *err)
{
	json_t *c = req->config;
	long long v = 0;

	memset(out, 0, sizeof(*out));
	out->masq_backend = "nftables";
	if (CCNI_CONF_TRY(req, err, ccni_json_get_bool(c, "", "ipMasq", &out->ipmasq, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(c, "", "ipMasqBackend", &out->masq_backend,
							  err)) < 0)
		return -1;
	if (!out->masq_backend || !*out->masq_backend)
		out->masq_backend = "nftables";
	if (!streq(out->masq_backend, "nftables") && !streq(out->masq_backend, "iptables") &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "ipMasqBackend: \"%.32s\" is not \"nftables\" or \"iptables\"",
			    out->masq_backend) < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, ccni_json_get_int(c, "", "mtu", 0, 65535, &v, err)) < 0)
		return -1;
	if (v && v < 68 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG, "mtu: %lld is below the minimum of 68",
			    v) < 0)
		return -1;
	out->mtu = v >= 68 ? (unsigned)v : 0;
	return 0;
}
