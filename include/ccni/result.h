/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/result.h — the one in-memory result model (the 1.x shape) and its
 * conversion to and from every spec version at the edge. Plugin logic never
 * branches on version: decode any version in, encode any version out.
 *
 * Ownership: a struct ccni_result owns every string and array it points to;
 * ccni_result_free() releases all of it.
 */
#ifndef CCNI_RESULT_H
#define CCNI_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <ccni/error.h>
#include <ccni/ip.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ccni_interface {
	char *name;
	char *mac;         /* NULL: absent */
	char *sandbox;     /* NULL: on the host */
	char *socket_path; /* NULL: absent (1.1.0) */
	char *pci_id;      /* NULL: absent (1.1.0) */
	uint32_t mtu;      /* 0: absent (1.1.0) */
};

struct ccni_ipconfig {
	struct ccni_ipnet address; /* with host bits: "10.1.0.5/16" */
	struct ccni_ip gateway;    /* family 0: absent */
	int interface;             /* index into interfaces, -1: absent */
};

struct ccni_route {
	struct ccni_ipnet dst;
	struct ccni_ip gw;  /* family 0: absent */
	uint32_t mtu;       /* 0: absent */
	uint32_t advmss;    /* 0: absent */
	uint32_t priority;  /* 0: absent */
	uint32_t table;     /* 0: absent */
	int scope;          /* -1: absent */
};

struct ccni_dns {
	char **nameservers;
	size_t n_nameservers;
	char *domain; /* NULL: absent */
	char **search;
	size_t n_search;
	char **options;
	size_t n_options;
};

struct ccni_result {
	char *cni_version; /* the version it was decoded from / will be encoded as */
	struct ccni_interface *interfaces;
	size_t n_interfaces;
	struct ccni_ipconfig *ips;
	size_t n_ips;
	struct ccni_route *routes;
	size_t n_routes;
	struct ccni_dns dns;
};

/* Allocation: these return NULL only when memory runs out. */
struct ccni_result *ccni_result_new(const char *cni_version);
void ccni_result_free(struct ccni_result *r);
/* For a cleanup attribute, so a local result is freed on every way out:
 * `__attribute__((cleanup(ccni_result_freep))) struct ccni_result *r = NULL;` */
static inline void ccni_result_freep(struct ccni_result **r)
{
	ccni_result_free(*r);
}
struct ccni_result *ccni_result_copy(const struct ccni_result *r);

/* Append; strings are copied (NULL allowed for optional ones). Return the
 * index of the new element, or -1 when memory runs out. */
int ccni_result_add_interface(struct ccni_result *r, const char *name, const char *mac,
			      const char *sandbox);
int ccni_result_add_ip(struct ccni_result *r, const struct ccni_ipnet *address,
		       const struct ccni_ip *gateway, int interface);
int ccni_result_add_route(struct ccni_result *r, const struct ccni_route *route);
/* Append to a string list of dns (nameservers/search/options). 0 or -1. */
int ccni_strv_append(char ***list, size_t *n, const char *s);
/* Replace r's dns with a copy of dns. 0 or -1. */
int ccni_dns_copy(struct ccni_dns *dst, const struct ccni_dns *src);
void ccni_dns_clear(struct ccni_dns *dns);
/* An empty route (scope -1, everything else absent). */
struct ccni_route ccni_route_init(void);

/*
 * Decode a result object of any supported version. The version is the
 * object's own "cniVersion", or `version` when the object has none (a
 * prevResult inside a config, an IPAM result). 0.1.0/0.2.0 (ip4/ip6) and
 * 0.3.x (ips[].version) are converted to the model. On error (code 6 for a
 * malformed object, 1 for an unknown version) returns -1.
 */
int ccni_result_decode(json_t *j, const char *version, struct ccni_result **out,
		       struct ccni_error *err);
/* Parse text then decode. */
int ccni_result_decode_text(const char *text, size_t len, const char *version,
			    struct ccni_result **out, struct ccni_error *err);

/*
 * The parts of a result that configs reuse with the result's own types (the
 * reference's static IPAM reads "routes" and "dns" so): decode obj's
 * "routes" array, appending to r->routes, or its "dns" object into r->dns.
 * `where` is obj's path for messages ("ipam": "ipam.routes[1].dst: ...").
 * Errors as ccni_result_decode's (code 6). 0 or -1.
 */
int ccni_result_decode_routes(json_t *obj, const char *where, struct ccni_result *r,
			      struct ccni_error *err);
int ccni_result_decode_dns(json_t *obj, const char *where, struct ccni_result *r,
			   struct ccni_error *err);

/*
 * Encode as the given version (NULL: r->cni_version). Conversions follow
 * the spec and the reference: 0.3.x add ips[].version; 0.1.0/0.2.0 keep the
 * first IPv4 and first IPv6 address as ip4/ip6 with the routes of their
 * family; fields a version lacks are dropped. Returns a new reference, or
 * NULL with err set (code 1 for an unsupported version).
 */
json_t *ccni_result_encode(const struct ccni_result *r, const char *version,
			   struct ccni_error *err);

#ifdef __cplusplus
}
#endif
#endif
