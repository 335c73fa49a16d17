/* SPDX-License-Identifier: Apache-2.0 */
/* attach-conf.h — the config keys the veth plugins (bridge, ptp) read
 * alike: ipMasq, ipMasqBackend, mtu. Internal. */
#ifndef CCNI_NET_ATTACH_CONF_H
#define CCNI_NET_ATTACH_CONF_H

#include <stdbool.h>

#include <ccni/plugin.h>

struct attach_common {
	bool ipmasq;
	const char *masq_backend; /* "nftables" (default) or "iptables" */
	unsigned mtu;		  /* 0: the kernel's default */
};

/* Parse them from req->config; when validating, a bad one is recorded and
 * its default kept (see CCNI_CONF_TRY). */
int attach_conf_common(const struct ccni_request *req, struct attach_common *out,
		       struct ccni_error *err);

#endif
