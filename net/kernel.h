/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel.h — the kernel work plugins share: network namespaces, rtnetlink
 * (links, addresses, routes) over libnl-route-3, /proc/sys, and nftables
 * batches over libnftables. Every call is a direct request by name or index:
 * nothing here dumps a whole table on the ADD/DEL paths. Internal.
 */
#ifndef CCNI_NET_KERNEL_H
#define CCNI_NET_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>
#include <jansson.h>

struct nl_sock;
struct rtnl_link;

/* --- namespaces ----------------------------------------------------------- */

/* Open a netns path and check that it is a network namespace. A missing
 * path is code 3 (unknown container); not a netns is code 8. */
int kns_open(const char *path, int *fd, struct ccni_error *err);
/* A netlink route socket bound to the namespace nsfd (-1: the current one).
 * The socket is made inside the namespace, so it stays bound to it. */
struct nl_sock *kns_socket(int nsfd, struct ccni_error *err);
void kns_socket_free(struct nl_sock *sk);
/* The container's namespace and a route socket in it (ct) and one in the
 * caller's namespace (host): what a main plugin's ADD and CHECK work with.
 * On failure nothing stays open; close is safe on a zeroed pair with
 * nsfd -1, and frees what is open. */
struct kns_pair {
	int nsfd;
	struct nl_sock *host, *ct;
};
#define KNS_PAIR_INIT { .nsfd = -1 }
int kns_pair_open(const char *netns, struct kns_pair *p, struct ccni_error *err);
void kns_pair_close(struct kns_pair *p);

/* Run fn inside namespace nsfd on this thread, then come back. */
int kns_run(int nsfd, int (*fn)(void *data, struct ccni_error *err), void *data,
	    struct ccni_error *err);

/* --- links ------------------------------------------------------------------ */

struct klink {
	int ifindex;
	int master;
	int link;         /* IFLA_LINK: the peer's index for a veth */
	unsigned flags;   /* IFF_* */
	unsigned mtu;
	uint8_t mac[6];
	char name[16];
	char kind[16];    /* "bridge", "veth", ... ("" when none) */
};

/* 0 and *out filled; 1 when there is no such link; -1 on error. */
int klink_get(struct nl_sock *sk, const char *name, int ifindex, struct klink *out,
	      struct ccni_error *err);
int klink_set_up(struct nl_sock *sk, int ifindex, bool up, struct ccni_error *err);
int klink_set_allmulti(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err);
int klink_set_txqlen(struct nl_sock *sk, int ifindex, unsigned qlen, struct ccni_error *err);
/* The link's transmit queue length (IFLA_TXQLEN). 0, 1 when there is no such
 * link, -1 on error. */
int klink_get_txqlen(struct nl_sock *sk, int ifindex, unsigned *qlen, struct ccni_error *err);
int klink_set_mtu(struct nl_sock *sk, int ifindex, unsigned mtu, struct ccni_error *err);
int klink_set_mac(struct nl_sock *sk, int ifindex, const uint8_t mac[6], struct ccni_error *err);
int klink_set_promisc(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err);
int klink_set_master(struct nl_sock *sk, int ifindex, int master, struct ccni_error *err);
/* Delete by index; a link already gone is success. */
int klink_del(struct nl_sock *sk, int ifindex, struct ccni_error *err);
/* The same, returning as soon as the link is gone from its namespace. The
 * kernel unlists a deleted link at once but frees it only after an RCU
 * barrier (tens of ms), which the deleting task waits for; here a detached
 * child sends the request and does that waiting, while the caller returns
 * once `witness` (an index in the caller's namespace: the link itself, or a
 * veth's peer) no longer exists, or the child reports an error. sk must not
 * be used again by the caller. Falls back to klink_del when it cannot fork. */
int klink_del_unwaited(struct nl_sock *sk, int ifindex, int witness, struct ccni_error *err);

/* A bridge named `name`, created when missing (safe when ADDs race: EEXIST
 * means someone else made it; it must then be a bridge). */
struct kbridge_opts {
	unsigned mtu;        /* 0: kernel default */
	bool promisc;
	bool vlan_filtering;
};
int kbridge_ensure(struct nl_sock *sk, const char *name, const struct kbridge_opts *o,
		   struct klink *out, struct ccni_error *err);
/* Bridge port flags (AF_BRIDGE IFLA_PROTINFO). -1: leave as is. */
int kbridge_port_set(struct nl_sock *sk, int ifindex, int hairpin, int isolated,
		     struct ccni_error *err);
/* Bridge VLAN of a port (or of the bridge itself with self). */
int kbridge_vlan(struct nl_sock *sk, int ifindex, uint16_t vid_start, uint16_t vid_end,
		 bool pvid, bool untagged, bool del, bool self, struct ccni_error *err);

/* A veth pair: `host_name` in the socket's namespace, `peer_name` in peer_nsfd.
 * host_name NULL: a random "veth%08x". mac: the peer's MAC, or NULL. */
int kveth_create(struct nl_sock *sk, const char *host_name, const char *peer_name,
		 int peer_nsfd, unsigned mtu, const uint8_t *peer_mac, char host_out[16],
		 struct ccni_error *err);

/* --- addresses and routes --------------------------------------------------- */

/* Add an address (EEXIST is success). nodad: IFA_F_NODAD for IPv6. */
int kaddr_add(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, bool nodad,
	      struct ccni_error *err);
int kaddr_del(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a,
	      struct ccni_error *err);
/* Addresses of one link (a dump filtered by the kernel side for small
 * namespaces; only used where the namespace holds a few links). Returns
 * the count, at most max. */
int kaddr_list(struct nl_sock *sk, int ifindex, int family, struct ccni_ipnet *out, int max,
	       struct ccni_error *err);

struct kroute {
	struct ccni_ipnet dst;
	struct ccni_ip gw;  /* family 0: none */
	struct ccni_ip src; /* family 0: none */
	int ifindex;
	unsigned table;     /* 0: main */
	int scope;          /* -1: kernel's choice */
	unsigned mtu, advmss, priority;
};
struct kroute kroute_init(void);
/* Add a route (EEXIST is success when replace is false). */
int kroute_add(struct nl_sock *sk, const struct kroute *r, bool replace, struct ccni_error *err);
int kroute_del(struct nl_sock *sk, const struct kroute *r, struct ccni_error *err);
/* Does a route to dst via gw on ifindex exist (exact)? 1 yes, 0 no, -1 error. */
int kroute_exists(struct nl_sock *sk, const struct kroute *r, struct ccni_error *err);

/* The interface the kernel routes dst through (one RTM_GETROUTE lookup, no
 * dump): its index, 0 when unreachable, -1 on error. */
int kroute_get_oif(struct nl_sock *sk, const struct ccni_ip *dst, struct ccni_error *err);

/* --- /proc/sys ------------------------------------------------------------- */

/* key "net/ipv4/ip_forward" or "net.ipv4.ip_forward"; only net.* keys,
 * no "..". Writes in the namespace of the calling thread. */
int ksysctl_set(const char *key, const char *value, struct ccni_error *err);
int ksysctl_get(const char *key, char *buf, size_t len, struct ccni_error *err);
bool ksysctl_key_valid(const char *key);

/* --- nftables ---------------------------------------------------------------- */

/* Run an nft script as one atomic batch. Returns 0, or -1 with the error
 * (code 105) carrying nft's message. ok_missing: ENOENT-type failures
 * ("No such file or directory") are success. */
int knft_run(const char *script, bool ok_missing, struct ccni_error *err);
/* Run a batch written in nft's JSON schema ({"nftables":[...]}). */
int knft_run_json(const char *json, struct ccni_error *err);
/* Run a read-only nft command with JSON output; *out gets the parsed JSON
 * (a new reference). 0, or -1 with err (ok_missing: 1 when it does not exist). */
int knft_query(const char *cmd, json_t **out, bool ok_missing, struct ccni_error *err);
/* The same with nft's text output (some commands, like "get element",
 * print only text); *out is malloc'd. */
int knft_get_text(const char *cmd, char **out, bool ok_missing, struct ccni_error *err);
/* Delete every element and rule of inet table `table` whose comment is tag
 * (one listing, one batch). 0 also when the table does not exist. */
int knft_del_by_tag(const char *table, const char *tag, struct ccni_error *err);

/* --- masquerade and MAC spoof checks (nftables sets) ------------------------- */

/* Masquerade traffic from addr to anything outside addr's own subnet and
 * outside multicast, as the reference's ipMasq does; one batch adds (or
 * removes) the container's set elements in ccni's table "inet ccni_masq".
 * tag names the attachment in element comments ("NET CID IFNAME"). */
int kmasq_add(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err);
int kmasq_del(const struct ccni_ipnet *addrs, int n, struct ccni_error *err);
/* An attachment's ipMasq added or removed through its backend: "iptables"
 * (kipt_masq below) or else nftables (kmasq_add/kmasq_del, tagged
 * "NETWORK CONTAINERID IFNAME"). IPv6 link-local addresses are skipped. */
int kmasq(bool add, const char *backend, const struct ccni_ipnet *addrs, int n,
	  const char *network, const char *container_id, const char *ifname,
	  struct ccni_error *err);

/* The same through iptables (ipMasqBackend "iptables"): the reference's
 * per-container chain CNI-<hash of network+id> in the nat table, made or
 * removed by one iptables-restore --noflush call per address family. */
int kipt_masq(bool add, const struct ccni_ipnet *addrs, int n, const char *network,
	      const char *container_id, struct ccni_error *err);

/* The reference's chain name for a network and container ("CNI-" + 24 hex). */
void kipt_chain_name(const char *network, const char *id, char out[29]);
/* Feed a script to (ip6)iptables-restore --noflush --wait. */
int kipt_restore(bool v6, const char *script, struct ccni_error *err);

/* Drop frames entering the bridge from port `ifname` whose source MAC is not
 * `mac` (table "bridge ccni_spoof"); DEL needs only the port's name. */
int kspoof_add(const char *ifname, const uint8_t mac[6], struct ccni_error *err);
int kspoof_del(const char *ifname, struct ccni_error *err);

#endif
