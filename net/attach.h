/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach.h — what every main plugin's verbs share around its own link
 * work: the IPAM result taken into the plugin's result, addresses and
 * routes put in the container, ipMasq, DNS from the config, undo on a
 * failed ADD, and the DEL, CHECK and STATUS skeletons. A plugin (bridge,
 * ptp, and the link plugins) gives only its links: make them in ADD, find
 * and remove them in DEL, check its host side in CHECK. Internal.
 */
#ifndef CCNI_NET_ATTACH_H
#define CCNI_NET_ATTACH_H

#include <stdbool.h>

#include <ccni/error.h>
#include <ccni/plugin.h>
#include <ccni/result.h>

#include "net/link.h"
#include "net/netns.h"

/* The addresses one attachment may have: IPAM results with more are
 * refused (naming the plugin and the count), never cut. */
#define ATTACH_IPS_MAX 16

/* What an attachment is made with, beside the plugin's own config. */
struct attach_conf {
	const char *ipam_type;	  /* NULL: no IPAM (layer 2 only) */
	bool ipmasq;		  /* masquerade the result's addresses */
	const char *masq_backend; /* "nftables" or "iptables" */
};

/* One ADD in progress. */
struct attach {
	const struct ccni_request *req;
	const struct attach_conf *conf;
	struct netns_pair ns; /* the container's namespace, its socket, the host's */
	struct ccni_result *r;
	bool ipam_done, masq_done;
};

/* The plugin's part of ADD: make and configure its links (calling the
 * attach_* helpers below as it needs them), and take them back. */
struct attach_ops {
	int (*add)(struct attach *a, void *plugin, struct ccni_error *err);
	void (*undo)(struct attach *a, void *plugin);
};

/* ADD: open the namespaces, check that CNI_IFNAME is free there, run
 * ops->add, then ipMasq (conf->ipmasq) and the config's dns; on any failure
 * undo everything (ipMasq, the plugin's links, the IPAM allocation). The
 * result goes to *out. */
int attach_add(const struct ccni_request *req, const struct attach_conf *conf,
	       const struct attach_ops *ops, void *plugin, struct ccni_result **out,
	       struct ccni_error *err);

/* IPAM ADD, its addresses (pointing at interface `iface`, -1: none yet),
 * routes and DNS into a->r. An IPAM result without addresses, or with more
 * than ATTACH_IPS_MAX, is refused. */
int attach_ipam(struct attach *a, int iface, struct ccni_error *err);
/* The result's addresses on the container's link ifindex (IPv6 without
 * DAD when nodad). */
int attach_addrs(struct attach *a, int ifindex, bool nodad, struct ccni_error *err);
/* The result's routes in the container through ifindex; a route without a
 * gateway goes via the gateway of its family, if the result has one. */
int attach_routes(struct attach *a, int ifindex, struct ccni_error *err);
/* ip_forward (and IPv6 forwarding) on the host for the families asked. */
int attach_forwarding(bool v4, bool v6, struct ccni_error *err);

/* What DEL finds of an attachment: the container's namespace and socket,
 * its link when it still exists, and the addresses to unmasquerade. */
struct attach_found {
	int nsfd;	    /* -1: the namespace is gone (or none was given) */
	struct nl_sock *ct; /* NULL with it */
	bool have_link;
	struct link link;
	struct ccni_ipnet *addrs; /* malloc'd */
	size_t n_addrs;
};

/* DEL: find the attachment (a namespace or link already gone is no
 * error), remove its ipMasq (by the link's addresses, or prevResult's),
 * release its IPAM allocation, then del(f, plugin) removes the plugin's
 * links. */
int attach_del(const struct ccni_request *req, const struct attach_conf *conf,
	       int (*del)(const struct ccni_request *req, struct attach_found *f, void *plugin,
			  struct ccni_error *err),
	       void *plugin, struct ccni_error *err);

/* CHECK: IPAM's CHECK, then the container link of prevResult (of kind,
 * NULL: any, with prevResult's MAC), host(ns, link, plugin) for the
 * plugin's host side, and the addresses and routes of prevResult. */
int attach_check(const struct ccni_request *req, const struct attach_conf *conf,
		 const char *kind,
		 int (*host)(struct netns_pair *ns, const struct link *cv, void *plugin,
			     struct ccni_error *err),
		 void *plugin, struct ccni_error *err);

/* STATUS: ready when the IPAM plugin is (as the reference). */
int attach_status(const struct ccni_request *req, const struct attach_conf *conf,
		  struct ccni_error *err);

#endif
