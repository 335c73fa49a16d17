/* SPDX-License-Identifier: Apache-2.0 */
/* ptp.h — the ptp plugin's configuration (for its unit tests). */
#ifndef CCNI_PTP_H
#define CCNI_PTP_H

#include <stdbool.h>

#include <ccni/plugin.h>

#include "net/attach.h"

struct ptp_conf {
	bool ipmasq;
	const char *ipmasq_backend; /* "nftables" (default) or "iptables" */
	unsigned mtu;
	const char *ipam_type;
	struct attach_conf attach; /* what the shared skeleton does with these */
};

int ptp_conf_parse(const struct ccni_request *req, struct ptp_conf *p, struct ccni_error *err);

#endif
