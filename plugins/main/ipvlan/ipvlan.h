/* SPDX-License-Identifier: Apache-2.0 */
/* ipvlan.h — the ipvlan plugin's configuration (for its unit tests). */
#ifndef CCNI_IPVLAN_H
#define CCNI_IPVLAN_H

#include <ccni/plugin.h>

#include "net/attach-link.h"

int ipvlan_conf_parse(const struct ccni_request *req, struct attach_link *l,
		      struct ccni_error *err);

#endif
