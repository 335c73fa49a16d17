/* SPDX-License-Identifier: Apache-2.0 */
/* tap.h — the tap plugin's configuration (for its unit tests). */
#ifndef CCNI_TAP_H
#define CCNI_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/plugin.h>

#include "net/attach.h"

struct tap_conf {
	bool has_mac;
	uint8_t mac[6];		/* "mac", CNI_ARGS MAC, runtimeConfig.mac (the last wins) */
	unsigned mtu;		/* 0: the kernel's */
	const char *selinux;	/* "selinuxcontext" (NULL: none) */
	bool multi_queue;
	bool has_owner, has_group;
	uint32_t owner, group;
	const char *bridge;	/* a bridge in the container to make it a port of */
	const char *ipam_type;	/* NULL: layer 2 only */
	struct attach_conf attach;
};

int tap_conf_parse(const struct ccni_request *req, struct tap_conf *c, struct ccni_error *err);

#endif
