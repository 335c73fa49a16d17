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

/* A problem of one range: -1 stops (a verb), else it is recorded and
 * counted, and the range is dropped once parsed (validation). */
static int range_problem(const struct ccni_request *req, int *n_bad, struct ccni_error *err)
{
	if (ccni_conf_problem(req, err) < 0)
		return -1;
	(*n_bad)++;
	return 0;
}

/* start/end/gateway inside the subnet, in order; the defaults filled. */
static int check_range(const struct ccni_request *req, json_t *o, const char *where,
		       struct hl_range *r, int *n_bad, struct ccni_error *err)
{
	const char *subnet = json_string_value(json_object_get(o, "subnet"));

	if (!r->gateway.family) {
		r->gateway = r->subnet.ip;
		ccni_ip_add(&r->gateway, 1);
	}
	if (r->start.family && !ccni_ipnet_contains(&r->subnet, &r->start)) {
		ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s.rangeStart: %s is not in network %s",
			       where, json_string_value(json_object_get(o, "rangeStart")), subnet);
		return range_problem(req, n_bad, err);
	} else if (!r->start.family) {
		r->start = r->subnet.ip;
		ccni_ip_add(&r->start, 1);
	}
	if (r->end.family && !ccni_ipnet_contains(&r->subnet, &r->end)) {
		ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s.rangeEnd: %s is not in network %s",
			       where, json_string_value(json_object_get(o, "rangeEnd")), subnet);
		return range_problem(req, n_bad, err);
	} else if (!r->end.family) {
		r->end = ccni_ipnet_last(&r->subnet);
		if (r->end.family == AF_INET)
			ccni_ip_add(&r->end, -1); /* not the broadcast address */
	}
	if (ccni_ip_cmp(&r->start, &r->end) > 0) {
		char s[CCNI_IP_STRLEN], e[CCNI_IP_STRLEN];

		ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: rangeStart %s is after rangeEnd %s",
			       where, ccni_ip_format(&r->start, s), ccni_ip_format(&r->end, e));
		return range_problem(req, n_bad, err);
	}
	return 0;
}

/* One range: parse, then fill the defaults and check it as the reference
 * does (network address, start/end/gateway inside the subnet). Returns 0,
 * 1 when validation found it unusable (problems recorded), or -1. */
static int parse_range(const struct ccni_request *req, json_t *o, const char *where,
		       struct hl_range *r, struct ccni_error *err)
{
	const char *subnet = NULL;
	struct ccni_ipnet net;
	char w[96], b[CCNI_IPNET_STRLEN];
	int n_bad = 0;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		ccni_json_type_error(o, where, "an object", err);
		return range_problem(req, &n_bad, err) < 0 ? -1 : 1;
	}
	snprintf(w, sizeof(w), "%s.subnet", where);
	if (ccni_json_require_string(o, where, "subnet", &subnet, err) < 0) {
		if (range_problem(req, &n_bad, err) < 0)
			return -1;
	} else if (ccni_ipnet_parse(subnet, &net) < 0) {
		if (bad(err, w, "invalid CIDR", subnet) < 0 && range_problem(req, &n_bad, err) < 0)
			return -1;
	} else if ((unsigned)net.prefix + 2 > ccni_ip_bits(&net.ip)) {
		if (bad(err, w, "network too small to allocate from", subnet) < 0 &&
		    range_problem(req, &n_bad, err) < 0)
			return -1;
	} else {
		r->subnet = ccni_ipnet_network(&net);
		if (!ccni_ip_equal(&r->subnet.ip, &net.ip)) {
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "%s: \"%s\" has host bits set; the network address is %s", w,
				       subnet, ccni_ipnet_format(&r->subnet, b));
			if (range_problem(req, &n_bad, err) < 0)
				return -1;
		}
	}
	if ((get_ip(o, where, "rangeStart", &r->start, err) < 0 &&
	     range_problem(req, &n_bad, err) < 0) ||
	    (get_ip(o, where, "rangeEnd", &r->end, err) < 0 && range_problem(req, &n_bad, err) < 0) ||
	    (get_ip(o, where, "gateway", &r->gateway, err) < 0 &&
	     range_problem(req, &n_bad, err) < 0))
		return -1;
	if (!n_bad && check_range(req, o, where, r, &n_bad, err) < 0)
		return -1;
	return n_bad ? 1 : 0;
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

static int parse_sets(const struct ccni_request *req, json_t *ranges, const char *where,
		      struct hl_config *c, struct ccni_error *err)
{
	size_t i, k;
	json_t *set, *r;

	if (!json_is_array(ranges))
		return CCNI_CONF_TRY(req, err,
				     ccni_json_type_error(ranges, where, "an array of range sets", err));
	json_array_foreach(ranges, i, set) {
		struct hl_rangeset *s;
		char w[64];

		if (c->n_sets == HL_MAX_SETS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: more than %d range sets", where, HL_MAX_SETS);
		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (!json_is_array(set) || json_array_size(set) == 0) {
			if (CCNI_CONF_TRY(req, err,
					  ccni_json_type_error(set, w, "a non-empty array of ranges",
							       err)) < 0)
				return -1;
			continue;
		}
		s = &c->sets[c->n_sets];
		memset(s, 0, sizeof(*s));
		snprintf(s->where, sizeof(s->where), "%s", w);
		json_array_foreach(set, k, r) {
			char rw[112];
			int rc;

			if (s->n == HL_MAX_RANGES)
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "%s: more than %d ranges", w, HL_MAX_RANGES);
			snprintf(rw, sizeof(rw), "%s[%zu]", w, k);
			rc = parse_range(req, r, rw, &s->r[s->n], err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				s->r[s->n++].index = (int)k;
		}
		if (s->n)
			c->n_sets++;
	}
	return 0;
}

/* A range's key path: "ipam.ranges[1][0]"; "ipam" for the one range of
 * the old subnet form. */
static const char *range_path(const char *set, const struct hl_range *r, char *buf, size_t len)
{
	size_t n = strlen(set);

	if (n && set[n - 1] == ']')
		snprintf(buf, len, "%s[%d]", set, r->index);
	else
		snprintf(buf, len, "%s", set);
	return buf;
}

/* "RANGE: SUBNET overlaps with RANGE (SUBNET)", naming both. */
static int overlap_error(const struct ccni_request *req, const char *wa,
			 const struct hl_range *ra, const char *wb, const struct hl_range *rb,
			 struct ccni_error *err)
{
	char na[CCNI_IPNET_STRLEN], nb[CCNI_IPNET_STRLEN], pa[96], pb[96];

	return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG, "%s: %s overlaps with %s (%s)",
			       range_path(wa, ra, pa, sizeof(pa)), ccni_ipnet_format(&ra->subnet, na),
			       range_path(wb, rb, pb, sizeof(pb)), ccni_ipnet_format(&rb->subnet, nb));
}

/* Every pair of ranges that overlap, in a set and across sets; every set
 * of one address family. */
static int validate_sets(const struct ccni_request *req, struct hl_config *c,
			 struct ccni_error *err)
{
	for (int i = 0; i < c->n_sets; i++) {
		struct hl_rangeset *s = &c->sets[i];

		for (int a = 0; a < s->n; a++) {
			if (s->r[a].subnet.ip.family != s->r[0].subnet.ip.family &&
			    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
					    "%s: mixed address families in one range set",
					    s->where) < 0)
				return -1;
			for (int b = 0; b < a; b++)
				if (ranges_overlap(&s->r[a], &s->r[b]) &&
				    overlap_error(req, s->where, &s->r[a], s->where, &s->r[b], err) < 0)
					return -1;
		}
		for (int j = 0; j < i; j++) {
			int oa = -1, ob = -1; /* the first overlapping pair: one problem a set */

			for (int a = 0; a < s->n && oa < 0; a++)
				for (int b = 0; b < c->sets[j].n && oa < 0; b++)
					if (ranges_overlap(&s->r[a], &c->sets[j].r[b]))
						oa = a, ob = b;
			if (oa >= 0 && overlap_error(req, s->where, &s->r[oa], c->sets[j].where,
						     &c->sets[j].r[ob], err) < 0)
				return -1;
		}
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

static int parse_route(json_t *r, const char *w, struct ccni_route *rt, struct ccni_error *err)
{
	const char *dst = NULL;
	long long v;

	*rt = ccni_route_init();
	if (ccni_json_require_string(r, w, "dst", &dst, err) < 0)
		return -1;
	if (ccni_ipnet_parse(dst, &rt->dst) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s.dst: invalid CIDR \"%.64s\"",
				      w, dst);
	if (get_ip(r, w, "gw", &rt->gw, err) < 0)
		return -1;
	if (rt->gw.family && rt->gw.family != rt->dst.ip.family)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s.gw: not of the family of dst %s", w, dst);
#define U32(key, field)                                                                  \
	v = 0;                                                                           \
	if (ccni_json_get_int(r, w, key, 0, UINT32_MAX, &v, err) < 0)                    \
		return -1;                                                               \
	rt->field = (uint32_t)v;
	U32("mtu", mtu)
	U32("advmss", advmss)
	U32("priority", priority)
	U32("table", table)
#undef U32
	v = -1;
	if (ccni_json_get_int(r, w, "scope", -1, 255, &v, err) < 0)
		return -1;
	rt->scope = (int)v;
	return 0;
}

/* Each route on its own: validation reports a problem per route. */
static int parse_routes(const struct ccni_request *req, json_t *ipam, struct hl_config *c,
			struct ccni_error *err)
{
	json_t *routes = json_object_get(ipam, "routes"), *r;
	size_t i;

	if (!routes || json_is_null(routes))
		return 0;
	if (!json_is_array(routes) || json_array_size(routes) > 256)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "ipam.routes: expected an array (at most 256 routes)");
	c->routes = calloc(json_array_size(routes) + 1, sizeof(*c->routes));
	if (!c->routes)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(routes, i, r) {
		char w[48];

		snprintf(w, sizeof(w), "ipam.routes[%zu]", i);
		if (parse_route(r, w, &c->routes[c->n_routes], err) == 0)
			c->n_routes++;
		else if (ccni_conf_problem(req, err) < 0)
			return -1;
	}
	return 0;
}

/* The range sets in the reference's order: those of the ipRanges
 * capability first, then the legacy top-level range, then "ranges" (each
 * set yields one address). */
static int parse_all_sets(const struct ccni_request *req, json_t *ipam, struct hl_config *c,
			  struct ccni_error *err)
{
	json_t *rc_ranges = json_object_get(req->runtime_config, "ipRanges");
	json_t *subnet = json_object_get(ipam, "subnet"), *ranges = json_object_get(ipam, "ranges");
	bool given = false;

	if (rc_ranges && !json_is_null(rc_ranges) &&
	    !(json_is_array(rc_ranges) && json_array_size(rc_ranges) == 0)) {
		given = true;
		if (parse_sets(req, rc_ranges, "runtimeConfig.ipRanges", c, err) < 0)
			return -1;
	}
	if (subnet && !json_is_null(subnet)) {
		struct hl_rangeset *s = &c->sets[c->n_sets];
		int rc;

		given = true;
		if (c->n_sets == HL_MAX_SETS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "ipam: more than %d range sets", HL_MAX_SETS);
		rc = parse_range(req, ipam, "ipam", &s->r[0], err);
		if (rc < 0)
			return -1;
		snprintf(s->where, sizeof(s->where), "ipam");
		s->n = 1;
		c->n_sets += rc == 0;
	}
	if (ranges && !json_is_null(ranges)) {
		given = given || json_array_size(ranges) > 0 || !json_is_array(ranges);
		if (parse_sets(req, ranges, "ipam.ranges", c, err) < 0)
			return -1;
	}
	/* With ranges that were given but are all broken, their problems say it. */
	if (!given)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "ipam: no IP ranges specified (\"ranges\" or \"subnet\")");
	if (validate_sets(req, c, err) < 0)
		return -1;
	if (!ccni_version_ge(req->cni_version, "0.3.0")) {
		int v4 = 0, v6 = 0;

		for (int i = 0; i < c->n_sets; i++)
			if (c->sets[i].r[0].subnet.ip.family == AF_INET)
				v4++;
			else
				v6++;
		if ((v4 > 1 || v6 > 1) &&
		    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				    "ipam: CNI version %s does not support more than one address "
				    "per family",
				    req->cni_version) < 0)
			return -1;
	}
	return 0;
}

/* Requested addresses: CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips. */
static int parse_requested(const struct ccni_request *req, struct hl_config *c,
			   struct ccni_error *err)
{
	static const char *const known_args[] = { "IP", NULL };
	const char *ip_arg;

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

int hl_config_parse(const struct ccni_request *req, struct hl_config *c, struct ccni_error *err)
{
	json_t *ipam = json_object_get(req->config, "ipam");

	memset(c, 0, sizeof(*c));
	c->name = req->name;
	c->data_dir = HL_DEFAULT_DATA_DIR;
	if (!json_is_object(ipam))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam: missing (host-local reads its settings from \"ipam\")");
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(ipam, "ipam", "dataDir", &c->data_dir,
							  err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(ipam, "ipam", "resolvConf",
							  &c->resolv_conf, err)) < 0)
		return -1;
	if (!*c->data_dir)
		c->data_dir = HL_DEFAULT_DATA_DIR;
	if (parse_all_sets(req, ipam, c, err) < 0 || parse_routes(req, ipam, c, err) < 0 ||
	    CCNI_CONF_TRY(req, err, parse_requested(req, c, err)) < 0)
		return -1;
	return 0;
}
void hl_config_free(struct hl_config *c)
{
	free(c->routes);
	c->routes = NULL;
}
