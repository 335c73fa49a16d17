/* SPDX-License-Identifier: Apache-2.0 */
/* result.c — the in-memory result model: construction, copy, release. */
#include <stdlib.h>
#include <string.h>

#include <ccni/result.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"

/* A bound on every array of the model (decoding accepts 1024 per JSON
 * array; 0.2.0's two route lists may add up to twice that). */
#define RESULT_MAX_ITEMS 4096

struct ccni_result *ccni_result_new(const char *cni_version)
{
	struct ccni_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cni_version = strdup(cni_version ? cni_version : "1.1.0");
	if (!r->cni_version) {
		free(r);
		return NULL;
	}
	return r;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ccni_dns_clear(struct ccni_dns *dns)
{
	strv_free(dns->nameservers, dns->n_nameservers);
	strv_free(dns->search, dns->n_search);
	strv_free(dns->options, dns->n_options);
	free(dns->domain);
	memset(dns, 0, sizeof(*dns));
}

static void interface_clear(struct ccni_interface *i)
{
	free(i->name);
	free(i->mac);
	free(i->sandbox);
	free(i->socket_path);
	free(i->pci_id);
}

void ccni_result_free(struct ccni_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_interfaces; i++)
		interface_clear(&r->interfaces[i]);
	free(r->interfaces);
	free(r->ips);
	free(r->routes);
	ccni_dns_clear(&r->dns);
	free(r->cni_version);
	free(r);
}

/* Grow an array by one element; returns the new element or NULL. */
static void *grow(void *arrp, size_t *n, size_t size)
{
	void **arr = arrp;
	char *p;

	if (*n >= RESULT_MAX_ITEMS)
		return NULL;
	p = realloc(*arr, (*n + 1) * size);
	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

int ccni_strv_append(char ***list, size_t *n, const char *s)
{
	char *copy = s ? strdup(s) : NULL;
	char **slot;

	if (!copy)
		return -1;
	slot = grow(list, n, sizeof(char *));
	if (!slot) {
		free(copy);
		return -1;
	}
	*slot = copy;
	return 0;
}

int ccni_dns_copy(struct ccni_dns *dst, const struct ccni_dns *src)
{
	struct ccni_dns d = { 0 };

	for (size_t i = 0; i < src->n_nameservers; i++)
		if (ccni_strv_append(&d.nameservers, &d.n_nameservers, src->nameservers[i]) < 0)
			goto fail;
	for (size_t i = 0; i < src->n_search; i++)
		if (ccni_strv_append(&d.search, &d.n_search, src->search[i]) < 0)
			goto fail;
	for (size_t i = 0; i < src->n_options; i++)
		if (ccni_strv_append(&d.options, &d.n_options, src->options[i]) < 0)
			goto fail;
	if (src->domain && !(d.domain = strdup(src->domain)))
		goto fail;
	ccni_dns_clear(dst);
	*dst = d;
	return 0;
fail:
	ccni_dns_clear(&d);
	return -1;
}

int ccni_result_add_interface(struct ccni_result *r, const char *name, const char *mac,
			      const char *sandbox)
{
	struct ccni_interface *i = grow(&r->interfaces, &r->n_interfaces, sizeof(*i));

	if (!i)
		return -1;
	i->name = util_strdup0(name ? name : "");
	i->mac = util_strdup0(mac);
	i->sandbox = util_strdup0(sandbox);
	if (!i->name || (mac && !i->mac) || (sandbox && !i->sandbox)) {
		interface_clear(i);
		r->n_interfaces--;
		return -1;
	}
	return (int)r->n_interfaces - 1;
}

int ccni_result_add_ip(struct ccni_result *r, const struct ccni_ipnet *address,
		       const struct ccni_ip *gateway, int interface)
{
	struct ccni_ipconfig *c = grow(&r->ips, &r->n_ips, sizeof(*c));

	if (!c)
		return -1;
	c->address = *address;
	if (gateway)
		c->gateway = *gateway;
	c->interface = interface;
	return (int)r->n_ips - 1;
}

struct ccni_route ccni_route_init(void)
{
	return (struct ccni_route){ .scope = -1 };
}

int ccni_result_add_route(struct ccni_result *r, const struct ccni_route *route)
{
	struct ccni_route *x = grow(&r->routes, &r->n_routes, sizeof(*x));

	if (!x)
		return -1;
	*x = *route;
	return (int)r->n_routes - 1;
}

struct ccni_result *ccni_result_copy(const struct ccni_result *r)
{
	struct ccni_result *c = ccni_result_new(r->cni_version);

	if (!c)
		return NULL;
	for (size_t i = 0; i < r->n_interfaces; i++) {
		const struct ccni_interface *s = &r->interfaces[i];
		struct ccni_interface *d;

		if (ccni_result_add_interface(c, s->name, s->mac, s->sandbox) < 0)
			goto fail;
		d = &c->interfaces[c->n_interfaces - 1];
		d->mtu = s->mtu;
		if ((s->socket_path && !(d->socket_path = strdup(s->socket_path))) ||
		    (s->pci_id && !(d->pci_id = strdup(s->pci_id))))
			goto fail;
	}
	for (size_t i = 0; i < r->n_ips; i++)
		if (ccni_result_add_ip(c, &r->ips[i].address, &r->ips[i].gateway,
				       r->ips[i].interface) < 0)
			goto fail;
	for (size_t i = 0; i < r->n_routes; i++)
		if (ccni_result_add_route(c, &r->routes[i]) < 0)
			goto fail;
	if (ccni_dns_copy(&c->dns, &r->dns) < 0)
		goto fail;
	return c;
fail:
	ccni_result_free(c);
	return NULL;
}
