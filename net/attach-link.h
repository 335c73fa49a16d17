/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach-link.h — the main plugins whose attachment is one link made for
 * the container, on the attach skeleton (attach.h): macvlan, ipvlan and
 * vlan, made on a master (a lower device in the host namespace, or in the
 * container's with linkInContainer), and dummy, on none. The one path:
 *
 *  ADD    the master (named, or the default route's interface, or a chained
 *         prevResult's one interface), the MTU no more than its (the kernel
 *         refuses more; this names the key); the link created
 *         from the master's namespace under a temporary name straight into
 *         the container (the kernel looks a new link's name up in the
 *         creating namespace, where CNI_IFNAME is often taken: "eth0"), and
 *         renamed to CNI_IFNAME there; IPAM (or prevResult's addresses);
 *         the ARP/NDP announcement and IPv6 sysctls, the addresses, the
 *         link up, duplicate address detection waited for, the routes; a
 *         result naming the one interface (index 0), as the reference;
 *  DEL    the link deleted (by CNI_IFNAME, once the skeleton has released
 *         IPAM), returning when it is gone from the container;
 *  CHECK  the master (or, unnamed, the link's lower device) exists, and
 *         the kind's own attributes (mode, VLAN id) are the config's.
 *
 * A plugin is its config parser (the attach_link_parse_* helpers below
 * read the shared keys), a struct attach_link_kind, and
 * ATTACH_LINK_PLUGIN_DEFINE. Internal.
 */
#ifndef CCNI_NET_ATTACH_LINK_H
#define CCNI_NET_ATTACH_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/plugin.h>

#include "net/attach.h"
#include "net/link-macvlan.h"

struct nl_msg;
struct attach_link;

/* The kinds' own attributes (link_spec.put_data's and check's data). */
union attach_link_data {
	struct link_macvlan macvlan;
	uint16_t ipvlan_mode;
	uint16_t vlan_id;
};

struct attach_link_kind {
	const char *kind;      /* IFLA_INFO_KIND */
	bool on_master;	 /* made on a master (whose MTU bounds its own) */
	bool announce;	 /* arp_notify and ndisc_notify on (macvlan, ipvlan) */
	int (*put_data)(struct nl_msg *msg, const void *data); /* NULL: none */
	/* CHECK: the container link cv's own attributes against the config l
	 * (NULL: nothing beyond its kind). */
	int (*check)(struct nl_sock *ct, const struct link *cv, const struct attach_link *l,
		     struct ccni_error *err);
};

/* One attachment: the config, and what ADD made. */
struct attach_link {
	const struct attach_link_kind *kind;
	union attach_link_data data;
	const char *master;    /* NULL: the default route's interface */
	bool master_from_prev; /* no master: a chained prevResult's one interface */
	bool ips_from_prev;    /* no ipam: prevResult's addresses and routes */
	bool in_container;     /* linkInContainer: the master is in the container */
	unsigned mtu;	       /* 0: the kernel's */
	bool have_mac;
	uint8_t mac[6];
	struct attach_conf attach;
	/* ADD's */
	int made; /* the link's index in the container, 0 none */
	char made_name[LINK_NAME_MAX];
};

/* The keys of a link on a master: "master" (string; required makes a
 * missing one an error naming the key), "linkInContainer", "mtu" (0 or
 * 68..65535). */
int attach_link_parse_master(const struct ccni_request *req, struct attach_link *l,
			     bool required, struct ccni_error *err);
/* "ipam": its type into l->attach.ipam_type. Optional: an absent ipam, an
 * empty object or an empty type is none (layer 2 only); otherwise
 * ccni_request_ipam_type's rules. */
int attach_link_parse_ipam(const struct ccni_request *req, struct attach_link *l, bool optional,
			   struct ccni_error *err);
/* The container's MAC, as the reference macvlan: the config's "mac", then
 * CNI_ARGS MAC, then runtimeConfig.mac (a later one wins; an empty one
 * does not count). CNI_ARGS may hold only MAC (and IgnoreUnknown). */
int attach_link_parse_mac(const struct ccni_request *req, struct attach_link *l,
			  struct ccni_error *err);

/* CHECK's answer when the link's mode (named have, NULL: unknown) is not
 * the config's (want): code 108 naming both. */
int attach_link_mode_differs(const struct link *cv, const char *have, const char *want,
			     struct ccni_error *err);

/* The skeleton's hooks, on a struct attach_link_plugin. */
int attach_link_add(struct attach *a, void *self, struct ccni_error *err);
void attach_link_undo(struct attach *a, void *self);
int attach_link_del(const struct ccni_request *req, struct attach_found *f, void *self,
		    struct ccni_error *err);
int attach_link_check(struct netlink_pair *ns, const struct link *cv, void *self,
		      struct ccni_error *err);

struct attach_link_plugin {
	struct attach_link l;
};

/* The SDK descriptor plugin_ID: conf_parse(req, struct attach_link *l, err)
 * fills l (its kind included); kind_name is the kind CHECK expects; keys
 * the config keys conf_parse reads (for `ccni validate`). */
#define ATTACH_LINK_PLUGIN_DEFINE(id, binary, line, kind_name, conf_parse, key_list)          \
	ATTACH_PLUGIN_DEFINE(id, binary, line, struct attach_link_plugin, l, conf_parse,     \
			     .kind = (kind_name), .add = attach_link_add,                  \
			     .undo = attach_link_undo, .del = attach_link_del,             \
			     .check_host = attach_link_check, .keys = (key_list))

#endif
