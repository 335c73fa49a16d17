/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipam.c — the IpamDriver API over host-local's own store: a Docker
 * address is a reservation file in the CNI network's host-local directory,
 * made with host-local's allocator under host-local's lock, so Docker
 * containers and CNI attachments draw from one pool and can never get the
 * same address, in either order, however many run at once.
 *
 * RequestAddress comes before Docker names the endpoint: the reservation
 * is first held as "docker-pending-<MAC>" (the MAC is the only thing Docker
 * sends that ties it to the endpoint) and given to the endpoint id at
 * CreateEndpoint. An address record in the daemon's state says the
 * reservation is Docker's; ReleaseAddress frees nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/netlink.h"
#include "net/route.h"
#include "tools/ccni-docker/ccni-docker.h"

#define MARK_TTL_S 60

struct cd_pool_mark {
	char *id;
	long long at;
	struct cd_pool_mark *next;
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int get_capabilities(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	/* No replay: the store is on disk and survives any restart. */
	*resp = json_pack("{s:b,s:b}", "RequiresMACAddress", 1, "RequiresRequestReplay", 0);
	return 0;
}

static int default_spaces(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	*resp = json_pack("{s:s,s:s}", "LocalDefaultAddressSpace", CD_ADDRESS_SPACE,
			  "GlobalDefaultAddressSpace", CD_ADDRESS_SPACE "-global");
	return 0;
}

/* Docker checks a pool it did not get from --subnet against the host's
 * routes and, on overlap, asks again — forever, holding each answer. A
 * second empty-Pool request for a pool still marked is that loop. */
static bool mark_pool(struct cd *cd, const char *id)
{
	long long now = state_now();
	struct cd_pool_mark **p, *m;
	bool looping = false;

	pthread_mutex_lock(&cd->lock);
	for (p = &cd->marks; (m = *p);) {
		if (now - m->at > MARK_TTL_S) {
			*p = m->next;
			free(m->id);
			free(m);
			continue;
		}
		looping |= streq(m->id, id);
		p = &m->next;
	}
	if (!looping) {
		m = calloc(1, sizeof(*m));
		if (m && (m->id = strdup(id))) {
			m->at = now;
			m->next = cd->marks;
			cd->marks = m;
		} else {
			free(m);
		}
	}
	pthread_mutex_unlock(&cd->lock);
	return looping;
}

void ipam_unmark(struct cd *cd, const char *id)
{
	pthread_mutex_lock(&cd->lock);
	for (struct cd_pool_mark **p = &cd->marks, *m; (m = *p); p = &m->next)
		if (streq(m->id, id)) {
			*p = m->next;
			free(m->id);
			free(m);
			break;
		}
	pthread_mutex_unlock(&cd->lock);
}

struct overlap {
	const struct ccni_ipnet *net;
	struct ccni_ipnet hit;
	bool found;
};

/* As Docker's own check: the main table's routes with a destination. */
static int overlapping(const struct route *r, void *arg)
{
	struct overlap *o = arg;

	if (!o->found && r->dst.prefix && ccni_ipnet_overlaps(&r->dst, o->net)) {
		o->hit = r->dst;
		o->found = true;
	}
	return 0;
}

/* A pool chosen without --subnet: refuse at once when Docker will refuse
 * it (its subnet is routed here, typically by the CNI bridge). */
static int check_unrouted(struct cd *cd, const struct cd_pool *p, const char *id,
			  struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = netlink_open(-1, err);
	struct overlap o = { &p->subnet };
	struct ccni_ipnet hit;
	char s[CCNI_IPNET_STRLEN], h[CCNI_IPNET_STRLEN];
	int rc;

	if (!sk || route_foreach(sk, AF_INET, 0, overlapping, &o, err) < 0)
		return -1;
	rc = o.found ? 1 : 0;
	hit = o.hit;
	ccni_ipnet_format(&p->subnet, s);
	if (rc == 1 || mark_pool(cd, id))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "CNI network \"%s\" has subnet %s, which this host already routes "
				      "(%s%s); Docker refuses a pool it did not get from --subnet when "
				      "it overlaps a route: add --subnet %s",
				      p->network, s, rc == 1 ? ccni_ipnet_format(&hit, h) : "another route",
				      rc == 1 ? ", e.g. the network's bridge" : "", s);
	return 0;
}

static int request_pool(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	const char *pool = str(req, "Pool"), *sub = str(req, "SubPool");
	const char *name = str(json_object_get(req, "Options"), "cni.network");
	_cleanup_free_ char *id = NULL;
	struct ccni_ipnet want;
	char found[256], s[CCNI_IPNET_STRLEN], g[CCNI_IPNET_STRLEN];
	struct cd_pool p;

	if (json_is_true(json_object_get(req, "V6")))
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
				      "IPv6 pools are not supported by ccni-docker (drop --ipv6)");
	if (*pool && ccni_ipnet_parse(pool, &want) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "--subnet %s is not a CIDR", pool);
	if (*pool)
		want = ccni_ipnet_network(&want);
	if (*sub && !streq(sub, pool))
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
				      "--ip-range %s: the range Docker allocates from is the CNI "
				      "network's host-local range (rangeStart-rangeEnd)",
				      sub);
	if (!*name) {
		if (!*pool)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "which CNI network? pass --ipam-opt cni.network=NAME");
		if (cnet_find_by_subnet(cd, &want, found, sizeof(found), err) < 0)
			return -1;
		name = found;
	}
	if (cnet_pool(cd, name, *pool ? &want : NULL, &p, err) < 0)
		return -1;
	id = cnet_pool_id(p.network, &p.subnet);
	if (!id)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!*pool && check_unrouted(cd, &p, id, err) < 0)
		return -1;
	ccni_ipnet_format(&p.subnet, s);
	ccni_ip_format(&p.gateway, g);
	snprintf(g + strlen(g), sizeof(g) - strlen(g), "/%u", p.subnet.prefix);
	*resp = json_pack("{s:s,s:s,s:{s:s}}", "PoolID", id, "Pool", s, "Data",
			  "com.docker.network.gateway", g);
	return 0;
}

static int release_pool(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)err;
	ipam_unmark(cd, str(req, "PoolID"));
	*resp = json_object();
	return 0;
}

static int gateway_request(const struct cd_pool *p, const char *addr, json_t **resp,
			   struct ccni_error *err)
{
	char g[CCNI_IPNET_STRLEN];
	struct ccni_ip ip;

	ccni_ip_format(&p->gateway, g);
	if (*addr && (ccni_ip_parse(addr, &ip) < 0 || !ccni_ip_equal(&ip, &p->gateway)))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "--gateway %s: the gateway of CNI network \"%s\" is %s (its "
				      "host-local range's)",
				      addr, p->network, g);
	snprintf(g + strlen(g), sizeof(g) - strlen(g), "/%u", p->subnet.prefix);
	*resp = json_pack("{s:s,s:{}}", "Address", g, "Data");
	return 0;
}

/* "address in use" naming the holder, Docker's or another runtime's. */
static int in_use(struct cd *cd, struct hl_store *st, const struct cd_pool *p,
		  const struct ccni_ip *ip, struct ccni_error *err)
{
	char id[1025], ifname[64], b[CCNI_IP_STRLEN];
	struct cd_address a;
	int rc = hl_store_owner(st, ip, id, sizeof(id), ifname, sizeof(ifname));

	ccni_ip_format(ip, b);
	if (rc == 0)
		return 0;
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				      "address %s of CNI network \"%s\" is reserved (unreadable "
				      "reservation %s/%s/%s)",
				      b, p->network, p->data_dir, p->network, b);
	if (state_address_get(cd, p->network, b, &a) == 0 && streq(a.owner, id))
		return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				      "address %s is already in use by Docker endpoint %.12s on CNI "
				      "network \"%s\"",
				      b, id, p->network);
	return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
			      "address %s is already in use by container %s (interface %s) on CNI "
			      "network \"%s\" (host-local reservation %s/%s/%s)",
			      b, id, *ifname ? ifname : "?", p->network, p->data_dir, p->network, b);
}

/* Reserve an address (the one asked for, or the next free) for owner. */
static int reserve(struct cd *cd, const struct cd_pool *p, const char *owner, const char *want,
		   struct ccni_ipnet *got, struct ccni_error *err)
{
	struct hl_store st;
	struct ccni_ip ip, gw;
	struct cd_address a = { 0 };
	char b[CCNI_IP_STRLEN];
	int rc = -1;

	if (*want && ccni_ip_parse(want, &ip) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "--ip %s is not an IP address", want);
	if (hl_store_open(&st, p->data_dir, p->network, err) < 0)
		goto out;
	if (*want && in_use(cd, &st, p, &ip, err) < 0)
		goto out;
	if (hl_allocate(&st, &p->set, p->set_index, owner, CD_IFNAME, *want ? &ip : NULL, got, &gw,
			err) < 0) {
		ccni_error_prefix(err, "CNI network \"%s\"", p->network);
		goto out;
	}
	snprintf(a.owner, sizeof(a.owner), "%s", owner);
	snprintf(a.data_dir, sizeof(a.data_dir), "%s", p->data_dir);
	if (state_address_set(cd, p->network, ccni_ip_format(&got->ip, b), &a, err) < 0) {
		hl_store_release_ip(&st, owner, CD_IFNAME, &got->ip);
		goto out;
	}
	rc = 0;
out:
	hl_store_close(&st);
	return rc;
}

static int request_address(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	const char *addr = str(req, "Address");
	json_t *opts = json_object_get(req, "Options");
	const char *mac = str(opts, "com.docker.network.endpoint.macaddress");
	char name[256], owner[64], b[CCNI_IP_STRLEN + 16];
	struct ccni_ipnet subnet, got;
	struct cd_address a;
	struct cd_pool p;
	uint8_t m[6];

	if (cnet_parse_pool_id(str(req, "PoolID"), name, sizeof(name), &subnet, err) < 0 ||
	    cnet_pool(cd, name, &subnet, &p, err) < 0)
		return -1;
	if (streq(str(opts, "RequestAddressType"), "com.docker.network.gateway"))
		return gateway_request(&p, addr, resp, err);
	if (!*mac) {
		/* An address already ours (a replay) is confirmed; aux
		 * addresses would need an owner nobody collects. */
		if (*addr && state_address_get(cd, name, addr, &a) == 0) {
			snprintf(b, sizeof(b), "%.*s/%u", CCNI_IP_STRLEN, addr, p.subnet.prefix);
			*resp = json_pack("{s:s,s:{}}", "Address", b, "Data");
			return 0;
		}
		return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
				      "address %s requested without an endpoint: --aux-address is not "
				      "supported (leave the address out of the host-local range instead)",
				      *addr ? addr : "(any)");
	}
	if (ccni_mac_parse(mac, m) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "MAC address \"%.32s\" is not valid",
				      mac);
	snprintf(owner, sizeof(owner), CD_PENDING "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	if (reserve(cd, &p, owner, addr, &got, err) < 0)
		return -1;
	*resp = json_pack("{s:s,s:{}}", "Address", ccni_ipnet_format(&got, b), "Data");
	return 0;
}

int ipam_claim(struct cd *cd, const char *network, const char *ip, const char *endpoint,
	       struct ccni_error *err)
{
	struct cd_address a;
	struct hl_store st;
	struct ccni_ip addr;
	int rc;

	if (ccni_ip_parse(ip, &addr) < 0 || state_address_get(cd, network, ip, &a) != 0)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "address %s of CNI network \"%s\" was not reserved by ccni "
				      "(create the Docker network with --ipam-driver ccni)",
				      ip, network);
	if (streq(a.owner, endpoint))
		return 0;
	if (hl_store_open(&st, a.data_dir, network, err) < 0)
		return -1;
	rc = hl_store_transfer(&st, &addr, a.owner, CD_IFNAME, endpoint, CD_IFNAME, err);
	hl_store_close(&st);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				      "address %s of CNI network \"%s\" is no longer held for Docker "
				      "(%s/%s/%s was released or taken)",
				      ip, network, a.data_dir, network, ip);
	snprintf(a.owner, sizeof(a.owner), "%s", endpoint);
	return state_address_set(cd, network, ip, &a, err);
}

int ipam_release(struct cd *cd, const char *network, const char *ip, struct ccni_error *err)
{
	struct cd_address a;
	struct hl_store st;
	struct ccni_ip addr;

	if (ccni_ip_parse(ip, &addr) < 0 || state_address_get(cd, network, ip, &a) != 0)
		return 0; /* not Docker's: never free another runtime's address */
	if (hl_store_open(&st, a.data_dir, network, err) < 0)
		return -1;
	hl_store_release_ip(&st, a.owner, CD_IFNAME, &addr);
	hl_store_close(&st);
	state_address_remove(cd, network, ip);
	return 0;
}

static int release_address(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	char name[256];
	struct ccni_ipnet subnet;

	if (cnet_parse_pool_id(str(req, "PoolID"), name, sizeof(name), &subnet, err) < 0 ||
	    ipam_release(cd, name, str(req, "Address"), err) < 0)
		return -1;
	*resp = json_object();
	return 0;
}

cd_handler_fn ipam_route(const char *method)
{
	static const struct {
		const char *name;
		cd_handler_fn fn;
	} t[] = {
		{ "GetCapabilities", get_capabilities }, { "GetDefaultAddressSpaces", default_spaces },
		{ "RequestPool", request_pool },         { "ReleasePool", release_pool },
		{ "RequestAddress", request_address },   { "ReleaseAddress", release_address },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (streq(t[i].name, method))
			return t[i].fn;
	return NULL;
}
