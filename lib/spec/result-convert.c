/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result-convert.c — results in and out of every spec version (SPEC.md
 * section 5 and the reference's types).
 *
 *   0.1.0, 0.2.0   {cniVersion, ip4: {ip, gateway, routes}, ip6: {...}, dns};
 *                  no interfaces, one address per family, routes live under
 *                  the ip object of their destination's family.
 *   0.3.0 - 0.4.0  {cniVersion, interfaces, ips, routes, dns}; each ip has
 *                  "version": "4" or "6".
 *   1.0.0          the same without ips[].version.
 *   1.1.0          adds interface mtu, socketPath, pciID and route mtu,
 *                  advmss, priority, table, scope; they are dropped from
 *                  every older version (which the spec does not give them).
 *
 * Printing: up to 1.0.0 as the reference releases that stop at 1.0.0 print
 * (struct order, "dns" always present, an empty object included); 1.1.0 as
 * the current reference prints it (an empty "dns" left out, the keys of
 * every object in byte order). Decoding accepts the 1.1.0 fields in any
 * version from 0.3.0 on (interfaces: from 1.0.0), as the reference reads
 * them, so nothing is lost on the way up.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/result.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"


#define MAX_ITEMS 1024 /* entries of any one array */
#define WHERE_LEN 48 /* "ip6.routes[1023]" */
#define PATH_LEN 96  /* a WHERE_LEN path and a key */

/* --- decode ------------------------------------------------------------- */

static int bad(struct ccni_error *err, const char *where, const char *what, json_t *v)
{
	char b[72];

	return ccni_error_set(err, CCNI_ERR_DECODE, "%s: %s, got %s", where, what,
			      ccni_json_brief(v, b, sizeof(b)));
}

static int oom(struct ccni_error *err)
{
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "result: out of memory");
}

/* "where.key" into w (where may be empty). */
static const char *path(char w[PATH_LEN], const char *where, const char *key)
{
	snprintf(w, PATH_LEN, "%s%s%s", where, *where ? "." : "", key);
	return w;
}

/* An optional string: *out is NULL when absent or null. */
static int get_str(json_t *o, const char *where, const char *key, const char **out,
		   struct ccni_error *err)
{
	json_t *v = json_object_get(o, key);
	char w[PATH_LEN];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(err, path(w, where, key), "expected a string", v);
	*out = json_string_value(v);
	return 0;
}

/* An optional string where "" also means absent. */
static int get_nonempty(json_t *o, const char *where, const char *key, const char **out,
			struct ccni_error *err)
{
	if (get_str(o, where, key, out, err) < 0)
		return -1;
	if (*out && !**out)
		*out = NULL;
	return 0;
}

static int get_uint(json_t *o, const char *where, const char *key, json_int_t max,
		    json_int_t *out, struct ccni_error *err)
{
	json_t *v = json_object_get(o, key);
	char w[PATH_LEN], what[48];

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
		snprintf(what, sizeof(what), "expected an integer 0..%lld", (long long)max);
		return bad(err, path(w, where, key), what, v);
	}
	*out = json_integer_value(v);
	return 0;
}

static int get_u32(json_t *o, const char *where, const char *key, uint32_t *out,
		   struct ccni_error *err)
{
	json_int_t n = *out;

	if (get_uint(o, where, key, UINT32_MAX, &n, err) < 0)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int get_cidr(json_t *o, const char *where, const char *key, struct ccni_ipnet *out,
		    struct ccni_error *err)
{
	const char *s;
	char w[PATH_LEN];

	if (get_str(o, where, key, &s, err) < 0)
		return -1;
	if (!s)
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: missing", path(w, where, key));
	if (ccni_ipnet_parse(s, out) < 0)
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: invalid CIDR \"%.64s\"",
				      path(w, where, key), s);
	return 0;
}

/* An optional address; "" counts as absent, as the reference reads it. */
static int get_ip(json_t *o, const char *where, const char *key, struct ccni_ip *out,
		  struct ccni_error *err)
{
	const char *s;
	char w[PATH_LEN];

	if (get_nonempty(o, where, key, &s, err) < 0)
		return -1;
	if (s && ccni_ip_parse(s, out) < 0)
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: invalid IP address \"%.64s\"",
				      path(w, where, key), s);
	return 0;
}

/* An optional array of at most MAX_ITEMS entries: *out NULL when absent. */
static int get_array(json_t *o, const char *where, const char *key, json_t **out,
		     struct ccni_error *err)
{
	json_t *v = json_object_get(o, key);
	char w[PATH_LEN];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(err, path(w, where, key), "expected an array", v);
	if (json_array_size(v) > MAX_ITEMS)
		return ccni_error_set(err, CCNI_ERR_DECODE,
				      "%s: %zu entries, at most %d are accepted",
				      path(w, where, key), json_array_size(v), MAX_ITEMS);
	*out = v;
	return 0;
}

static int decode_route(json_t *e, const char *w, struct ccni_route *rt, struct ccni_error *err)
{
	json_int_t scope = -1;

	*rt = ccni_route_init();
	if (!json_is_object(e))
		return bad(err, w, "expected an object", e);
	if (get_cidr(e, w, "dst", &rt->dst, err) < 0 || get_ip(e, w, "gw", &rt->gw, err) < 0 ||
	    get_u32(e, w, "mtu", &rt->mtu, err) < 0 ||
	    get_u32(e, w, "advmss", &rt->advmss, err) < 0 ||
	    get_u32(e, w, "priority", &rt->priority, err) < 0 ||
	    get_u32(e, w, "table", &rt->table, err) < 0 ||
	    get_uint(e, w, "scope", 255, &scope, err) < 0)
		return -1;
	rt->scope = (int)scope;
	return 0;
}

static int decode_routes(json_t *o, const char *where, struct ccni_result *r,
			 struct ccni_error *err)
{
	json_t *arr, *e;
	size_t i;

	if (get_array(o, where, "routes", &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, e) {
		struct ccni_route rt;
		char w[WHERE_LEN];

		snprintf(w, sizeof(w), "%s%sroutes[%zu]", where, *where ? "." : "", i);
		if (decode_route(e, w, &rt, err) < 0)
			return -1;
		if (ccni_result_add_route(r, &rt) < 0)
			return oom(err);
	}
	return 0;
}

static int decode_strv(json_t *d, const char *where, const char *key, char ***list,
		       size_t *n, struct ccni_error *err)
{
	json_t *arr, *e;
	size_t i;

	if (get_array(d, where, key, &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, e) {
		char w[PATH_LEN + 8];

		if (!json_is_string(e)) {
			snprintf(w, sizeof(w), "%s.%s[%zu]", where, key, i);
			return bad(err, w, "expected a string", e);
		}
		if (ccni_strv_append(list, n, json_string_value(e)) < 0)
			return oom(err);
	}
	return 0;
}

static int decode_dns(json_t *j, const char *where, struct ccni_dns *dns, struct ccni_error *err)
{
	json_t *d = json_object_get(j, "dns");
	const char *domain;
	char w[PATH_LEN];

	path(w, where, "dns");
	if (!d || json_is_null(d))
		return 0;
	if (!json_is_object(d))
		return bad(err, w, "expected an object", d);
	if (decode_strv(d, w, "nameservers", &dns->nameservers, &dns->n_nameservers, err) < 0 ||
	    get_nonempty(d, w, "domain", &domain, err) < 0 ||
	    decode_strv(d, w, "search", &dns->search, &dns->n_search, err) < 0 ||
	    decode_strv(d, w, "options", &dns->options, &dns->n_options, err) < 0)
		return -1;
	if (domain && !(dns->domain = strdup(domain)))
		return oom(err);
	return 0;
}

int ccni_result_decode_routes(json_t *obj, const char *where, struct ccni_result *r,
			      struct ccni_error *err)
{
	return decode_routes(obj, where, r, err);
}

int ccni_result_decode_dns(json_t *obj, const char *where, struct ccni_result *r,
			   struct ccni_error *err)
{
	return decode_dns(obj, where, &r->dns, err);
}

/* 0.1.0 / 0.2.0: "ip4" and "ip6", each with its own routes. */
static int decode_legacy(json_t *j, struct ccni_result *r, struct ccni_error *err)
{
	static const char *const keys[] = { "ip4", "ip6" };
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		json_t *o = json_object_get(j, keys[k]);
		struct ccni_ipnet addr;
		struct ccni_ip gw = { 0 };
		char w[PATH_LEN], b[CCNI_IPNET_STRLEN];

		if (!o || json_is_null(o))
			continue;
		if (!json_is_object(o))
			return bad(err, keys[k], "expected an object", o);
		if (get_cidr(o, keys[k], "ip", &addr, err) < 0 ||
		    get_ip(o, keys[k], "gateway", &gw, err) < 0)
			return -1;
		if (addr.ip.family != families[k])
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s: \"%s\" is not an IPv%c address",
					      path(w, keys[k], "ip"), ccni_ipnet_format(&addr, b),
					      k == 0 ? '4' : '6');
		if (gw.family && gw.family != families[k])
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s: \"%s\" is not an IPv%c address",
					      path(w, keys[k], "gateway"), ccni_ip_format(&gw, b),
					      k == 0 ? '4' : '6');
		if (ccni_result_add_ip(r, &addr, &gw, -1) < 0)
			return oom(err);
		if (decode_routes(o, keys[k], r, err) < 0)
			return -1;
	}
	return decode_dns(j, "", &r->dns, err);
}

static int decode_interfaces(json_t *j, struct ccni_result *r, bool v1,
			     struct ccni_error *err)
{
	json_t *arr, *e;
	size_t i;

	if (get_array(j, "", "interfaces", &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, e) {
		const char *name, *mac, *sandbox, *sock = NULL, *pci = NULL;
		struct ccni_interface *f;
		uint32_t mtu = 0;
		char w[WHERE_LEN];

		snprintf(w, sizeof(w), "interfaces[%zu]", i);
		if (!json_is_object(e))
			return bad(err, w, "expected an object", e);
		if (get_str(e, w, "name", &name, err) < 0 ||
		    get_nonempty(e, w, "mac", &mac, err) < 0 ||
		    get_nonempty(e, w, "sandbox", &sandbox, err) < 0)
			return -1;
		/* 1.x fields; older interfaces have none (the reference ignores them) */
		if (v1 && (get_u32(e, w, "mtu", &mtu, err) < 0 ||
			   get_nonempty(e, w, "socketPath", &sock, err) < 0 ||
			   get_nonempty(e, w, "pciID", &pci, err) < 0))
			return -1;
		if (ccni_result_add_interface(r, name, mac, sandbox) < 0)
			return oom(err);
		f = &r->interfaces[r->n_interfaces - 1];
		f->mtu = mtu;
		if ((sock && !(f->socket_path = strdup(sock))) ||
		    (pci && !(f->pci_id = strdup(pci))))
			return oom(err);
	}
	return 0;
}

static int decode_ips(json_t *j, struct ccni_result *r, bool v1, struct ccni_error *err)
{
	json_t *arr, *e;
	size_t i;

	if (get_array(j, "", "ips", &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, e) {
		struct ccni_ipnet addr;
		struct ccni_ip gw = { 0 };
		json_int_t idx = -1;
		const char *ver = NULL;
		char w[WHERE_LEN], w2[PATH_LEN], b[CCNI_IPNET_STRLEN];

		snprintf(w, sizeof(w), "ips[%zu]", i);
		if (!json_is_object(e))
			return bad(err, w, "expected an object", e);
		if (get_cidr(e, w, "address", &addr, err) < 0 ||
		    get_ip(e, w, "gateway", &gw, err) < 0 ||
		    get_uint(e, w, "interface", INT32_MAX, &idx, err) < 0)
			return -1;
		/* 0.3.x/0.4.0 label the family; 1.x has no such key and ignores it */
		if (!v1 && get_nonempty(e, w, "version", &ver, err) < 0)
			return -1;
		if (ver && !((streq(ver, "4") && addr.ip.family == AF_INET) ||
			     (streq(ver, "6") && addr.ip.family == AF_INET6)))
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s: \"%.16s\" does not match the address \"%s\"",
					      path(w2, w, "version"), ver,
					      ccni_ipnet_format(&addr, b));
		if (idx >= (json_int_t)r->n_interfaces)
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s: %lld is out of range (%zu interfaces)",
					      path(w2, w, "interface"), (long long)idx,
					      r->n_interfaces);
		if (gw.family && gw.family != addr.ip.family)
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s: \"%s\" is not of the family of the address",
					      path(w2, w, "gateway"), ccni_ip_format(&gw, b));
		if (ccni_result_add_ip(r, &addr, &gw, (int)idx) < 0)
			return oom(err);
	}
	return 0;
}

/* 0.3.0 and later: interfaces, ips, routes at the top. */
static int decode_current(json_t *j, struct ccni_result *r, bool v1, struct ccni_error *err)
{
	if (decode_interfaces(j, r, v1, err) < 0 || decode_ips(j, r, v1, err) < 0 ||
	    decode_routes(j, "", r, err) < 0)
		return -1;
	return decode_dns(j, "", &r->dns, err);
}

int ccni_result_decode(json_t *j, const char *version, struct ccni_result **out,
		       struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	const char *ver = NULL, *known;
	char b[72];
	json_t *v;

	*out = NULL;
	if (!json_is_object(j))
		return ccni_error_set(err, CCNI_ERR_DECODE, "result: expected an object, got %s",
				      ccni_json_brief(j, b, sizeof(b)));
	if (get_nonempty(j, "", "cniVersion", &ver, err) < 0)
		return -1;
	/* no version of its own: the caller's (the config's), else the oldest */
	if (!ver)
		ver = version && *version ? version : "0.1.0";
	known = ccni_version_supported(ver);
	if (!known) {
		v = json_object_get(j, "cniVersion");
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "%s: unsupported result version \"%.32s\"",
				      json_is_string(v) && *json_string_value(v) ? "cniVersion" :
										   "result",
				      ver);
	}
	r = ccni_result_new(known);
	if (!r)
		return oom(err);
	if (ccni_version_cmp(known, "0.3.0") < 0) {
		if (decode_legacy(j, r, err) < 0)
			return -1;
	} else if (decode_current(j, r, ccni_version_cmp(known, "1.0.0") >= 0, err) < 0) {
		return -1;
	}
	*out = TAKE_PTR(r);
	return 0;
}

int ccni_result_decode_text(const char *text, size_t len, const char *version,
			    struct ccni_result **out, struct ccni_error *err)
{
	_cleanup_json_ json_t *j = NULL;
	json_error_t jerr;

	*out = NULL;
	if (!text)
		return ccni_error_set(err, CCNI_ERR_DECODE, "result: no text");
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!j)
		return ccni_error_set(err, CCNI_ERR_DECODE, "result:%d:%d: invalid JSON: %s",
				      jerr.line, jerr.column, jerr.text);
	return ccni_result_decode(j, version, out, err);
}

/* --- encode ------------------------------------------------------------- */

/* Building an object: remembers whether any allocation failed. */
struct enc {
	bool failed;
};

static json_t *put(struct enc *e, json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v) < 0) {
		json_decref(v);
		e->failed = true;
	}
	return v;
}

static void append(struct enc *e, json_t *a, json_t *v)
{
	if (!a || !v || json_array_append_new(a, v) < 0) {
		json_decref(v);
		e->failed = true;
	}
}

static void put_ip(struct enc *e, json_t *o, const char *key, const struct ccni_ip *ip)
{
	char b[CCNI_IP_STRLEN];

	if (ip->family)
		put(e, o, key, json_string(ccni_ip_format(ip, b)));
}

static void put_cidr(struct enc *e, json_t *o, const char *key, const struct ccni_ipnet *n)
{
	char b[CCNI_IPNET_STRLEN];

	put(e, o, key, json_string(ccni_ipnet_format(n, b)));
}

static void put_str(struct enc *e, json_t *o, const char *key, const char *s)
{
	if (s)
		put(e, o, key, json_string(s));
}

static void put_u32(struct enc *e, json_t *o, const char *key, uint32_t n)
{
	if (n)
		put(e, o, key, json_integer(n));
}

static json_t *encode_route(struct enc *e, const struct ccni_route *rt, bool extras)
{
	json_t *o = json_object();

	put_cidr(e, o, "dst", &rt->dst);
	put_ip(e, o, "gw", &rt->gw);
	if (extras) {
		put_u32(e, o, "mtu", rt->mtu);
		put_u32(e, o, "advmss", rt->advmss);
		put_u32(e, o, "priority", rt->priority);
		put_u32(e, o, "table", rt->table);
		if (rt->scope >= 0)
			put(e, o, "scope", json_integer(rt->scope));
	}
	return o;
}

static json_t *strv_json(struct enc *e, char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		append(e, a, json_string(v[i] ? v[i] : ""));
	return a;
}

static bool dns_empty(const struct ccni_dns *d)
{
	return !d->n_nameservers && !(d->domain && *d->domain) && !d->n_search && !d->n_options;
}

static json_t *encode_dns(struct enc *e, const struct ccni_dns *d)
{
	json_t *o = json_object();

	if (d->n_nameservers)
		put(e, o, "nameservers", strv_json(e, d->nameservers, d->n_nameservers));
	if (d->domain && *d->domain)
		put(e, o, "domain", json_string(d->domain));
	if (d->n_search)
		put(e, o, "search", strv_json(e, d->search, d->n_search));
	if (d->n_options)
		put(e, o, "options", strv_json(e, d->options, d->n_options));
	return o;
}

/* 0.1.0/0.2.0: the first address of each family, the routes by family. */
static int encode_legacy(struct enc *e, const struct ccni_result *r, const char *version,
			 json_t *o, struct ccni_error *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const char *const keys[] = { "ip4", "ip6" };
	bool any = false;

	for (size_t k = 0; k < ARRAY_SIZE(families); k++) {
		const struct ccni_ipconfig *c = NULL;
		json_t *x, *routes = NULL;

		for (size_t i = 0; i < r->n_ips && !c; i++)
			if (r->ips[i].address.ip.family == families[k])
				c = &r->ips[i];
		if (!c)
			continue;
		any = true;
		x = put(e, o, keys[k], json_object());
		put_cidr(e, x, "ip", &c->address);
		put_ip(e, x, "gateway", &c->gateway);
		for (size_t i = 0; i < r->n_routes; i++) {
			if (r->routes[i].dst.ip.family != families[k])
				continue;
			if (!routes)
				routes = put(e, x, "routes", json_array());
			append(e, routes, encode_route(e, &r->routes[i], false));
		}
	}
	if (!any)
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "cannot express a result without an IP address as version %s",
				      version);
	put(e, o, "dns", encode_dns(e, &r->dns));
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Re-insert every key of every object in byte order (jansson keeps
 * insertion order), the order in which the current reference prints. */
static void sort_keys(struct enc *e, json_t *v)
{
	const char *keys[16];
	size_t n = 0, i;
	const char *k;
	json_t *x;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			sort_keys(e, x);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, x) {
		sort_keys(e, x);
		if (n < ARRAY_SIZE(keys))
			keys[n++] = k;
	}
	if (n != json_object_size(v))
		return; /* more keys than any result object has: leave as is */
	qsort(keys, n, sizeof(keys[0]), key_cmp);
	for (i = 0; i < n; i++) {
		char name[32];

		/* copied: the key's storage goes with the deletion */
		snprintf(name, sizeof(name), "%s", keys[i]);
		x = json_incref(json_object_get(v, name));
		json_object_del(v, name);
		put(e, v, name, x);
	}
}

json_t *ccni_result_encode(const struct ccni_result *r, const char *version,
			   struct ccni_error *err)
{
	const char *want = version ? version : r->cni_version;
	const char *v = want ? ccni_version_supported(want) : NULL;
	_cleanup_json_ json_t *o = NULL;
	struct enc e = { false };
	bool v1, v11;

	if (!v) {
		ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
			       "cannot encode a result as unsupported version \"%.32s\"",
			       want ? want : "");
		return NULL;
	}
	o = json_object();
	put(&e, o, "cniVersion", json_string(v));
	if (ccni_version_cmp(v, "0.3.0") < 0) {
		if (encode_legacy(&e, r, v, o, err) < 0)
			return NULL;
		goto done;
	}
	v1 = ccni_version_cmp(v, "1.0.0") >= 0;
	v11 = ccni_version_cmp(v, "1.1.0") >= 0;

	if (r->n_interfaces) {
		json_t *arr = put(&e, o, "interfaces", json_array());

		for (size_t i = 0; i < r->n_interfaces; i++) {
			const struct ccni_interface *f = &r->interfaces[i];
			json_t *x = json_object();

			put(&e, x, "name", json_string(f->name ? f->name : ""));
			put_str(&e, x, "mac", f->mac && *f->mac ? f->mac : NULL);
			if (v11)
				put_u32(&e, x, "mtu", f->mtu);
			put_str(&e, x, "sandbox", f->sandbox && *f->sandbox ? f->sandbox : NULL);
			if (v11) {
				put_str(&e, x, "socketPath",
					f->socket_path && *f->socket_path ? f->socket_path : NULL);
				put_str(&e, x, "pciID", f->pci_id && *f->pci_id ? f->pci_id : NULL);
			}
			append(&e, arr, x);
		}
	}
	if (r->n_ips) {
		json_t *arr = put(&e, o, "ips", json_array());

		for (size_t i = 0; i < r->n_ips; i++) {
			const struct ccni_ipconfig *c = &r->ips[i];
			json_t *x = json_object();

			if (!v1)
				put(&e, x, "version",
				    json_string(c->address.ip.family == AF_INET6 ? "6" : "4"));
			if (c->interface >= 0 && (size_t)c->interface < r->n_interfaces)
				put(&e, x, "interface", json_integer(c->interface));
			put_cidr(&e, x, "address", &c->address);
			put_ip(&e, x, "gateway", &c->gateway);
			append(&e, arr, x);
		}
	}
	if (r->n_routes) {
		json_t *arr = put(&e, o, "routes", json_array());

		for (size_t i = 0; i < r->n_routes; i++)
			append(&e, arr, encode_route(&e, &r->routes[i], v11));
	}
	if (!v11 || !dns_empty(&r->dns))
		put(&e, o, "dns", encode_dns(&e, &r->dns));
	if (v11)
		sort_keys(&e, o);
done:
	if (e.failed) {
		ccni_error_set(err, CCNI_ERR_INTERNAL, "result: out of memory");
		return NULL;
	}
	return TAKE_PTR(o);
}
