/* SPDX-License-Identifier: Apache-2.0 */
/* macvlan.h — the macvlan plugin's configuration (for its unit tests). */
#ifndef CCNI_MACVLAN_H
#define CCNI_MACVLAN_H

#include <ccni/plugin.h>

#include "net/attach-link.h"

int macvlan_conf_parse(const struct ccni_request *req, struct attach_link *l,
		       struct ccni_error *err);

#endif
