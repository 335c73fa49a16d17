/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loopback — sets "lo" up in the container (ADD), down (DEL), and checks it
 * is up (CHECK), as the reference does. The result names "lo" with its
 * first IPv4 and first IPv6 address, or passes prevResult on unchanged.
 */
#include <linux/if.h>
#include <string.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/netns.h"

static int open_lo(const struct ccni_request *req, struct nl_sock **sk, struct link *lo,
		   struct ccni_error *err)
{
	_cleanup_close_ int nsfd = -1;
	int rc;

	if (netns_open(req->netns, &nsfd, err) < 0)
		return -1;
	*sk = netlink_open(nsfd, err);
	if (!*sk)
		return -1;
	rc = link_get(*sk, "lo", 0, lo, err);
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND, "no \"lo\" link in %s", req->netns);
	return rc;
}

static int lo_add(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_free_ struct ccni_ipnet *a4 = NULL, *a6 = NULL;
	struct link lo;
	size_t n4, n6;
	struct ccni_result *r;

	if (open_lo(req, &sk, &lo, err) < 0)
		return -1;
	if (!(lo.flags & IFF_UP) && link_set_up(sk, lo.ifindex, true, err) < 0)
		return -1;
	if (req->prev_result) {
		*out = ccni_result_copy(req->prev_result);
		return *out ? 0 : ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	if (addr_list(sk, lo.ifindex, AF_INET, &a4, &n4, err) < 0 ||
	    addr_list(sk, lo.ifindex, AF_INET6, &a6, &n6, err) < 0)
		return -1;
	for (size_t i = 0; i < n4; i++)
		if (a4[i].ip.addr[0] != 127)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "loopback interface found with a non-loopback address");
	r = ccni_result_new(req->cni_version);
	if (!r || ccni_result_add_interface(r, "lo", "00:00:00:00:00:00", req->netns) < 0 ||
	    (n4 > 0 && ccni_result_add_ip(r, &a4[0], NULL, 0) < 0) ||
	    (n6 > 0 && ccni_result_add_ip(r, &a6[0], NULL, 0) < 0)) {
		ccni_result_free(r);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	*out = r;
	return 0;
}

static int lo_del(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	struct link lo;

	(void)out;
	if (!req->netns || access(req->netns, F_OK) != 0)
		return 0; /* the namespace is gone: nothing to undo */
	if (open_lo(req, &sk, &lo, err) < 0)
		return -1;
	return link_set_up(sk, lo.ifindex, false, err);
}

static int lo_check(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	struct link lo;

	(void)out;
	if (open_lo(req, &sk, &lo, err) < 0)
		return -1;
	if (!(lo.flags & IFF_UP))
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED, "loopback interface is down");
	return 0;
}

/* `ccni validate`: loopback reads no key of its own; any other is a
 * warning. */
static const char *const lo_keys[] = { NULL };

static int lo_validate(const struct ccni_request *req, struct ccni_error *err)
{
	(void)req;
	(void)err;
	return 0;
}

const struct ccni_plugin plugin_loopback = {
	.name = "loopback",
	.about = "ccni loopback: brings the container's lo up",
	.add = lo_add,
	.del = lo_del,
	.check = lo_check,
	.validate = lo_validate,
	.keys = lo_keys,
};
