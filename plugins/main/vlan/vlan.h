/* SPDX-License-Identifier: Apache-2.0 */
/* vlan.h — the vlan plugin's configuration (for its unit tests). */
#ifndef CCNI_VLAN_H
#define CCNI_VLAN_H

#include <ccni/plugin.h>

#include "net/attach-link.h"

int vlan_conf_parse(const struct ccni_request *req, struct attach_link *l,
		    struct ccni_error *err);

#endif
