/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cnet.c — the CNI side of a Docker network: the conflist (loaded by
 * libccni, exactly as any runtime loads it), the host-local range set that
 * is the Docker pool (read by host-local's own config parser, so defaults
 * and validation are host-local's), and the config an endpoint's ADD runs
 * with.
 *
 * Why ADD gets its own config: Docker asks for the address (RequestAddress)
 * before it names the endpoint, so the address is reserved in the shared
 * store first; running host-local again at Join would find it taken. The
 * chain instead gets the static IPAM plugin with that address, the pool's
 * gateway and host-local's routes — every other plugin runs as configured.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"

int cnet_load(struct cd *cd, const char *name, struct ccni_network **net, struct ccni_error *err)
{
	if (!name || !*name)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "no CNI network named: pass --ipam-opt cni.network=NAME (and "
				      "--opt cni.network=NAME)");
	if (ccni_network_load(cd->rt, name, net, err) < 0)
		return ccni_error_prefix(err, "CNI network \"%s\"", name);
	return 0;
}

/* The plugin holding host-local's "ipam" (index), or -1 with err. */
static int host_local_plugin(const struct ccni_network *net, struct ccni_error *err)
{
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++) {
		json_t *ipam = json_object_get(ccni_network_plugin(net, i), "ipam");
		const char *type = json_string_value(json_object_get(ipam, "type"));

		if (!json_is_object(ipam) || !type)
			continue;
		if (streq(type, "host-local"))
			return (int)i;
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "CNI network \"%s\": ipam type \"%s\"; Docker shares addresses "
				      "with CNI through host-local's store only",
				      ccni_network_name(net), type);
	}
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			      "CNI network \"%s\" has no host-local \"ipam\" to share addresses with",
			      ccni_network_name(net));
}

static void v4_ranges(const struct hl_config *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int s = 0; s < c->n_sets && off < len; s++)
		if (c->sets[s].r[0].subnet.ip.family == AF_INET) {
			char t[512];

			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "; " : "",
						hl_set_text(&c->sets[s], t, sizeof(t)));
		}
}

/* The pool of an already loaded network. */
static int pool_of(const struct ccni_network *net, const struct ccni_ipnet *subnet,
		   struct cd_pool *pool, struct ccni_error *err)
{
	struct ccni_request req = { .command = CCNI_CMD_ADD, .command_name = "ADD" };
	struct hl_config c;
	char have[1024], b[CCNI_IPNET_STRLEN];
	int i = host_local_plugin(net, err), rc = -1;

	if (i < 0)
		return -1;
	memset(pool, 0, sizeof(*pool));
	req.config = ccni_network_plugin(net, (size_t)i);
	req.name = ccni_network_name(net);
	req.cni_version = ccni_network_version(net);
	if (hl_config_parse(&req, &c, err) < 0) {
		ccni_error_prefix(err, "CNI network \"%s\"", req.name);
		goto out;
	}
	for (int s = 0; s < c.n_sets; s++) {
		const struct hl_rangeset *set = &c.sets[s];

		if (set->r[0].subnet.ip.family != AF_INET)
			continue;
		for (int k = 0; k < set->n; k++) {
			const struct hl_range *r = &set->r[k];

			if (subnet ? !ccni_ipnet_equal(&r->subnet, subnet) :
				     pool->set.n && !ccni_ipnet_equal(&r->subnet, &pool->subnet))
				continue;
			if (!pool->set.n) {
				pool->subnet = r->subnet;
				pool->gateway = r->gateway;
				pool->set_index = s;
				snprintf(pool->set.where, sizeof(pool->set.where), "%s", set->where);
			}
			pool->set.r[pool->set.n++] = *r;
		}
		if (pool->set.n)
			break;
	}
	v4_ranges(&c, have, sizeof(have));
	if (!pool->set.n) {
		if (subnet)
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "--subnet %s is not the subnet of a host-local range of CNI "
				       "network \"%s\" (%s)",
				       ccni_ipnet_format(subnet, b), req.name,
				       *have ? have : "it has no IPv4 range");
		else
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "CNI network \"%s\" has no IPv4 host-local range", req.name);
		goto out;
	}
	snprintf(pool->network, sizeof(pool->network), "%s", req.name);
	snprintf(pool->data_dir, sizeof(pool->data_dir), "%s", c.data_dir);
	rc = 0;
out:
	hl_config_free(&c);
	return rc;
}

int cnet_pool(struct cd *cd, const char *name, const struct ccni_ipnet *subnet,
	      struct cd_pool *pool, struct ccni_error *err)
{
	_cleanup_(ccni_network_freep) struct ccni_network *net = NULL;

	if (cnet_load(cd, name, &net, err) < 0)
		return -1;
	return pool_of(net, subnet, pool, err);
}

static bool conf_file(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && ((l > 9 && streq(n + l - 9, ".conflist")) ||
			       (l > 5 && (streq(n + l - 5, ".conf") || streq(n + l - 5, ".json"))));
}

int cnet_find_by_subnet(struct cd *cd, const struct ccni_ipnet *subnet, char *name, size_t len,
			struct ccni_error *err)
{
	struct dirent **names = NULL;
	char found[1024] = "", b[CCNI_IPNET_STRLEN];
	int n = scandir(cd->conf_dir, &names, NULL, alphasort), hits = 0;

	if (n < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "conf dir %s: cannot list",
					cd->conf_dir);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = util_asprintf("%s/%s", cd->conf_dir, names[i]->d_name);
		_cleanup_(ccni_network_freep) struct ccni_network *net = NULL;
		struct ccni_error e = CCNI_ERROR_INIT;
		struct cd_pool p;
		const char *nm;

		free(names[i]);
		if (!path || !conf_file(strrchr(path, '/') + 1) ||
		    ccni_network_load_file(cd->rt, path, &net, &e) < 0 || pool_of(net, subnet, &p, &e) < 0) {
			ccni_error_clear(&e);
			continue;
		}
		nm = ccni_network_name(net);
		if (hits && strstr(found, nm))
			continue;
		if (hits++ == 0)
			snprintf(name, len, "%s", nm);
		snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s\"%s\"",
			 hits > 1 ? ", " : "", nm);
	}
	free(names);
	if (hits == 1)
		return 0;
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			      hits ? "several CNI networks in %s have subnet %s (%s): pass --ipam-opt "
				     "cni.network=NAME" :
				     "no CNI network in %s has a host-local range with subnet %s%s: pass "
				     "--ipam-opt cni.network=NAME",
			      cd->conf_dir, ccni_ipnet_format(subnet, b), found);
}

/* The top-level keys of the network's document, without "plugins". */
static json_t *doc_base(const struct ccni_network *net)
{
	const char *src = ccni_network_source(net);
	_cleanup_json_ json_t *file = src ? json_load_file(src, 0, NULL) : NULL;
	json_t *doc = json_object();

	if (json_is_object(file) && json_object_get(file, "plugins")) {
		json_object_update(doc, file);
		json_object_del(doc, "plugins");
	}
	json_object_set_new(doc, "name", json_string(ccni_network_name(net)));
	if (!json_object_get(doc, "cniVersion"))
		json_object_set_new(doc, "cniVersion", json_string(ccni_network_version(net)));
	/* the plugins below include the aggregated ones already */
	json_object_set_new(doc, "loadOnlyInlined", json_true());
	return doc;
}

char *cnet_endpoint_conf(const struct ccni_network *net, const struct ccni_ipnet *addr,
			 struct ccni_error *err)
{
	_cleanup_json_ json_t *doc = doc_base(net);
	json_t *plugins = json_array(), *plugin, *ipam, *routes;
	char a[CCNI_IPNET_STRLEN], gw[CCNI_IP_STRLEN];
	struct ccni_ipnet subnet = ccni_ipnet_network(addr);
	struct cd_pool pool;
	int hl;

	json_object_set_new(doc, "plugins", plugins);
	if ((hl = host_local_plugin(net, err)) < 0 || pool_of(net, &subnet, &pool, err) < 0)
		return NULL;
	for (size_t i = 0; i < ccni_network_n_plugins(net); i++)
		json_array_append_new(plugins, json_deep_copy(ccni_network_plugin(net, i)));
	plugin = json_array_get(plugins, (size_t)hl);
	routes = json_object_get(json_object_get(plugin, "ipam"), "routes");
	ipam = json_pack("{s:s,s:[{s:s,s:s}]}", "type", "static", "addresses", "address",
			 ccni_ipnet_format(addr, a), "gateway", ccni_ip_format(&pool.gateway, gw));
	if (ipam && json_is_array(routes))
		json_object_set(ipam, "routes", routes);
	json_object_set_new(plugin, "ipam", ipam);
	return json_dumps(doc, JSON_COMPACT);
}

char *cnet_pool_id(const char *network, const struct ccni_ipnet *subnet)
{
	char b[CCNI_IPNET_STRLEN];

	return util_asprintf("ccni/%s/%s", network, ccni_ipnet_format(subnet, b));
}

int cnet_parse_pool_id(const char *id, char *network, size_t len, struct ccni_ipnet *subnet,
		       struct ccni_error *err)
{
	const char *slash = id && strncmp(id, "ccni/", 5) == 0 ? strchr(id + 5, '/') : NULL;

	if (!slash || (size_t)(slash - id - 5) >= len || ccni_ipnet_parse(slash + 1, subnet) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "PoolID: \"%.100s\" is not a pool of ccni's (ccni/NETWORK/SUBNET)",
				      id ? id : "");
	snprintf(network, len, "%.*s", (int)(slash - id - 5), id + 5);
	if (!ccni_name_valid(network))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "PoolID: \"%.100s\": invalid network name", id);
	return 0;
}
