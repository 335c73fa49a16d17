/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result-convert.c — results in and out of every spec version (SPEC.md
 * section 5 and the reference's types): 0.1.0/0.2.0 have "ip4"/"ip6"
 * objects; 0.3.x/0.4.0 have "ips" with a "version"; 1.x has "ips" with an
 * interface index; 1.1.0 adds route mtu/advmss/priority/table/scope and
 * interface mtu/socketPath/pciID. "dns" is always printed, as the reference
 * does.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/result.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"

DEFINE_CLEANUP(struct ccni_result *, ccni_result_free)

#define MAX_ITEMS 1024

static int bad(struct ccni_error *err, const char *where, const char *what, json_t *v)
{
	char b[72];

	return ccni_error_set(err, CCNI_ERR_DECODE, "%s: %s, got %s", where, what,
			      ccni_json_brief(v, b, sizeof(b)));
}

static int get_str(json_t *o, const char *where, const char *key, const char **out,
		   struct ccni_error *err)
{
	json_t *v = json_object_get(o, key);
	char w[96];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(w, sizeof(w), "%s.%s", where, key);
		return bad(err, w, "expected a string", v);
	}
	*out = json_string_value(v);
	return 0;
}

static int get_u32(json_t *o, const char *where, const char *key, uint32_t *out,
		   struct ccni_error *err)
{
	json_t *v = json_object_get(o, key);
	char w[96];

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX) {
		snprintf(w, sizeof(w), "%s.%s", where, key);
		return bad(err, w, "expected a non-negative integer", v);
	}
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int get_cidr(json_t *o, const char *where, const char *key, bool required,
		    struct ccni_ipnet *out, struct ccni_error *err)
{
	const char *s;
	char w[96];

	if (get_str(o, where, key, &s, err) < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (!s)
		return required ? ccni_error_set(err, CCNI_ERR_DECODE, "%s: missing", w) : 0;
	if (ccni_ipnet_parse(s, out) < 0)
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: invalid CIDR \"%.64s\"", w, s);
	return 0;
}

static int get_ip(json_t *o, const char *where, const char *key, struct ccni_ip *out,
		  struct ccni_error *err)
{
	const char *s;
	char w[96];

	if (get_str(o, where, key, &s, err) < 0 || !s)
		return ccni_error_is_set(err) ? -1 : 0;
	if (ccni_ip_parse(s, out) < 0) {
		snprintf(w, sizeof(w), "%s.%s", where, key);
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: invalid IP address \"%.64s\"", w, s);
	}
	return 0;
}

static json_t *get_array(json_t *o, const char *where, const char *key, struct ccni_error *err,
			 bool *bad_type)
{
	json_t *v = json_object_get(o, key);
	char w[96];

	*bad_type = false;
	if (!v || json_is_null(v))
		return NULL;
	snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", key);
	if (!json_is_array(v) || json_array_size(v) > MAX_ITEMS) {
		*bad_type = true;
		bad(err, w, "expected an array (at most 1024 entries)", v);
		return NULL;
	}
	return v;
}

static int decode_routes(json_t *o, const char *where, struct ccni_result *r,
			 struct ccni_error *err)
{
	bool bt;
	json_t *arr = get_array(o, where, "routes", err, &bt), *e;
	size_t i;

	if (bt)
		return -1;
	json_array_foreach(arr, i, e) {
		struct ccni_route rt = ccni_route_init();
		char w[64];
		json_t *scope;

		snprintf(w, sizeof(w), "%s%sroutes[%zu]", where, *where ? "." : "", i);
		if (!json_is_object(e))
			return bad(err, w, "expected an object", e);
		if (get_cidr(e, w, "dst", true, &rt.dst, err) < 0 ||
		    get_ip(e, w, "gw", &rt.gw, err) < 0 || get_u32(e, w, "mtu", &rt.mtu, err) < 0 ||
		    get_u32(e, w, "advmss", &rt.advmss, err) < 0 ||
		    get_u32(e, w, "priority", &rt.priority, err) < 0 ||
		    get_u32(e, w, "table", &rt.table, err) < 0)
			return -1;
		scope = json_object_get(e, "scope");
		if (scope && !json_is_null(scope)) {
			if (!json_is_integer(scope) || json_integer_value(scope) < 0 ||
			    json_integer_value(scope) > 255)
				return bad(err, w, "scope: expected 0..255", scope);
			rt.scope = (int)json_integer_value(scope);
		}
		if (ccni_result_add_route(r, &rt) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

static int decode_strv(json_t *o, const char *key, char ***list, size_t *n,
		       struct ccni_error *err)
{
	bool bt;
	char w[48];
	json_t *arr, *e;
	size_t i;

	snprintf(w, sizeof(w), "dns");
	arr = get_array(o, w, key, err, &bt);
	if (bt)
		return -1;
	json_array_foreach(arr, i, e) {
		if (!json_is_string(e)) {
			snprintf(w, sizeof(w), "dns.%s[%zu]", key, i);
			return bad(err, w, "expected a string", e);
		}
		if (ccni_strv_append(list, n, json_string_value(e)) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

static int decode_dns(json_t *j, struct ccni_result *r, struct ccni_error *err)
{
	json_t *d = json_object_get(j, "dns");
	const char *domain;

	if (!d || json_is_null(d))
		return 0;
	if (!json_is_object(d))
		return bad(err, "dns", "expected an object", d);
	if (decode_strv(d, "nameservers", &r->dns.nameservers, &r->dns.n_nameservers, err) < 0 ||
	    decode_strv(d, "search", &r->dns.search, &r->dns.n_search, err) < 0 ||
	    decode_strv(d, "options", &r->dns.options, &r->dns.n_options, err) < 0 ||
	    get_str(d, "dns", "domain", &domain, err) < 0)
		return -1;
	if (domain && !(r->dns.domain = strdup(domain)))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

static int decode_legacy(json_t *j, struct ccni_result *r, struct ccni_error *err)
{
	static const char *const keys[] = { "ip4", "ip6" };

	for (size_t k = 0; k < 2; k++) {
		json_t *o = json_object_get(j, keys[k]);
		struct ccni_ipnet addr;
		struct ccni_ip gw = { 0 };

		if (!o || json_is_null(o))
			continue;
		if (!json_is_object(o))
			return bad(err, keys[k], "expected an object", o);
		if (get_cidr(o, keys[k], "ip", true, &addr, err) < 0 ||
		    get_ip(o, keys[k], "gateway", &gw, err) < 0)
			return -1;
		if (addr.ip.family != (k == 0 ? AF_INET : AF_INET6))
			return ccni_error_set(err, CCNI_ERR_DECODE, "%s.ip: not an IPv%c address",
					      keys[k], k == 0 ? '4' : '6');
		if (ccni_result_add_ip(r, &addr, &gw, -1) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (decode_routes(o, keys[k], r, err) < 0)
			return -1;
	}
	return decode_dns(j, r, err);
}

static int decode_current(json_t *j, struct ccni_result *r, struct ccni_error *err)
{
	bool bt;
	json_t *arr, *e;
	size_t i;

	arr = get_array(j, "", "interfaces", err, &bt);
	if (bt)
		return -1;
	json_array_foreach(arr, i, e) {
		const char *name, *mac, *sandbox, *sock, *pci;
		struct ccni_interface *f;
		char w[48];

		snprintf(w, sizeof(w), "interfaces[%zu]", i);
		if (!json_is_object(e))
			return bad(err, w, "expected an object", e);
		if (get_str(e, w, "name", &name, err) < 0 || get_str(e, w, "mac", &mac, err) < 0 ||
		    get_str(e, w, "sandbox", &sandbox, err) < 0 ||
		    get_str(e, w, "socketPath", &sock, err) < 0 ||
		    get_str(e, w, "pciID", &pci, err) < 0)
			return -1;
		if (ccni_result_add_interface(r, name, mac && *mac ? mac : NULL,
					      sandbox && *sandbox ? sandbox : NULL) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		f = &r->interfaces[r->n_interfaces - 1];
		if (get_u32(e, w, "mtu", &f->mtu, err) < 0)
			return -1;
		if ((sock && *sock && !(f->socket_path = strdup(sock))) ||
		    (pci && *pci && !(f->pci_id = strdup(pci))))
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	arr = get_array(j, "", "ips", err, &bt);
	if (bt)
		return -1;
	json_array_foreach(arr, i, e) {
		struct ccni_ipnet addr;
		struct ccni_ip gw = { 0 };
		json_t *iface;
		int idx = -1;
		char w[48];
		const char *ver;

		snprintf(w, sizeof(w), "ips[%zu]", i);
		if (!json_is_object(e))
			return bad(err, w, "expected an object", e);
		if (get_cidr(e, w, "address", true, &addr, err) < 0 ||
		    get_ip(e, w, "gateway", &gw, err) < 0 || get_str(e, w, "version", &ver, err) < 0)
			return -1;
		if (ver && !((streq(ver, "4") && addr.ip.family == AF_INET) ||
			     (streq(ver, "6") && addr.ip.family == AF_INET6)))
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s.version: \"%.8s\" does not match the address", w, ver);
		iface = json_object_get(e, "interface");
		if (iface && !json_is_null(iface)) {
			if (!json_is_integer(iface) || json_integer_value(iface) < 0 ||
			    json_integer_value(iface) >= (json_int_t)r->n_interfaces)
				return bad(err, w,
					   "interface: expected the index of an entry of \"interfaces\"",
					   iface);
			idx = (int)json_integer_value(iface);
		}
		if (gw.family && gw.family != addr.ip.family)
			return ccni_error_set(err, CCNI_ERR_DECODE,
					      "%s.gateway: not of the address's family", w);
		if (ccni_result_add_ip(r, &addr, &gw, idx) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	if (decode_routes(j, "", r, err) < 0)
		return -1;
	return decode_dns(j, r, err);
}

int ccni_result_decode(json_t *j, const char *version, struct ccni_result **out,
		       struct ccni_error *err)
{
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	json_t *v;
	const char *ver = version, *known;
	char b[72];

	*out = NULL;
	if (!json_is_object(j))
		return ccni_error_set(err, CCNI_ERR_DECODE, "result: expected an object, got %s",
				      ccni_json_brief(j, b, sizeof(b)));
	v = json_object_get(j, "cniVersion");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return bad(err, "cniVersion", "expected a string", v);
		ver = json_string_value(v);
	}
	if (!ver || !*ver)
		ver = "0.1.0";
	known = ccni_version_supported(ver);
	if (!known)
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "cniVersion: unknown result version \"%.32s\"", ver);
	r = ccni_result_new(known);
	if (!r)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if ((ccni_version_cmp(known, "0.3.0") < 0 ? decode_legacy(j, r, err) :
						   decode_current(j, r, err)) < 0)
		return -1;
	*out = TAKE_PTR(r);
	return 0;
}

int ccni_result_decode_text(const char *text, size_t len, const char *version,
			    struct ccni_result **out, struct ccni_error *err)
{
	_cleanup_json_ json_t *j = NULL;
	json_error_t jerr;

	*out = NULL;
	j = json_loadb(text, len, 0, &jerr);
	if (!j)
		return ccni_error_set(err, CCNI_ERR_DECODE, "result:%d:%d: invalid JSON: %s",
				      jerr.line, jerr.column, jerr.text);
	return ccni_result_decode(j, version, out, err);
}

/* --- encode ------------------------------------------------------------- */

static void set_ip(json_t *o, const char *key, const struct ccni_ip *ip)
{
	char b[CCNI_IP_STRLEN];

	if (ip->family)
		json_object_set_new(o, key, json_string(ccni_ip_format(ip, b)));
}

static void set_cidr(json_t *o, const char *key, const struct ccni_ipnet *n)
{
	char b[CCNI_IPNET_STRLEN];

	json_object_set_new(o, key, json_string(ccni_ipnet_format(n, b)));
}

static json_t *encode_route(const struct ccni_route *rt, bool v11)
{
	json_t *o = json_object();

	set_cidr(o, "dst", &rt->dst);
	set_ip(o, "gw", &rt->gw);
	if (v11) {
		if (rt->mtu)
			json_object_set_new(o, "mtu", json_integer(rt->mtu));
		if (rt->advmss)
			json_object_set_new(o, "advmss", json_integer(rt->advmss));
		if (rt->priority)
			json_object_set_new(o, "priority", json_integer(rt->priority));
		if (rt->table)
			json_object_set_new(o, "table", json_integer(rt->table));
		if (rt->scope >= 0)
			json_object_set_new(o, "scope", json_integer(rt->scope));
	}
	return o;
}

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *encode_dns(const struct ccni_dns *d)
{
	json_t *o = json_object();

	if (d->n_nameservers)
		json_object_set_new(o, "nameservers", strv_json(d->nameservers, d->n_nameservers));
	if (d->domain)
		json_object_set_new(o, "domain", json_string(d->domain));
	if (d->n_search)
		json_object_set_new(o, "search", strv_json(d->search, d->n_search));
	if (d->n_options)
		json_object_set_new(o, "options", strv_json(d->options, d->n_options));
	return o;
}

static json_t *encode_legacy(const struct ccni_result *r, json_t *o)
{
	for (int fam = 0; fam < 2; fam++) {
		int af = fam == 0 ? AF_INET : AF_INET6;
		json_t *x = NULL, *routes = json_array();

		for (size_t i = 0; i < r->n_ips && !x; i++) {
			if (r->ips[i].address.ip.family != af)
				continue;
			x = json_object();
			set_cidr(x, "ip", &r->ips[i].address);
			set_ip(x, "gateway", &r->ips[i].gateway);
		}
		for (size_t i = 0; i < r->n_routes; i++)
			if (r->routes[i].dst.ip.family == af)
				json_array_append_new(routes, encode_route(&r->routes[i], false));
		if (x && json_array_size(routes))
			json_object_set(x, "routes", routes);
		json_decref(routes);
		if (x)
			json_object_set_new(o, fam == 0 ? "ip4" : "ip6", x);
	}
	json_object_set_new(o, "dns", encode_dns(&r->dns));
	return o;
}

json_t *ccni_result_encode(const struct ccni_result *r, const char *version,
			   struct ccni_error *err)
{
	const char *v = ccni_version_supported(version ? version : r->cni_version);
	bool v03, v1, v11;
	json_t *o;

	if (!v) {
		ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
			       "cannot encode a result as unknown version \"%.32s\"",
			       version ? version : r->cni_version);
		return NULL;
	}
	o = json_object();
	if (!o) {
		ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	json_object_set_new(o, "cniVersion", json_string(v));
	if (ccni_version_cmp(v, "0.3.0") < 0)
		return encode_legacy(r, o);
	v03 = ccni_version_cmp(v, "1.0.0") < 0;
	v1 = !v03;
	v11 = ccni_version_cmp(v, "1.1.0") >= 0;
	(void)v1;

	if (r->n_interfaces) {
		json_t *arr = json_array();

		for (size_t i = 0; i < r->n_interfaces; i++) {
			const struct ccni_interface *f = &r->interfaces[i];
			json_t *x = json_object();

			json_object_set_new(x, "name", json_string(f->name ? f->name : ""));
			if (f->mac)
				json_object_set_new(x, "mac", json_string(f->mac));
			if (v11 && f->mtu)
				json_object_set_new(x, "mtu", json_integer(f->mtu));
			if (f->sandbox)
				json_object_set_new(x, "sandbox", json_string(f->sandbox));
			if (v11 && f->socket_path)
				json_object_set_new(x, "socketPath", json_string(f->socket_path));
			if (v11 && f->pci_id)
				json_object_set_new(x, "pciID", json_string(f->pci_id));
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "interfaces", arr);
	}
	if (r->n_ips) {
		json_t *arr = json_array();

		for (size_t i = 0; i < r->n_ips; i++) {
			const struct ccni_ipconfig *c = &r->ips[i];
			json_t *x = json_object();

			if (v03)
				json_object_set_new(x, "version",
						    json_string(c->address.ip.family == AF_INET6 ? "6" :
												  "4"));
			if (c->interface >= 0 && (size_t)c->interface < r->n_interfaces)
				json_object_set_new(x, "interface", json_integer(c->interface));
			set_cidr(x, "address", &c->address);
			set_ip(x, "gateway", &c->gateway);
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "ips", arr);
	}
	if (r->n_routes) {
		json_t *arr = json_array();

		for (size_t i = 0; i < r->n_routes; i++)
			json_array_append_new(arr, encode_route(&r->routes[i], v11));
		json_object_set_new(o, "routes", arr);
	}
	json_object_set_new(o, "dns", encode_dns(&r->dns));
	return o;
}
