/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vrf — a chained plugin that makes the container's interface a port of a
 * VRF, as the reference does: the VRF "vrfname" is made in the container's
 * namespace when it is not there yet (up, on "table", or on the first
 * table nothing in the namespace uses), the interface joins it, and its
 * routes move into the VRF's table (vrf-move.c). DEL takes the interface
 * out and deletes the VRF once no port is left; nothing is left to do when
 * the namespace, the VRF or the interface is gone. The result is prevResult.
 *
 * Everything happens in the container's namespace, under an exclusive
 * flock(2) on it, so that two attachments of one container never both make
 * the VRF, or delete it while the other joins it.
 */
#include <stdlib.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/link-vrf.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/rule.h"
#include "plugins/meta/vrf/vrf.h"


/* --- configuration and choices ------------------------------------------------ */

/* vrfname: required, an interface name. */
static int get_name(const struct ccni_request *req, struct vrf_conf *c, struct ccni_error *err)
{
	if (ccni_json_get_string(req->config, "", "vrfname", &c->name, err) < 0)
		return -1;
	if (!c->name || !*c->name)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "vrfname: missing (the name of the VRF to add the interface "
				      "to)");
	if (!ccni_ifname_valid(c->name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "vrfname: invalid interface name \"%.32s\"", c->name);
	return 0;
}

/* Every key, each bad one a problem of its own when validating. */
int vrf_conf_parse(const struct ccni_request *req, struct vrf_conf *c, struct ccni_error *err)
{
	long long t = 0;

	memset(c, 0, sizeof(*c));
	if (CCNI_CONF_TRY(req, err, get_name(req, c, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(req->config, "", "table", 0, UINT32_MAX, &t,
						       err)) < 0)
		return -1;
	c->table = (uint32_t)t;
	return 0;
}

uint32_t vrf_table_choose(const uint32_t *vrfs, size_t nv, const uint32_t *routes, size_t nr,
			  const uint32_t *rules, size_t nu)
{
	_cleanup_free_ uint32_t *all = calloc(nv + nr + nu + 1, sizeof(*all));

	if (!all)
		return 0;
	/* an empty list may be NULL: memcpy must not see it */
	if (nv)
		memcpy(all, vrfs, nv * sizeof(*all));
	if (nr)
		memcpy(all + nv, routes, nr * sizeof(*all));
	if (nu)
		memcpy(all + nv + nr, rules, nu * sizeof(*all));
	return route_table_unused(all, nv + nr + nu, 1);
}

/* --- the container's namespace ------------------------------------------------ */

struct vrf_ns {
	int nsfd;
	struct nl_sock *sk;
};

static void vrf_ns_close(struct vrf_ns *s)
{
	netlink_closep(&s->sk);
	closep(&s->nsfd); /* drops the lock too */
}

static int vrf_ns_open(const struct ccni_request *req, struct vrf_ns *s, struct ccni_error *err)
{
	return netlink_open_locked(req->netns, &s->nsfd, &s->sk, err);
}

/* The VRF, as it is: 0, 1 when there is none, -1 (not a VRF: an error
 * naming what it is). */
static int find_vrf(struct vrf_ns *s, const struct vrf_conf *c, struct link *vrf, uint32_t *table,
		    struct ccni_error *err)
{
	int rc = link_vrf_get(s->sk, c->name, vrf, table, err);

	if (rc == 2)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "vrfname: \"%s\" is a%s %s link in the container, not a VRF",
				      c->name, vrf->kind[0] ? "" : "n", vrf->kind[0] ? vrf->kind :
										"untyped");
	return rc;
}

/* --- ADD ------------------------------------------------------------------------- */

/* The first table that no VRF, route or rule of the namespace uses. */
static int choose_table(struct vrf_ns *s, uint32_t *table, struct ccni_error *err)
{
	_cleanup_free_ uint32_t *vt = NULL, *rt = NULL, *ut = NULL;
	size_t nv, nr, nu;

	if (link_vrf_tables(s->sk, &vt, &nv, err) < 0 || route_tables(s->sk, &rt, &nr, err) < 0 ||
	    rule_tables(s->sk, &ut, &nu, err) < 0)
		return -1;
	*table = vrf_table_choose(vt, nv, rt, nr, ut, nu);
	return *table ? 0 : ccni_error_set(err, CCNI_ERR_INTERNAL, "table: no free routing table");
}

/* The VRF, made when it is not there; a VRF that is there must have the
 * table the config names, if it names one. */
static int vrf_get_or_make(struct vrf_ns *s, const struct vrf_conf *c, struct link *vrf,
			   uint32_t *table, bool *made, struct ccni_error *err)
{
	int rc = find_vrf(s, c, vrf, table, err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (c->table && *table != c->table)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "table: VRF %s already exists with table %u, not %u",
					      c->name, *table, c->table);
		return 0;
	}
	*table = c->table;
	if (!*table && choose_table(s, table, err) < 0)
		return -1;
	if (link_vrf_create(s->sk, c->name, *table, vrf, err) < 0)
		return -1;
	*made = true;
	return 0;
}

/* The interface, which must have no master yet. */
static int get_interface(struct vrf_ns *s, const struct ccni_request *req, struct link *l,
			 struct ccni_error *err)
{
	char m[LINK_NAME_MAX];
	int rc = link_get(s->sk, req->ifname, 0, l, err);

	if (rc != 0)
		return rc < 0 ? -1 : ccni_error_set(err, CCNI_ERR_NOT_FOUND,
						     "CNI_IFNAME: no link \"%s\" in the container",
						     req->ifname);
	if (l->master)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "CNI_IFNAME: interface %s already has a master: %s",
				      req->ifname, link_name(s->sk, l->master, m));
	return 0;
}

static int vrf_add(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	_cleanup_(vrf_ns_close) struct vrf_ns s = { .nsfd = -1 };
	_cleanup_(vrf_move_clear) struct vrf_move m = { 0 };
	struct ccni_error e = CCNI_ERROR_INIT;
	struct vrf_conf c;
	struct link vrf;
	uint32_t table;
	bool made = false;

	if (vrf_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "prevResult: missing (vrf is a chained plugin: it needs the "
				      "result of the plugin that made the interface)");
	if (vrf_ns_open(req, &s, err) < 0 || get_interface(&s, req, &m.intf, err) < 0 ||
	    vrf_get_or_make(&s, &c, &vrf, &table, &made, err) < 0)
		return -1;
	if (vrf_move_in(s.sk, s.nsfd, &vrf, table, &m, err) < 0 ||
	    !(*out = ccni_result_copy(req->prev_result))) {
		if (!ccni_error_is_set(err))
			ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (made && link_del(s.sk, vrf.ifindex, &e) < 0)
			ccni_error_clear(&e);
		return -1;
	}
	return 0;
}

/* --- DEL and CHECK ------------------------------------------------------------- */

static int count_port(const struct link *l, void *arg)
{
	(void)l;
	++*(size_t *)arg;
	return 0;
}

static int vrf_del(const struct ccni_request *req, struct ccni_result **out,
		   struct ccni_error *err)
{
	_cleanup_(vrf_ns_close) struct vrf_ns s = { .nsfd = -1 };
	struct link_change leave = { .master = LINK_NO_MASTER };
	struct vrf_conf c;
	struct link vrf, l;
	uint32_t table;
	size_t ports = 0;
	int rc;

	(void)out;
	if (vrf_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->netns || !*req->netns)
		return 0;
	if (vrf_ns_open(req, &s, err) < 0) {
		if (err->code != CCNI_ERR_UNKNOWN_CONTAINER)
			return -1;
		ccni_error_clear(err); /* the namespace is gone, and the VRF with it */
		return 0;
	}
	/* no VRF of that name (or not a VRF: ADD made none then): done */
	if ((rc = link_vrf_get(s.sk, c.name, &vrf, &table, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = link_get(s.sk, req->ifname, 0, &l, err)) < 0)
		return -1;
	if (rc == 0 && l.master == vrf.ifindex && link_set(s.sk, l.ifindex, &leave, err) < 0)
		return -1;
	if (link_list(s.sk, vrf.ifindex, NULL, count_port, &ports, err) < 0)
		return -1;
	return ports ? 0 : link_del(s.sk, vrf.ifindex, err);
}

static int vrf_check(const struct ccni_request *req, struct ccni_result **out,
		     struct ccni_error *err)
{
	_cleanup_(vrf_ns_close) struct vrf_ns s = { .nsfd = -1 };
	struct vrf_conf c;
	struct link vrf, l;
	uint32_t table;
	int rc;

	(void)out;
	if (vrf_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "prevResult: required for CHECK");
	if (vrf_ns_open(req, &s, err) < 0 || (rc = find_vrf(&s, &c, &vrf, &table, err)) < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "vrfname: no VRF \"%s\" in the container", c.name);
	if (c.table && table != c.table)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "table: VRF %s has table %u, not %u", c.name, table, c.table);
	if ((rc = link_get(s.sk, req->ifname, 0, &l, err)) < 0)
		return -1;
	if (rc == 1 || l.master != vrf.ifindex)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "CNI_IFNAME: %s is not a port of VRF %s", req->ifname, c.name);
	return 0;
}

/* `ccni validate`: its keys, and its parser. */
static const char *const vrf_keys[] = { "vrfname", "table", NULL };

static int vrf_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct vrf_conf c;

	return vrf_conf_parse(req, &c, err);
}

/* The reference supports 0.3.1 and later. */
static const char *const vrf_versions[] = { "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

const struct ccni_plugin plugin_vrf = {
	.name = "vrf",
	.about = "ccni vrf: the container's interface as a port of a VRF",
	.versions = vrf_versions,
	.add = vrf_add,
	.del = vrf_del,
	.check = vrf_check,
	/* STATUS: no IPAM to ask, always ready */
	.validate = vrf_validate,
	.keys = vrf_keys,
};
