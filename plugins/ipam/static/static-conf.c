/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static-conf.c — static IPAM's configuration, read as the reference reads
 * it, straight into the result ADD prints: "ipam.addresses", CNI_ARGS IP=
 * and GATEWAY=, args.cni.ips, runtimeConfig.ips, "ipam.routes" (the
 * result's route type) and "ipam.dns". Unlike the reference, an address
 * whose gateway or a route whose gw is of the other family is refused here
 * rather than left for the kernel to refuse when the address is applied.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/static/static.h"


static int oom(struct ccni_error *err)
{
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "static: out of memory");
}

static int parse_gateway(const char *where, const char *s, struct ccni_ip *out,
			 struct ccni_error *err)
{
	if (ccni_ip_parse(s, out) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: \"%.64s\" is not an IP address", where, s);
	ccni_ip_unmap4(out);
	return 0;
}

/* Append ADDRESS/PREFIX (with gw, family 0 for none) to r's addresses.
 * "::ffff:10.1.1.1/120" is 10.1.1.1/24, as the reference reads it. */
static int add_address(struct ccni_result *r, const char *where, const char *s,
		       const struct ccni_ip *gw, struct ccni_error *err)
{
	struct ccni_ipnet net;
	char b[CCNI_IP_STRLEN];

	if (r->n_ips >= STATIC_MAX_ADDRESSES)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: more than %d addresses", where, STATIC_MAX_ADDRESSES);
	if (ccni_ipnet_parse(s, &net) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: \"%.64s\" is not an address in CIDR notation "
				      "(ADDRESS/PREFIX)",
				      where, s);
	if (net.ip.family == AF_INET6 && net.prefix >= 96) {
		ccni_ip_unmap4(&net.ip);
		if (net.ip.family == AF_INET)
			net.prefix -= 96;
	}
	if (gw->family && gw->family != net.ip.family)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: gateway %s is not of the family of the address \"%.64s\"",
				      where, ccni_ip_format(gw, b), s);
	if (ccni_result_add_ip(r, &net, gw, -1) < 0)
		return oom(err);
	return 0;
}

static int config_address(json_t *e, size_t i, struct ccni_result *r, struct ccni_error *err)
{
	const char *addr = NULL, *gws = NULL;
	struct ccni_ip gw = { 0 };
	char w[40], wa[56], wg[56], b[72];

	snprintf(w, sizeof(w), "ipam.addresses[%zu]", i);
	snprintf(wa, sizeof(wa), "%s.address", w);
	snprintf(wg, sizeof(wg), "%s.gateway", w);
	if (!json_is_object(e))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: expected an object, got %s",
				      w, ccni_json_brief(e, b, sizeof(b)));
	if (ccni_json_require_string(e, w, "address", &addr, err) < 0 ||
	    ccni_json_get_string(e, w, "gateway", &gws, err) < 0)
		return -1;
	/* "" is no gateway, as for Go's net.IP */
	if (gws && *gws && parse_gateway(wg, gws, &gw, err) < 0)
		return -1;
	return add_address(r, wa, addr, &gw, err);
}

/* Each address on its own: validation reports every bad one. */
static int config_addresses(const struct ccni_request *req, json_t *ipam, struct ccni_result *r,
			    struct ccni_error *err)
{
	json_t *arr = json_object_get(ipam, "addresses"), *e;
	size_t i;
	char b[72];

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "ipam.addresses: expected an array, got %s",
				       ccni_json_brief(arr, b, sizeof(b)));
	json_array_foreach(arr, i, e)
		if (CCNI_CONF_TRY(req, err, config_address(e, i, r, err)) < 0)
			return -1;
	return 0;
}

/* The next comma-separated item of *s, spaces trimmed ("" items too, which
 * the callers refuse, as Go's strings.Split hands them on); NULL at the end. */
static char *next_item(char **s)
{
	char *item = strsep(s, ","), *end;

	if (!item)
		return NULL;
	item += strspn(item, " \t\r\n\v\f");
	end = item + strlen(item);
	while (end > item && strchr(" \t\r\n\v\f", end[-1]))
		*--end = '\0';
	return item;
}

/* The items of CNI_ARGS key=value: an IP= address is appended; a GATEWAY=
 * address becomes the gateway of the IP= addresses (r->ips from `first` on)
 * whose subnet holds it (the reference matches no address of the config). */
static int args_items(const char *key, const char *value, struct ccni_result *r,
		      size_t first, struct ccni_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char *rest, *item, where[24];

	if (!value || !*value)
		return 0;
	if (!(copy = strdup(value)))
		return oom(err);
	snprintf(where, sizeof(where), "CNI_ARGS %s", key);
	rest = copy;
	while ((item = next_item(&rest))) {
		struct ccni_ip g = { 0 };

		if (streq(key, "IP")) {
			if (add_address(r, where, item, &g, err) < 0)
				return -1;
			continue;
		}
		if (parse_gateway(where, item, &g, err) < 0)
			return -1;
		for (size_t i = first; i < r->n_ips; i++)
			if (ccni_ipnet_contains(&r->ips[i].address, &g))
				r->ips[i].gateway = g;
	}
	return 0;
}

static int cni_args(const struct ccni_request *req, struct ccni_result *r,
		    struct ccni_error *err)
{
	static const char *const known[] = { "IP", "GATEWAY", NULL };
	size_t first = r->n_ips;

	if (ccni_args_check_known(&req->args, known, err) < 0 ||
	    args_items("IP", ccni_args_get(&req->args, "IP"), r, first, err) < 0 ||
	    args_items("GATEWAY", ccni_args_get(&req->args, "GATEWAY"), r, first, err) < 0)
		return -1;
	return 0;
}

/* args.cni.ips or runtimeConfig.ips: when not empty, the only addresses. */
static int ips_list(json_t *arr, const char *where, struct ccni_result *r,
		    struct ccni_error *err)
{
	json_t *e;
	size_t i;
	char b[72];

	if (!arr || json_is_null(arr) || (json_is_array(arr) && json_array_size(arr) == 0))
		return 0;
	if (!json_is_array(arr))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: expected an array of addresses, got %s", where,
				      ccni_json_brief(arr, b, sizeof(b)));
	r->n_ips = 0;
	json_array_foreach(arr, i, e) {
		char w[48];

		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (!json_is_string(e))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: expected a string, got %s", w,
					      ccni_json_brief(e, b, sizeof(b)));
		if (add_address(r, w, json_string_value(e), &(struct ccni_ip){ 0 }, err) < 0)
			return -1;
	}
	return 0;
}

/* 0.1.0 and 0.2.0 results hold one address of each family. */
static int check_version(const struct ccni_request *req, const struct ccni_result *r,
			 struct ccni_error *err)
{
	int v4 = 0, v6 = 0;

	if (ccni_version_ge(req->cni_version, "0.3.0"))
		return 0;
	for (size_t i = 0; i < r->n_ips; i++) {
		if (r->ips[i].address.ip.family == AF_INET)
			v4++;
		else
			v6++;
	}
	if (v4 > 1 || v6 > 1)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam.addresses: CNI version %s does not support more than one "
				      "address per family",
				      req->cni_version);
	return 0;
}

/* "ipam.routes" and "ipam.dns" in the result's own types, as the reference. */
static int routes_and_dns(json_t *ipam, struct ccni_result *r, struct ccni_error *err)
{
	char b[CCNI_IP_STRLEN], d[CCNI_IPNET_STRLEN];

	if (ccni_result_decode_routes(ipam, "ipam", r, err) < 0 ||
	    ccni_result_decode_dns(ipam, "ipam", r, err) < 0) {
		err->code = CCNI_ERR_INVALID_CONFIG;
		return -1;
	}
	for (size_t i = 0; i < r->n_routes; i++) {
		const struct ccni_route *rt = &r->routes[i];

		if (rt->gw.family && rt->gw.family != rt->dst.ip.family)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam.routes[%zu].gw: %s is not of the family of dst %s",
					      i, ccni_ip_format(&rt->gw, b),
					      ccni_ipnet_format(&rt->dst, d));
	}
	return 0;
}

int static_conf_parse(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	json_t *ipam = json_object_get(req->config, "ipam");

	*out = NULL;
	if (!json_is_object(ipam))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: missing (static reads its settings from \"ipam\")");
	r = ccni_result_new(req->cni_version);
	if (!r)
		return oom(err);
	if (config_addresses(req, ipam, r, err) < 0 || cni_args(req, r, err) < 0 ||
	    ips_list(json_object_get(req->cni_args, "ips"), "args.cni.ips", r, err) < 0 ||
	    ips_list(json_object_get(req->runtime_config, "ips"), "runtimeConfig.ips", r, err) < 0 ||
	    check_version(req, r, err) < 0 || routes_and_dns(ipam, r, err) < 0)
		return -1;
	*out = TAKE_PTR(r);
	return 0;
}
