/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hl-config.c — host-local's configuration, as the reference reads it:
 * "ranges" (range sets), the legacy top-level subnet/rangeStart/rangeEnd/
 * gateway, "routes", "dataDir", "resolvConf"; requested addresses from
 * CNI_ARGS IP=, args.cni.ips and runtimeConfig.ips; runtimeConfig.ipRanges
 * replacing "ranges". Every error names the key and the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/host-local/hl.h"

static int bad(struct ccni_error *err, const char *where, const char *what, const char *value)
{
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: %s \"%.64s\"", where, what,
			      value ? value : "");
}

static int get_ip(json_t *o, const char *where, const char *key, struct ccni_ip *out,
		  struct ccni_error *err)
{
	const char *s = NULL;
	char w[96];

	if (ccni_json_get_string(o, where, key, &s, err) < 0)
		return -1;
	if (!s || !*s)
		return 0;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (ccni_ip_parse(s, out) < 0)
		return bad(err, w, "invalid IP address", s);
	return 0;
}

/* One range: parse, then fill the defaults and check it as the reference
 * does (network address, start/end/gateway inside the subnet). */
static int parse_range(json_t *o, const char *where, struct hl_range *r, struct ccni_error *err)
{
	const char *subnet = NULL;
	struct ccni_ipnet net;
	char w[96], b[CCNI_IPNET_STRLEN];

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o))
		return ccni_json_type_error(o, where, "an object", err);
	if (ccni_json_require_string(o, where, "subnet", &subnet, err) < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.subnet", where);
	if (ccni_ipnet_parse(subnet, &net) < 0)
		return bad(err, w, "invalid CIDR", subnet);
	if ((unsigned)net.prefix + 2 > ccni_ip_bits(&net.ip))
		return bad(err, w, "network too small to allocate from", subnet);
	r->subnet = ccni_ipnet_network(&net);
	if (!ccni_ip_equal(&r->subnet.ip, &net.ip))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: \"%s\" has host bits set; the network address is %s", w,
				      subnet, ccni_ipnet_format(&r->subnet, b));
	if (get_ip(o, where, "rangeStart", &r->start, err) < 0 ||
	    get_ip(o, where, "rangeEnd", &r->end, err) < 0 ||
	    get_ip(o, where, "gateway", &r->gateway, err) < 0)
		return -1;
	if (!r->gateway.family) {
		r->gateway = r->subnet.ip;
		ccni_ip_add(&r->gateway, 1);
	}
	if (r->start.family) {
		if (!ccni_ipnet_contains(&r->subnet, &r->start))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.rangeStart: %s is not in network %s", where,
					      json_string_value(json_object_get(o, "rangeStart")), subnet);
	} else {
		r->start = r->subnet.ip;
		ccni_ip_add(&r->start, 1);
	}
	if (r->end.family) {
		if (!ccni_ipnet_contains(&r->subnet, &r->end))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.rangeEnd: %s is not in network %s", where,
					      json_string_value(json_object_get(o, "rangeEnd")), subnet);
	} else {
		r->end = ccni_ipnet_last(&r->subnet);
		if (r->end.family == AF_INET)
			ccni_ip_add(&r->end, -1); /* not the broadcast address */
	}
	if (ccni_ip_cmp(&r->start, &r->end) > 0) {
		char s[CCNI_IP_STRLEN], e[CCNI_IP_STRLEN];

		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: rangeStart %s is after rangeEnd %s", where,
				      ccni_ip_format(&r->start, s), ccni_ip_format(&r->end, e));
	}
	return 0;
}

bool hl_range_contains(const struct hl_range *r, const struct ccni_ip *ip)
{
	return ccni_ipnet_contains(&r->subnet, ip) && ccni_ip_cmp(ip, &r->start) >= 0 &&
	       ccni_ip_cmp(ip, &r->end) <= 0;
}

static bool ranges_overlap(const struct hl_range *a, const struct hl_range *b)
{
	if (a->start.family != b->start.family)
		return false;
	return hl_range_contains(a, &b->start) || hl_range_contains(a, &b->end) ||
	       hl_range_contains(b, &a->start) || hl_range_contains(b, &a->end);
}

const struct hl_range *hl_set_find(const struct hl_rangeset *s, const struct ccni_ip *ip)
{
	for (int i = 0; i < s->n; i++)
		if (hl_range_contains(&s->r[i], ip))
			return &s->r[i];
	return NULL;
}

const char *hl_set_text(const struct hl_rangeset *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->n && off < len; i++) {
		char n[CCNI_IPNET_STRLEN], a[CCNI_IP_STRLEN], b[CCNI_IP_STRLEN];

		off += (size_t)snprintf(buf + off, len - off, "%s%s (%s-%s)", i ? ", " : "",
					ccni_ipnet_format(&s->r[i].subnet, n),
					ccni_ip_format(&s->r[i].start, a),
					ccni_ip_format(&s->r[i].end, b));
	}
	return buf;
}

static int parse_sets(json_t *ranges, const char *where, struct hl_config *c,
		      struct ccni_error *err)
{
	size_t i, k;
	json_t *set, *r;

	if (!json_is_array(ranges))
		return ccni_json_type_error(ranges, where, "an array of range sets", err);
	json_array_foreach(ranges, i, set) {
		struct hl_rangeset *s;
		char w[64];

		if (c->n_sets == HL_MAX_SETS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: more than %d range sets", where, HL_MAX_SETS);
		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (!json_is_array(set) || json_array_size(set) == 0)
			return ccni_json_type_error(set, w, "a non-empty array of ranges", err);
		s = &c->sets[c->n_sets++];
		snprintf(s->where, sizeof(s->where), "%s", w);
		json_array_foreach(set, k, r) {
			char rw[112];

			if (s->n == HL_MAX_RANGES)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "%s: more than %d ranges", w, HL_MAX_RANGES);
			snprintf(rw, sizeof(rw), "%s[%zu]", w, k);
			if (parse_range(r, rw, &s->r[s->n], err) < 0)
				return -1;
			s->n++;
		}
	}
	return 0;
}

/* A range's key path: "ipam.ranges[1][0]"; "ipam" for the one range of
 * the old subnet form. */
static const char *range_path(const char *set, int i, char *buf, size_t len)
{
	size_t n = strlen(set);

	if (n && set[n - 1] == ']')
		snprintf(buf, len, "%s[%d]", set, i);
	else
		snprintf(buf, len, "%s", set);
	return buf;
}

/* "RANGE (SUBNET) overlaps with RANGE (SUBNET)", naming both. */
static int overlap_error(const char *wa, int a, const struct hl_range *ra, const char *wb,
			 int b, const struct hl_range *rb, struct ccni_error *err)
{
	char na[CCNI_IPNET_STRLEN], nb[CCNI_IPNET_STRLEN], pa[96], pb[96];

	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s (%s) overlaps with %s (%s)",
			      range_path(wa, a, pa, sizeof(pa)), ccni_ipnet_format(&ra->subnet, na),
			      range_path(wb, b, pb, sizeof(pb)), ccni_ipnet_format(&rb->subnet, nb));
}

static int validate_sets(struct hl_config *c, struct ccni_error *err)
{
	if (c->n_sets == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: no IP ranges specified (\"ranges\" or \"subnet\")");
	for (int i = 0; i < c->n_sets; i++) {
		struct hl_rangeset *s = &c->sets[i];

		for (int a = 0; a < s->n; a++) {
			if (s->r[a].subnet.ip.family != s->r[0].subnet.ip.family)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "%s: mixed address families in one range set",
						      s->where);
			for (int b = 0; b < a; b++)
				if (ranges_overlap(&s->r[a], &s->r[b]))
					return overlap_error(s->where, a, &s->r[a], s->where, b,
							     &s->r[b], err);
		}
		for (int j = 0; j < i; j++)
			for (int a = 0; a < s->n; a++)
				for (int b = 0; b < c->sets[j].n; b++)
					if (ranges_overlap(&s->r[a], &c->sets[j].r[b]))
						return overlap_error(s->where, a, &s->r[a],
								     c->sets[j].where, b,
								     &c->sets[j].r[b], err);
	}
	return 0;
}

static int add_requested(struct hl_config *c, const char *where, const char *s,
			 struct ccni_error *err)
{
	struct ccni_ipnet n;
	struct ccni_ip ip;

	if (ccni_ip_parse(s, &ip) < 0) {
		if (ccni_ipnet_parse(s, &n) < 0)
			return bad(err, where, "invalid IP address", s);
		ip = n.ip;
	}
	ccni_ip_unmap4(&ip);
	/* The reference keeps the requested addresses in a set. */
	for (int i = 0; i < c->n_requested; i++)
		if (ccni_ip_equal(&c->requested[i], &ip))
			return 0;
	if (c->n_requested == HL_MAX_REQUESTED)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: more than %d addresses",
				      where, HL_MAX_REQUESTED);
	c->requested[c->n_requested++] = ip;
	return 0;
}

static int requested_from_array(struct hl_config *c, json_t *arr, const char *where,
				struct ccni_error *err)
{
	size_t i;
	json_t *v;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return ccni_json_type_error(arr, where, "an array", err);
	json_array_foreach(arr, i, v) {
		char w[64];

		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (!json_is_string(v))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: expected a string", w);
		if (add_requested(c, w, json_string_value(v), err) < 0)
			return -1;
	}
	return 0;
}

static int parse_routes(json_t *ipam, struct hl_config *c, struct ccni_error *err)
{
	json_t *routes = json_object_get(ipam, "routes"), *r;
	size_t i;

	if (!routes || json_is_null(routes))
		return 0;
	if (!json_is_array(routes) || json_array_size(routes) > 256)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam.routes: expected an array (at most 256 routes)");
	c->routes = calloc(json_array_size(routes) + 1, sizeof(*c->routes));
	if (!c->routes)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(routes, i, r) {
		struct ccni_route rt = ccni_route_init();
		const char *dst = NULL;
		char w[48];
		long long v;

		snprintf(w, sizeof(w), "ipam.routes[%zu]", i);
		if (ccni_json_require_string(r, w, "dst", &dst, err) < 0)
			return -1;
		if (ccni_ipnet_parse(dst, &rt.dst) < 0) {
			char wd[64];

			snprintf(wd, sizeof(wd), "%s.dst", w);
			return bad(err, wd, "invalid CIDR", dst);
		}
		if (get_ip(r, w, "gw", &rt.gw, err) < 0)
			return -1;
		if (rt.gw.family && rt.gw.family != rt.dst.ip.family)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.gw: not of the family of dst %s", w, dst);
#define U32(key, field)                                                                  \
	v = 0;                                                                           \
	if (ccni_json_get_int(r, w, key, 0, UINT32_MAX, &v, err) < 0)                    \
		return -1;                                                               \
	rt.field = (uint32_t)v;
		U32("mtu", mtu)
		U32("advmss", advmss)
		U32("priority", priority)
		U32("table", table)
#undef U32
		v = -1;
		if (ccni_json_get_int(r, w, "scope", -1, 255, &v, err) < 0)
			return -1;
		rt.scope = (int)v;
		c->routes[c->n_routes++] = rt;
	}
	return 0;
}

int hl_config_parse(const struct ccni_request *req, struct hl_config *c, struct ccni_error *err)
{
	static const char *const known_args[] = { "IP", NULL };
	json_t *ipam = json_object_get(req->config, "ipam");
	json_t *rc_ranges = json_object_get(req->runtime_config, "ipRanges");
	const char *ip_arg;

	memset(c, 0, sizeof(*c));
	c->name = req->name;
	c->data_dir = HL_DEFAULT_DATA_DIR;
	if (!json_is_object(ipam))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: missing (host-local reads its settings from \"ipam\")");
	if (ccni_json_get_string(ipam, "ipam", "dataDir", &c->data_dir, err) < 0 ||
	    ccni_json_get_string(ipam, "ipam", "resolvConf", &c->resolv_conf, err) < 0)
		return -1;
	if (!*c->data_dir)
		c->data_dir = HL_DEFAULT_DATA_DIR;

	/* The range sets in the reference's order: those of the ipRanges
	 * capability first, then the legacy top-level range, then "ranges"
	 * (each set yields one address). */
	if (rc_ranges && !json_is_null(rc_ranges) &&
	    !(json_is_array(rc_ranges) && json_array_size(rc_ranges) == 0) &&
	    parse_sets(rc_ranges, "runtimeConfig.ipRanges", c, err) < 0)
		return -1;
	if (json_object_get(ipam, "subnet") && !json_is_null(json_object_get(ipam, "subnet"))) {
		if (c->n_sets == HL_MAX_SETS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: more than %d range sets", HL_MAX_SETS);
		if (parse_range(ipam, "ipam", &c->sets[c->n_sets].r[0], err) < 0)
			return -1;
		snprintf(c->sets[c->n_sets].where, sizeof(c->sets[0].where), "ipam");
		c->sets[c->n_sets++].n = 1;
	}
	if (json_object_get(ipam, "ranges") && !json_is_null(json_object_get(ipam, "ranges")) &&
	    parse_sets(json_object_get(ipam, "ranges"), "ipam.ranges", c, err) < 0)
		return -1;
	if (validate_sets(c, err) < 0)
		return -1;
	if (!ccni_version_ge(req->cni_version, "0.3.0")) {
		int v4 = 0, v6 = 0;

		for (int i = 0; i < c->n_sets; i++)
			if (c->sets[i].r[0].subnet.ip.family == AF_INET)
				v4++;
			else
				v6++;
		if (v4 > 1 || v6 > 1)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: CNI version %s does not support more than one "
					      "address per family",
					      req->cni_version);
	}
	if (parse_routes(ipam, c, err) < 0)
		return -1;

	/* Requested addresses. */
	if (ccni_args_check_known(&req->args, known_args, err) < 0)
		return -1;
	ip_arg = ccni_args_get(&req->args, "IP");
	if (ip_arg && *ip_arg) {
		_cleanup_free_ char *copy = strdup(ip_arg);
		char *save = NULL;

		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (add_requested(c, "CNI_ARGS IP", t, err) < 0)
				return -1;
	}
	if (requested_from_array(c, json_object_get(req->cni_args, "ips"), "args.cni.ips", err) < 0 ||
	    requested_from_array(c, json_object_get(req->runtime_config, "ips"), "runtimeConfig.ips",
				 err) < 0)
		return -1;
	return 0;
}

void hl_config_free(struct hl_config *c)
{
	free(c->routes);
	c->routes = NULL;
}
