/* SPDX-License-Identifier: Apache-2.0 */
/* dummy.h — the dummy plugin's configuration (for its unit tests). */
#ifndef CCNI_DUMMY_H
#define CCNI_DUMMY_H

#include <ccni/plugin.h>

#include "net/attach-link.h"

int dummy_conf_parse(const struct ccni_request *req, struct attach_link *l,
		     struct ccni_error *err);

#endif
