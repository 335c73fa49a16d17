/* SPDX-License-Identifier: Apache-2.0 */
/* bandwidth.h — the bandwidth plugin's configuration and tbf arithmetic,
 * for its unit tests. */
#ifndef CCNI_PLUGIN_BANDWIDTH_H
#define CCNI_PLUGIN_BANDWIDTH_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/plugin.h>

#include "net/qdisc.h"

#define BANDWIDTH_IFB_PREFIX "bwp"
#define BANDWIDTH_LATENCY_MS 25

/* Rates in bits per second, bursts in bits; 0 is "not set". */
struct bandwidth_limits {
	uint64_t ingress_rate, ingress_burst;
	uint64_t egress_rate, egress_burst;
	const char *where; /* where they came from: "" (the config) or "runtimeConfig.bandwidth" */
};

/* The limits of a request: the config's four keys when any of them is
 * there, else runtimeConfig.bandwidth (as the reference: the config wins
 * as a whole). Checked in pairs (a rate needs its burst and the other way
 * round; a burst below 4 GB). */
int bandwidth_conf_parse(const struct ccni_request *req, struct bandwidth_limits *bw,
			 struct ccni_error *err);
static inline bool bandwidth_ingress(const struct bandwidth_limits *bw)
{
	return bw->ingress_rate > 0 && bw->ingress_burst > 0;
}
static inline bool bandwidth_egress(const struct bandwidth_limits *bw)
{
	return bw->egress_rate > 0 && bw->egress_burst > 0;
}

/* The tbf parameters for a rate and burst, computed with the reference's
 * arithmetic (bytes, a 25 ms latency, its float rounding and truncations)
 * so that the kernel holds the same values for either plugin. */
void bandwidth_tbf(uint64_t rate_bits, uint64_t burst_bits, double ticks_per_usec,
		   struct qdisc_tbf *out);

/* The ifb device of an attachment: "bwp" and the hex SHA-512 of network
 * name + container id, cut to 15 characters. */
void bandwidth_ifb_name(const char *network, const char *container_id, char out[16]);

#endif
