/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdrv.c — the NetworkDriver API. A Docker network is bound to a CNI
 * network by name (`--opt cni.network=NAME`: Docker never tells a driver
 * the network's own name); an endpoint is one CNI attachment whose
 * container id is Docker's endpoint id, created at Join and removed at
 * Leave (attach.c). Every step is idempotent where Docker may repeat or
 * roll back: Leave, DeleteEndpoint and ReleaseAddress of something already
 * gone succeed.
 */
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int need_id(json_t *req, const char *key, const char **out, struct ccni_error *err)
{
	*out = str(req, key);
	if (!state_id_valid(*out))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: \"%.80s\" is not a Docker id",
				      key, *out);
	return 0;
}

static int ok(json_t **resp)
{
	*resp = json_object();
	return 0;
}

static int get_capabilities(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	/* "global" needs swarm; a CNI network is a node's own. */
	*resp = json_pack("{s:s,s:s}", "Scope", "local", "ConnectivityScope", "local");
	return 0;
}

static int nothing(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	return ok(resp);
}

static int oper_info(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	*resp = json_pack("{s:{}}", "Value");
	return 0;
}

/* The checks of a network's options that need no CNI config. */
static int network_options(json_t *req, const char **name, struct ccni_error *err)
{
	json_t *opts = json_object_get(req, "Options"), *v4 = json_object_get(req, "IPv4Data");
	const char *space = str(json_array_get(v4, 0), "AddressSpace");

	*name = str(json_object_get(opts, "com.docker.network.generic"), "cni.network");
	if (json_is_true(json_object_get(opts, "com.docker.network.internal")))
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
				      "--internal is not supported: a CNI network's reach is its "
				      "conflist's (no ipMasq, firewall plugin)");
	if (json_is_true(json_object_get(opts, "com.docker.network.enable_ipv6")) ||
	    json_array_size(json_object_get(req, "IPv6Data")))
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
				      "IPv6 is not supported by ccni-docker (drop --ipv6)");
	if (json_array_size(v4) != 1)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "a ccni network has exactly one IPv4 subnet (got %zu)",
				      json_array_size(v4));
	if (!streq(space, CD_ADDRESS_SPACE))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "this network's addresses would come from another IPAM driver "
				      "(address space \"%s\"): create it with --ipam-driver ccni, so "
				      "Docker and CNI share host-local's pool",
				      space);
	return 0;
}

static int create_network(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	json_t *v4 = json_array_get(json_object_get(req, "IPv4Data"), 0);
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *pool_id = NULL;
	const char *nid, *name;
	char found[256], s[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN];
	struct ccni_ipnet subnet;
	struct cd_pool p;

	if (need_id(req, "NetworkID", &nid, err) < 0 || network_options(req, &name, err) < 0)
		return -1;
	if (ccni_ipnet_parse(str(v4, "Pool"), &subnet) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "IPv4Data: pool \"%.64s\" is not a "
				      "CIDR", str(v4, "Pool"));
	if (!*name) {
		/* only --ipam-opt named it: the one network with this subnet */
		if (cnet_find_by_subnet(cd, &subnet, found, sizeof(found), err) < 0)
			return ccni_error_prefix(err, "which CNI network? pass --opt cni.network=NAME");
		name = found;
	}
	if (cnet_pool(cd, name, &subnet, &p, err) < 0)
		return -1;
	rec = json_pack("{s:s,s:s,s:s,s:s}", "NetworkID", nid, "network", p.network, "pool",
			ccni_ipnet_format(&p.subnet, s), "gateway", ccni_ip_format(&p.gateway, g));
	if (!rec || state_network_save(cd, nid, rec, err) < 0)
		return rec ? -1 : ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	pool_id = cnet_pool_id(p.network, &p.subnet);
	if (pool_id)
		ipam_unmark(cd, pool_id);
	return ok(resp);
}

static int delete_network(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	const char *nid;

	if (need_id(req, "NetworkID", &nid, err) < 0)
		return -1;
	/* the bridge stays: other runtimes' containers share it */
	state_network_remove(cd, nid);
	return ok(resp);
}

/* Docker's port mappings as the portmap plugin's capability argument. */
static int port_mappings(json_t *opts, json_t **caps, struct ccni_error *err)
{
	json_t *pm = json_object_get(opts, "com.docker.network.portmap"), *m, *out;
	size_t i;

	*caps = NULL;
	if (!json_array_size(pm))
		return 0;
	out = json_array();
	json_array_foreach(pm, i, m) {
		json_int_t hp = json_integer_value(json_object_get(m, "HostPort"));
		json_int_t end = json_integer_value(json_object_get(m, "HostPortEnd"));
		json_int_t proto = json_integer_value(json_object_get(m, "Proto"));
		const char *pn = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 132 ? "sctp" : NULL;
		json_t *e;

		if (hp <= 0 || (end && end != hp) || !pn) {
			json_decref(out);
			return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
					      "-p %s%lld: give a single host port (HOST:CONTAINER); "
					      "random host ports and host port ranges are not supported",
					      hp > 0 ? "" : ":", (long long)json_integer_value(json_object_get(m, "Port")));
		}
		e = json_pack("{s:I,s:I,s:s}", "hostPort", hp, "containerPort",
			      json_integer_value(json_object_get(m, "Port")), "protocol", pn);
		if (*str(m, "HostIP"))
			json_object_set_new(e, "hostIP", json_string(str(m, "HostIP")));
		json_array_append_new(out, e);
	}
	*caps = json_pack("{s:o}", "portMappings", out);
	return 0;
}

static int load_network(struct cd *cd, const char *nid, char *name, size_t len,
			struct ccni_error *err)
{
	_cleanup_json_ json_t *rec = NULL;
	int rc = state_network_load(cd, nid, &rec, err);

	if (rc < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "network %.12s is not known to ccni (was it created with -d ccni?)",
				      nid);
	snprintf(name, len, "%s", str(rec, "network"));
	return 0;
}

static int create_endpoint(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	json_t *iface = json_object_get(req, "Interface");
	struct cd_endpoint ep = { 0 };
	const char *nid, *eid, *addr = str(iface, "Address");
	struct ccni_ipnet a;
	char ip[CCNI_IP_STRLEN];
	int rc = -1;

	if (need_id(req, "NetworkID", &nid, err) < 0 || need_id(req, "EndpointID", &eid, err) < 0)
		return -1;
	if (*str(iface, "AddressIPv6"))
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD, "IPv6 addresses are not supported");
	if (ccni_ipnet_parse(addr, &a) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "no IPv4 address from the IPAM driver (\"%s\"): create the network "
				      "with --ipam-driver ccni",
				      addr);
	snprintf(ep.id, sizeof(ep.id), "%s", eid);
	snprintf(ep.network_id, sizeof(ep.network_id), "%s", nid);
	snprintf(ep.address, sizeof(ep.address), "%s", addr);
	snprintf(ep.mac, sizeof(ep.mac), "%s", str(iface, "MacAddress"));
	snprintf(ep.state, sizeof(ep.state), "created");
	if (load_network(cd, nid, ep.network, sizeof(ep.network), err) < 0 ||
	    port_mappings(json_object_get(req, "Options"), &ep.caps, err) < 0 ||
	    ipam_claim(cd, ep.network, ccni_ip_format(&a.ip, ip), eid, err) < 0 ||
	    state_endpoint_save(cd, &ep, err) < 0)
		goto out;
	rc = ok(resp);
out:
	state_endpoint_clear(&ep);
	return rc;
}

/* The routes of the sandboxes: Docker fails a Join whose static route the
 * sandbox already has (from another network), so each is given once. */
struct cd_sb_routes {
	char *key, *endpoint;
	json_t *dsts; /* array of strings */
	struct cd_sb_routes *next;
};

static bool route_taken(struct cd *cd, const char *key, const char *dst)
{
	bool taken = false;

	pthread_mutex_lock(&cd->lock);
	for (struct cd_sb_routes *r = cd->routes; r && !taken; r = r->next) {
		size_t i;
		json_t *d;

		if (!streq(r->key, key))
			continue;
		json_array_foreach(r->dsts, i, d) taken |= streq(json_string_value(d), dst);
	}
	pthread_mutex_unlock(&cd->lock);
	return taken;
}

static void routes_forget(struct cd *cd, const char *endpoint)
{
	pthread_mutex_lock(&cd->lock);
	for (struct cd_sb_routes **p = &cd->routes, *r; (r = *p);) {
		if (streq(r->endpoint, endpoint)) {
			*p = r->next;
			free(r->key);
			free(r->endpoint);
			json_decref(r->dsts);
			free(r);
			continue;
		}
		p = &r->next;
	}
	pthread_mutex_unlock(&cd->lock);
}

void netdrv_remember(struct cd *cd, const struct cd_endpoint *ep)
{
	struct cd_sb_routes *r = calloc(1, sizeof(*r));
	size_t i;
	json_t *rt;

	if (!r || !(r->key = strdup(ep->sandbox_key)) || !(r->endpoint = strdup(ep->id)) ||
	    !(r->dsts = json_array())) {
		if (r) {
			free(r->key);
			free(r->endpoint);
		}
		free(r);
		return;
	}
	json_array_foreach(ep->routes, i, rt)
		json_array_append(r->dsts, json_object_get(rt, "Destination"));
	routes_forget(cd, ep->id);
	pthread_mutex_lock(&cd->lock);
	r->next = cd->routes;
	cd->routes = r;
	pthread_mutex_unlock(&cd->lock);
}

/* Gateway, static routes and the gateway service, from the CNI result. */
static json_t *join_reply(struct cd *cd, struct cd_endpoint *ep, json_t *result)
{
	_cleanup_json_ json_t *routes = json_array();
	json_t *ip = NULL, *r;
	const char *gw = NULL, *def_gw = NULL;
	struct ccni_ipnet a, subnet;
	size_t i;

	json_array_foreach(json_object_get(result, "ips"), i, r)
		if (ccni_ipnet_parse(str(r, "address"), &a) == 0 && a.ip.family == AF_INET) {
			ip = r;
			break;
		}
	gw = ip && *str(ip, "gateway") ? str(ip, "gateway") : NULL;
	subnet = ip ? ccni_ipnet_network(&a) : (struct ccni_ipnet){ 0 };
	json_array_foreach(json_object_get(result, "routes"), i, r) {
		const char *via = *str(r, "gw") ? str(r, "gw") : gw;
		struct ccni_ipnet dst;

		if (ccni_ipnet_parse(str(r, "dst"), &dst) < 0 || dst.ip.family != AF_INET)
			continue;
		if (ccni_ipnet_is_default(&dst)) {
			def_gw = via;
			continue;
		}
		dst = ccni_ipnet_network(&dst);
		if (ccni_ipnet_equal(&dst, &subnet) || route_taken(cd, ep->sandbox_key, str(r, "dst")))
			continue;
		json_array_append_new(routes, via ? json_pack("{s:s,s:i,s:s}", "Destination",
							       str(r, "dst"), "RouteType", 0, "NextHop", via) :
						     json_pack("{s:s,s:i}", "Destination", str(r, "dst"),
							       "RouteType", 1));
	}
	json_decref(ep->routes);
	ep->routes = json_incref(routes);
	/* without a default route Docker would add docker_gwbridge */
	return json_pack("{s:{s:s,s:s},s:s,s:O,s:b}", "InterfaceName", "SrcName", ep->src_name,
			 "DstPrefix", "eth", "Gateway", def_gw ? def_gw : "", "StaticRoutes", routes,
			 "DisableGatewayService", def_gw ? 0 : 1);
}

static int leave_endpoint(struct cd *cd, struct cd_endpoint *ep, struct ccni_error *err)
{
	if (!streq(ep->state, "joined"))
		return 0;
	if (attach_leave(cd, ep, err) < 0)
		return -1;
	snprintf(ep->state, sizeof(ep->state), "left");
	routes_forget(cd, ep->id);
	return state_endpoint_save(cd, ep, err);
}

static int join(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	const char *eid, *key = str(req, "SandboxKey");
	_cleanup_json_ json_t *result = NULL;
	struct cd_endpoint ep;
	int rc;

	if (need_id(req, "EndpointID", &eid, err) < 0)
		return -1;
	if (key[0] != '/' || strstr(key, "/../") || (strlen(key) >= 3 && streq(key + strlen(key) - 3, "/..")) ||
	    strlen(key) >= sizeof(ep.sandbox_key))
		return ccni_error_set(err, CCNI_ERR_INVALID_NETNS, "SandboxKey: \"%.200s\" is not an "
				      "absolute path", key);
	rc = state_endpoint_load(cd, eid, &ep, err);
	if (rc)
		return rc < 0 ? -1 : ccni_error_set(err, CCNI_ERR_NOT_FOUND,
						    "endpoint %.12s was not created by ccni", eid);
	rc = -1;
	if (leave_endpoint(cd, &ep, err) < 0)
		goto out;
	snprintf(ep.sandbox_key, sizeof(ep.sandbox_key), "%s", key);
	if (attach_join(cd, &ep, &result, err) < 0)
		goto out;
	*resp = join_reply(cd, &ep, result);
	snprintf(ep.state, sizeof(ep.state), "joined");
	ep.joined_at = state_now();
	if (state_endpoint_save(cd, &ep, err) < 0) {
		struct ccni_error e = CCNI_ERROR_INIT;

		attach_leave(cd, &ep, &e);
		ccni_error_clear(&e);
		json_decref(*resp);
		*resp = NULL;
		goto out;
	}
	netdrv_remember(cd, &ep);
	rc = 0;
out:
	state_endpoint_clear(&ep);
	return rc;
}

/* Leave, and DeleteEndpoint (remove): both succeed for an endpoint
 * already gone. */
static int teardown(struct cd *cd, json_t *req, json_t **resp, bool remove,
		    struct ccni_error *err)
{
	struct cd_endpoint ep;
	const char *eid;
	int rc;

	if (need_id(req, "EndpointID", &eid, err) < 0)
		return -1;
	rc = state_endpoint_load(cd, eid, &ep, err);
	if (rc)
		return rc < 0 ? -1 : ok(resp);
	rc = leave_endpoint(cd, &ep, err);
	if (rc == 0 && remove) {
		/* Docker moves a link it could not hand back to the driver here */
		attach_drop_src(cd, &ep);
		state_endpoint_remove(cd, ep.id);
	}
	state_endpoint_clear(&ep);
	return rc < 0 ? -1 : ok(resp);
}

static int leave(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	return teardown(cd, req, resp, false, err);
}

static int delete_endpoint(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	return teardown(cd, req, resp, true, err);
}

cd_handler_fn netdrv_route(const char *method)
{
	static const struct {
		const char *name;
		cd_handler_fn fn;
	} t[] = {
		{ "GetCapabilities", get_capabilities },
		{ "CreateNetwork", create_network },
		{ "DeleteNetwork", delete_network },
		{ "CreateEndpoint", create_endpoint },
		{ "DeleteEndpoint", delete_endpoint },
		{ "EndpointOperInfo", oper_info },
		{ "Join", join },
		{ "Leave", leave },
		{ "ProgramExternalConnectivity", nothing }, /* portmap ran at ADD */
		{ "RevokeExternalConnectivity", nothing },
		{ "DiscoverNew", nothing },
		{ "DiscoverDelete", nothing },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (streq(t[i].name, method))
			return t[i].fn;
	return NULL;
}
