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
#include <string.h>

#include <ccni/error.h>
#include <ccni/plugin.h>
#include <ccni/result.h>

#include "net/link.h"
#include "net/netlink.h"
#include "net/tag.h"

/* The addresses one attachment may have: IPAM results with more are
 * refused (naming the plugin and the count), never cut. */
#define ATTACH_IPS_MAX 16

/* Where the result's dns comes from (each as its reference plugin). */
enum attach_dns {
	ATTACH_DNS_IPAM_OR_CONFIG, /* IPAM's, replaced by the config's own if it has one */
	ATTACH_DNS_CONFIG,	   /* the config's own only (IPAM's is dropped) */
	ATTACH_DNS_IPAM,	   /* IPAM's only (a "dns" key is ignored) */
};

/* What an attachment is made with, beside the plugin's own config. */
struct attach_conf {
	const char *ipam_type;	  /* NULL: no IPAM (layer 2 only) */
	bool ipmasq;		  /* masquerade the result's addresses */
	const char *masq_backend; /* "nftables" or "iptables" */
	enum attach_dns dns;
	bool no_link;		  /* no kernel link in the container (a device bound
				   * to a userspace driver): CHECK stops after IPAM's */
};

/* One ADD in progress. */
struct attach {
	const struct ccni_request *req;
	const struct attach_conf *conf;
	struct netlink_pair ns; /* the container's namespace, its socket, the host's */
	struct ccni_result *r;
	char tag[TAG_MAX]; /* the attachment's tag (net/tag.h), for what ADD leaves */
	bool ipam_done, masq_done;
};

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

/* A main plugin on the skeleton: its own work, on its own state `self`
 * (its parsed config, and what ADD made). */
struct attach_plugin {
	/* The container link's kind that CHECK expects (NULL: any). */
	const char *kind;
	/* Parse the config into self; what the skeleton does with it (NULL
	 * with err when the config is bad). */
	const struct attach_conf *(*parse)(const struct ccni_request *req, void *self,
					   struct ccni_error *err);
	/* ADD: make and configure the links (calling the attach_* helpers
	 * below as needed); undo: take back what add made. */
	int (*add)(struct attach *a, void *self, struct ccni_error *err);
	void (*undo)(struct attach *a, void *self);
	/* DEL: remove the links found (the skeleton has removed ipMasq and
	 * released IPAM by then). */
	int (*del)(const struct ccni_request *req, struct attach_found *f, void *self,
		   struct ccni_error *err);
	/* CHECK: the host side of the container link cv (NULL: nothing). */
	int (*check_host)(struct netlink_pair *ns, const struct link *cv, void *self,
			  struct ccni_error *err);
	/* GC: what else the plugin leaves, of attachments not valid (NULL:
	 * nothing beyond what the skeleton collects). */
	int (*gc)(const struct ccni_request *req, void *self, struct ccni_error *err);
	/* REAPPLY: the plugin's own firewall state again, from prevResult whose
	 * container interface is index ci (-1: not found); NULL: none. */
	int (*reapply)(const struct ccni_request *req, void *self, int ci, struct ccni_error *err);
	/* `ccni validate` (see ccni/plugin.h): the keys the plugin reads, and
	 * the facts its parsed config gives (ccni_conf_fact), both optional;
	 * the validation itself is the plugin's conf_parse. */
	const char *const *keys;
	void (*facts)(const struct ccni_request *req, const void *conf);
};

/* Every verb of a main plugin (its descriptor names this for ADD, DEL,
 * CHECK and STATUS, through a one-line function giving self):
 *  ADD    open the namespaces, check that CNI_IFNAME is free there, run
 *         p->add, then ipMasq and the config's dns; on any failure undo
 *         everything (ipMasq, the plugin's links, the IPAM allocation);
 *  DEL    find the attachment (a namespace or link already gone is no
 *         error), remove its ipMasq (by the link's addresses, or
 *         prevResult's), release its IPAM allocation, then p->del;
 *  CHECK  IPAM's CHECK, the container link of prevResult (its kind and
 *         MAC), p->check_host, the addresses and routes of prevResult;
 *  STATUS ready when the IPAM plugin is (as the reference);
 *  GC     for the attachments of this network not in
 *         cni.dev/valid-attachments: the host links ADD tagged (attach_tag_link)
 *         and the ipMasq elements, then p->gc, then IPAM's GC;
 *  REAPPLY (ccni's, see ccni/command.h) the ipMasq elements of prevResult's
 *         addresses, then p->reapply; links and addresses are untouched. */
int attach_verb(const struct attach_plugin *p, void *self, const struct ccni_request *req,
		struct ccni_result **out, struct ccni_error *err);

/* The SDK descriptor plugin_ID of a main plugin on the skeleton. Its state
 * is `type` (a zeroed one per call), whose `member` is its config, parsed
 * by conf_parse(req, &self->member, err), with the skeleton's part in
 * member.attach; the rest of the arguments are its hooks (.add = ...).
 * conf_parse is also what `ccni validate` runs (with .keys and .facts). */
#define ATTACH_PLUGIN_DEFINE(id, binary, line, type, member, conf_parse, ...)                      \
	static const struct attach_conf *id##_parse(const struct ccni_request *req,           \
						    void *self, struct ccni_error *err)       \
	{                                                                                    \
		type *s = self;                                                              \
                                                                                             \
		return conf_parse(req, &s->member, err) < 0 ? NULL : &s->member.attach;      \
	}                                                                                    \
	static const struct attach_plugin id##_hooks = { .parse = id##_parse, __VA_ARGS__ }; \
	static int id##_verb(const struct ccni_request *req, struct ccni_result **out,       \
			     struct ccni_error *err)                                         \
	{                                                                                    \
		type self;                                                                   \
                                                                                             \
		memset(&self, 0, sizeof(self));                                              \
		return attach_verb(&id##_hooks, &self, req, out, err);                       \
	}                                                                                    \
	static int id##_validate(const struct ccni_request *req, struct ccni_error *err)   \
	{                                                                                    \
		type self;                                                                   \
                                                                                             \
		memset(&self, 0, sizeof(self));                                              \
		ccni_conf_keys(req, id##_hooks.keys);                                        \
		if (conf_parse(req, &self.member, err) < 0)                                  \
			return -1;                                                           \
		if (id##_hooks.facts)                                                        \
			id##_hooks.facts(req, &self.member);                                 \
		return 0;                                                                    \
	}                                                                                    \
	const struct ccni_plugin plugin_##id = {                                             \
		.name = (binary),                                                            \
		.about = (line),                                                             \
		.add = id##_verb,                                                            \
		.del = id##_verb,                                                            \
		.check = id##_verb,                                                          \
		.status = id##_verb,                                                         \
		.gc = id##_verb,                                                             \
		.reapply = id##_verb,                                                        \
		.validate = id##_validate,                                                   \
	}

/* IPAM ADD, its addresses (pointing at interface `iface`, -1: none yet),
 * routes and DNS into a->r. An IPAM result without addresses, or with more
 * than ATTACH_IPS_MAX, is refused. */
int attach_ipam(struct attach *a, int iface, struct ccni_error *err);
/* src's addresses (pointing at interface iface), routes and, as the
 * config's dns policy says, DNS into a->r: attach_ipam's part, for a plugin
 * that takes a prevResult's addresses instead (chained ipvlan). */
int attach_take(struct attach *a, const struct ccni_result *src, int iface,
		struct ccni_error *err);
/* The result's addresses on the container's link ifindex (IPv6 without
 * DAD when nodad). */
int attach_addrs(struct attach *a, int ifindex, bool nodad, struct ccni_error *err);
/* The result's routes in the container through ifindex; a route without a
 * gateway goes via the gateway of its family, if the result has one. */
int attach_routes(struct attach *a, int ifindex, struct ccni_error *err);
/* Tag the host link ifindex with the attachment (IFLA_IFALIAS), so that GC
 * finds it when the attachment is gone; with the change ch applied in the
 * same request (ch may be NULL). */
int attach_tag_link(struct attach *a, int ifindex, const struct link_change *ch,
		    struct ccni_error *err);
/* The result's addresses, the link up and the result's routes, as the
 * reference's ConfigureIface does it for the container's link ifindex
 * (named CNI_IFNAME): before an IPv6 address, IPv6 on for lo and the link
 * and keep_addr_on_down on the link; addresses with duplicate address
 * detection, waited for (5 s at most) when an IPv6 address has a gateway.
 * With announce (macvlan, ipvlan) and addresses, arp_notify and
 * ndisc_notify on the link too (best effort, as the reference). */
int attach_configure(struct attach *a, int ifindex, bool announce, struct ccni_error *err);
/* ip_forward (and IPv6 forwarding) on in the namespace of sk (the host)
 * for the families asked; written only when it is off. */
int attach_forwarding(struct nl_sock *sk, bool v4, bool v6, struct ccni_error *err);

#endif
