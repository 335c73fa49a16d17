/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp — IPAM from a DHCP server on the container's network, a drop-in for
 * the reference's: the plugin asks a daemon that holds and renews the
 * leases ("dhcp daemon", argv dispatch below), and starts that daemon
 * itself when none answers. ADD: a lease (the daemon's DHCP exchange on
 * the container's interface); DEL: released by the daemon's record, also
 * with the netns gone, and again; CHECK: the lease is held and its address
 * is on the interface; STATUS: the daemon answers or can be started; GC:
 * the leases of attachments that are no longer valid are released.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp.h"

/* The request to the daemon: the attachment and the resolved options. */
static json_t *request_json(const struct ccni_request *req, const char *op,
			    const struct dhcp_conf *c)
{
	char ns[2 * PATH_MAX + 2] = "", cwd[PATH_MAX];
	json_t *j;

	/* the daemon runs elsewhere: an absolute netns path, as the reference */
	if (req->netns && req->netns[0] != '/' && getcwd(cwd, sizeof(cwd)))
		snprintf(ns, sizeof(ns), "%s/%s", cwd, req->netns);
	else if (req->netns)
		snprintf(ns, sizeof(ns), "%s", req->netns);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "op", op, "containerID",
		      req->container_id ? req->container_id : "", "network", req->name, "ifName",
		      req->ifname ? req->ifname : "", "netns", ns, "priority",
		      (json_int_t)c->priority);
	if (j && dhcp_json_put_options(j, c->request, c->n_request, c->provide, c->n_provide) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Parse the config and ask the daemon, starting one when always_start,
 * or when the daemon's files hold the attachment's lease (or, for GC and
 * STATUS, any lease): those need a daemon to release or renew them.
 * 0, 1 (no daemon and none started) or -1. */
static int ask(const struct ccni_request *req, const char *op, bool always_start, json_t **reply,
	       struct ccni_error *err)
{
	struct dhcp_conf c;
	_cleanup_json_ json_t *j = NULL;
	bool start;

	if (dhcp_conf_parse(req, &c, err) < 0)
		return -1;
	j = request_json(req, op, &c);
	if (!j)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (streq(op, "GC") && req->valid_attachments)
		json_object_set(j, "valid", req->valid_attachments);
	start = always_start ||
		dhcp_state_has(c.socket_path, req->container_id, req->name, req->ifname ? req->ifname : "");
	return dhcp_ipc_call(c.socket_path, j, start, reply, err);
}

static int dhcp_add(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	_cleanup_json_ json_t *reply = NULL;

	if (ask(req, "ADD", true, &reply, err) < 0)
		return -1;
	if (ccni_result_decode(json_object_get(reply, "result"), "1.1.0", out, err) < 0)
		return ccni_error_prefix(err, "dhcp daemon's result");
	return 0;
}

static int dhcp_del(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	_cleanup_json_ json_t *reply = NULL;

	(void)out;
	/* no daemon and no lease on disk: nothing was held */
	return ask(req, "DEL", false, &reply, err) < 0 ? -1 : 0;
}

/* The prevResult, when there is one, names the lease's address. */
static int check_prev(const struct ccni_request *req, uint32_t addr, int prefix,
		      struct ccni_error *err)
{
	char a[INET_ADDRSTRLEN];

	if (!req->prev_result)
		return 0;
	for (size_t i = 0; i < req->prev_result->n_ips; i++) {
		const struct ccni_ipnet *n = &req->prev_result->ips[i].address;

		if (n->ip.family == AF_INET && !memcmp(n->ip.addr, &addr, 4) && n->prefix == prefix)
			return 0;
	}
	return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
			      "dhcp: the lease of %s/%d is not in prevResult",
			      inet_ntop(AF_INET, &addr, a, sizeof(a)), prefix);
}

static int dhcp_check(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	_cleanup_json_ json_t *reply = NULL;
	const char *ip;
	uint32_t addr;
	int prefix, rc;

	(void)out;
	rc = ask(req, "CHECK", false, &reply, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "dhcp: no lease held for container %s interface %s (no daemon "
				      "and no lease on disk)",
				      req->container_id, req->ifname);
	ip = json_string_value(json_object_get(reply, "address"));
	prefix = (int)json_integer_value(json_object_get(reply, "prefix"));
	if (!ip || inet_pton(AF_INET, ip, &addr) != 1)
		return ccni_error_set(err, CCNI_ERR_IO, "dhcp daemon: CHECK answer without an address");
	if (check_prev(req, addr, prefix, err) < 0)
		return -1;
	rc = dhcp_link_has_addr(req->netns, req->ifname, addr, prefix, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "dhcp: the lease of %s/%d is held but %s in %s does not carry it",
				      ip, prefix, req->ifname, req->netns);
	return 0;
}

static int dhcp_status(const struct ccni_request *req, struct ccni_result **out,
		       struct ccni_error *err)
{
	_cleanup_json_ json_t *reply = NULL;
	struct dhcp_conf c;
	int rc;

	(void)out;
	/* leases on disk and no daemon: start one, they need renewing */
	rc = ask(req, "STATUS", false, &reply, err);
	if (rc == 1 && dhcp_conf_parse(req, &c, err) == 0)
		rc = dhcp_ipc_can_start(c.socket_path, err);
	if (rc < 0)
		err->code = CCNI_ERR_PLUGIN_UNAVAILABLE;
	return rc < 0 ? -1 : 0;
}

static int dhcp_gc(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	_cleanup_json_ json_t *reply = NULL;

	(void)out;
	if (!req->valid_attachments)
		return 0;
	return ask(req, "GC", false, &reply, err) < 0 ? -1 : 0;
}

static int dhcp_command(int argc, char **argv)
{
	if (argc > 1 && streq(argv[1], "daemon"))
		return dhcp_daemon_main(argc, argv);
	return -1;
}

const struct ccni_plugin plugin_dhcp = {
	.name = "dhcp",
	.about = "ccni dhcp: IP address management from a DHCP server (\"dhcp daemon\" runs the "
		 "daemon; the plugin starts one when none answers)",
	.add = dhcp_add,
	.del = dhcp_del,
	.check = dhcp_check,
	.status = dhcp_status,
	.gc = dhcp_gc,
	.ipam = true,
	.command = dhcp_command,
	.validate = dhcp_validate,
	.keys = dhcp_keys,
};
