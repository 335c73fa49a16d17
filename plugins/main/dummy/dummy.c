/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dummy — a dummy link in the container holding the IPAM addresses, as the
 * reference plugin: routed to, never transmitting. The result's dns is
 * IPAM's (the reference reads no "dns" key). The work is the shared
 * one-link path (net/attach-link.h).
 */
#include <linux/if.h>
#include <string.h>

#include <ccni/plugin.h>

#include "net/attach-link.h"
#include "plugins/main/dummy/dummy.h"

/* CHECK: the link is up, as the reference asks. */
static int dummy_check(struct nl_sock *ct, const struct link *cv, const struct attach_link *l,
		       struct ccni_error *err)
{
	(void)ct;
	(void)l;
	if (!(cv->flags & IFF_UP))
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "interface %s: down", cv->name);
	return 0;
}

static const struct attach_link_kind dummy_kind = {
	.kind = "dummy",
	.check = dummy_check,
};

int dummy_conf_parse(const struct ccni_request *req, struct attach_link *l,
		     struct ccni_error *err)
{
	memset(l, 0, sizeof(*l));
	l->kind = &dummy_kind;
	if (attach_link_parse_ipam(req, l, false, err) < 0)
		return -1;
	l->attach.dns = ATTACH_DNS_IPAM;
	return 0;
}

/* `ccni validate`: the keys dummy reads. */
static const char *const dummy_keys[] = { "ipam.type", NULL };

ATTACH_LINK_PLUGIN_DEFINE(dummy, "dummy", "ccni dummy: a dummy link in the container", "dummy",
			  dummy_conf_parse, dummy_keys);
