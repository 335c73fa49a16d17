/* SPDX-License-Identifier: Apache-2.0 */
/*
 * link.h — what every network link has, whatever its kind: read it by name
 * or index, change its flags, MTU, MAC, name, master or namespace (one
 * setter), delete it, and the one path that creates a link of a kind
 * (link-veth.c, link-bridge.c, ... add only their kind's own attributes).
 * Every request names one link: no dumps. Internal.
 */
#ifndef CCNI_NET_LINK_H
#define CCNI_NET_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>
#include <jansson.h>

struct nl_sock;
struct nl_msg;
struct nlattr;

/* IFNAMSIZ: a name and its NUL. */
#define LINK_NAME_MAX 16

struct link {
	int ifindex;
	int master;     /* IFLA_MASTER: the bridge (or VRF) it is a port of, 0 none */
	int parent;     /* IFLA_LINK: a veth's peer, a macvlan's lower device, 0 none */
	unsigned flags; /* IFF_* */
	unsigned mtu;
	unsigned txqlen;
	uint8_t mac[6];	  /* when addr_len is 6 */
	uint8_t addr_len; /* of IFLA_ADDRESS: 6 Ethernet, 0 none (a CAN or a tun device) */
	char name[LINK_NAME_MAX];
	char kind[16];	  /* "bridge", "veth", ... ("" when none) */
	char alias[128];  /* IFLA_IFALIAS: ccni's attachment tag on links it made */
	uint32_t group;   /* IFLA_GROUP: tag_group() on links made for an attachment */
	int accept_ra;	  /* its IPv6 accept_ra (IFLA_INET6_CONF), -1 when it has no IPv6 */
};

/* By name (ifindex 0) or by index (name NULL). 0 and *out filled; 1 when
 * there is no such link; -1 on error. */
int link_get(struct nl_sock *sk, const char *name, int ifindex, struct link *out,
	     struct ccni_error *err);

/* link_get, also handing the link kind's own attributes (its
 * IFLA_INFO_DATA nest, NULL when it has none) to data_fn: how link-<kind>.c
 * reads a macvlan's mode, a VLAN's id or a VRF's table. */
typedef void (*link_data_fn)(const struct nlattr *data, void *arg);
int link_get_data(struct nl_sock *sk, const char *name, int ifindex, struct link *out,
		  link_data_fn data_fn, void *data_arg, struct ccni_error *err);

/* The kind's attributes of ifindex, which must be a `kind` link: 0, 1 when
 * there is no such link or it is of another kind, -1 on error. */
int link_get_kind_data(struct nl_sock *sk, int ifindex, const char *kind, link_data_fn data_fn,
		       void *data_arg, struct ccni_error *err);

/* Every link of the socket's namespace that is a port of master (0: any)
 * and of kind (NULL: any), each to fn, which returns non-zero to stop; that
 * value, 0 when fn never stopped, or -1. A dump: not for the host's links
 * on ADD or DEL, whose cost must not grow with the node (GC; a container's
 * namespace; a key that asks for it, as host-device's "hwaddr"). */
int link_list(struct nl_sock *sk, int master, const char *kind,
	      int (*fn)(const struct link *l, void *arg), void *arg, struct ccni_error *err);

/* The name of ifindex in the socket's namespace, for messages ("#N" when
 * it has none any more): error texts name devices, not indexes. */
const char *link_name(struct nl_sock *sk, int ifindex, char buf[LINK_NAME_MAX]);

/* GC: delete the links whose alias is the tag (net/tag.h) of one of
 * network's attachments that is not in valid (cni.dev/valid-attachments).
 * With owner_name (the name an attachment's link gets), also the links of
 * network's device group (tag_group) that have no tag, made by an ADD
 * killed before it could tag them, unless named for a valid attachment
 * (whose ADD may be at that very point). A dump: GC only. */
int link_del_stale(struct nl_sock *sk, const char *network, json_t *valid,
		   void (*owner_name)(const char *network, const char *container_id, char out[16]),
		   struct ccni_error *err);

/* What link_set changes; a field left zero leaves that attribute alone. */
struct link_change {
	unsigned flags_on, flags_off; /* IFF_* to set, to clear */
	unsigned mtu;
	const uint8_t *mac;
	const char *name;
	int master;   /* a bridge's index; LINK_NO_MASTER leaves the bridge */
	int netns_fd; /* > 0: move to that namespace (fd 0, stdin, never is one) */
	bool set_txqlen;
	unsigned txqlen;
	const char *alias; /* IFLA_IFALIAS; "" removes it */
};
#define LINK_NO_MASTER (-1)

/* One request changing everything ch names; the error names the link and
 * each change ("link eth0: set mtu 70000: Invalid argument"). The kernel
 * makes a move first and the other changes in the namespace moved to (a
 * link arrives there down, so it can be renamed and set up in the same
 * request); it stops at the first change it refuses, those before it made. */
int link_set(struct nl_sock *sk, int ifindex, const struct link_change *ch,
	     struct ccni_error *err);
int link_set_up(struct nl_sock *sk, int ifindex, bool up, struct ccni_error *err);

/* Delete by index; a link already gone is success. */
int link_del(struct nl_sock *sk, int ifindex, struct ccni_error *err);
/* Delete the link named name, if there is one (name "" or NULL: none). */
int link_del_named(struct nl_sock *sk, const char *name, struct ccni_error *err);
/* link_del, returning as soon as the link is gone from its namespace. The
 * kernel unlists a deleted link at once but frees it only after an RCU
 * barrier (tens of ms), which the deleting task waits for; here a detached
 * child sends the request and does that waiting, while the caller returns
 * once `witness` (an index in the caller's namespace: the link itself, or a
 * veth's peer) is reported deleted, or the child reports an error. sk must
 * not be used again by the caller. Falls back to link_del when it cannot
 * fork. */
int link_del_unwaited(struct nl_sock *sk, int ifindex, int witness, struct ccni_error *err);
/* The same with the witness an index in namespace witness_nsfd (-1: the
 * caller's): a link deleted inside a container, watched from there. */
int link_del_unwaited_in(struct nl_sock *sk, int ifindex, int witness, int witness_nsfd,
			 struct ccni_error *err);

/* A new link: the attributes every kind takes, and the kind's own (written
 * by put_data inside IFLA_INFO_DATA). */
struct link_spec {
	const char *name;
	const char *kind;
	int parent;   /* IFLA_LINK: the lower device, 0 none */
	int netns_fd; /* > 0: create it in that namespace */
	unsigned mtu; /* 0: the kernel's default */
	const uint8_t *mac;
	unsigned flags; /* IFF_UP to create it up */
	bool set_txqlen;
	unsigned txqlen;
	uint32_t group; /* IFLA_GROUP, 0 the default */
	int (*put_data)(struct nl_msg *msg, const void *data);
	const void *data;
};

/* The RTM_NEWLINK request (exclusive create) for s; NULL when out of
 * memory. Separate from link_create for the unit tests. */
struct nl_msg *link_create_msg(const struct link_spec *s);
/* The name, MTU, MAC, namespace and txqueuelen attributes of s, for a
 * kind that nests a second link (a veth's peer). 0, -1 when out of room. */
int link_put_common(struct nl_msg *msg, const struct link_spec *s);
/* A name for a link of ours that the kernel has not named: prefix (up to
 * 7 bytes) and 8 random hex digits ("veth1a2b3c4d"). Callers retry when
 * it is taken. */
void link_random_name(const char *prefix, char out[LINK_NAME_MAX]);
/* Create it; a taken name fails with err->errnum EEXIST. */
int link_create(struct nl_sock *sk, const struct link_spec *s, struct ccni_error *err);

#endif
