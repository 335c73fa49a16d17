/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-daemon.h — the daemon's parts: its options (the reference's flags
 * and a few of ours), the leases it holds (one per attachment, each a
 * DHCP client state machine), the plugin connections it serves, and the
 * files it keeps. One thread, one poll loop: a lease's exchange is a
 * socket and a timer, never a blocked thread.
 */
#ifndef CCNI_DHCP_DAEMON_H
#define CCNI_DHCP_DAEMON_H

#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "plugins/ipam/dhcp/dhcp.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

struct dhcpd_opts {
	char socket_path[DHCP_PATH_MAX]; /* with -hostprefix in front */
	char pidfile[PATH_MAX];
	char hostprefix[PATH_MAX];
	char logfile[PATH_MAX];
	bool broadcast;
	bool autostart; /* started by the plugin: ready pipe on fd 3 */
	int64_t timeout_ms, resendmax_ms, resendtimeout_ms, idle_exit_ms;
};

enum lease_state {
	LS_NEW,
	LS_WAIT_LINK,  /* the link is coming up: DISCOVER once it runs */
	LS_SELECTING,  /* DISCOVER sent, waiting for an offer */
	LS_REQUESTING, /* REQUEST for an offer sent, waiting for the ACK */
	LS_BOUND,
	LS_RENEWING,   /* past T1: REQUEST to our server */
	LS_REBINDING,  /* past T2: REQUEST to any server */
};

struct conn;

struct lease {
	struct lease *lnext, *lprev, *hnext; /* all leases; a hash bucket */
	char name[DHCP_LEASE_NAME_LEN]; /* the key and the file name */
	char *id, *network, *ifname, *netns;
	uint8_t client_id[255];
	size_t client_id_len;
	uint8_t request[DHCP_MAX_REQUEST];
	int n_request;
	struct dhcp_option *provide;
	int n_provide;
	uint32_t priority;

	enum lease_state state;
	bool bound; /* holds an address (a DHCPACK was seen) */
	struct dhcp_link link; /* open during an exchange only (fd -1) */
	uint32_t xid;
	int tries;
	int64_t begun, next, deadline; /* ms on the daemon's clock; deadline 0: none */
	int64_t running_at; /* when the link was first seen running (WAIT_LINK) */
	uint32_t offer_ip, offer_server, want_ip;
	int naks;
	bool offered;
	char why[160]; /* the last thing that went wrong, for an error */

	uint32_t ip, server_id; /* network order */
	uint8_t server_mac[6], mac[6];
	/* the server gave our address to another client: the link is down
	 * and nothing is renewed (kept for DEL and CHECK to see) */
	bool lost;
	int64_t t1, t2, expire;
	uint8_t *ack; /* the options of the last DHCPACK (an option area) */
	size_t ack_len;

	struct conn *waiters; /* ADDs waiting for this lease */
};

struct conn {
	struct conn *next, *wnext;
	int fd;
	char *buf;
	size_t len;
	int64_t deadline;
	struct lease *waiting;
};

#define DHCPD_BUCKETS 4096

struct dhcpd {
	struct dhcpd_opts o;
	int listen_fd, sig_fd, dir_fd, ready_fd;
	bool own_socket; /* we bound it: remove it when leaving */
	struct lease *leases, *buckets[DHCPD_BUCKETS];
	size_t n_leases;
	struct conn *conns;
	int64_t idle_since;
	FILE *log;
	char dir[DHCP_FILE_MAX];
};

/* dhcp-flags.c: the command line (argv after "daemon"). 0, or -1 with
 * *status the exit status (the usage was printed). */
int dhcp_flags_parse(struct dhcpd_opts *o, int argc, char **argv, int *status);
/* A Go duration ("10s", "1m30s", "500ms") in milliseconds. 0 or -1. */
int dhcp_parse_duration(const char *s, int64_t *ms);

/* dhcp-daemon.c */
int64_t dhcpd_now(void);
void dhcpd_log(struct dhcpd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dhcp-lease.c: the lease table. lease_drop answers the ADDs still
 * waiting for the lease (serve_give_up) and frees it. */
struct lease *lease_find(struct dhcpd *d, const char *name);
void lease_drop(struct dhcpd *d, struct lease *l);
struct lease *lease_add(struct dhcpd *d, const char *id, const char *network,
			const char *ifname, const char *netns);

/* The options asked for and provided, from a request or a lease file. */
int lease_options(struct lease *l, json_t *j);

/* dhcp-serve.c: the plugins' requests */
void serve_give_up(struct dhcpd *d, struct lease *l);
void serve_accept(struct dhcpd *d, int64_t now);
void serve_conn(struct dhcpd *d, struct conn *c, int64_t now);
void serve_expire_conns(struct dhcpd *d, int64_t now);
/* from the client: the lease is bound (again), an ADD failed, the
 * attachment is gone */
void serve_bound(struct dhcpd *d, struct lease *l);
void serve_failed(struct dhcpd *d, struct lease *l, const struct ccni_error *err);
void serve_gone(struct dhcpd *d, struct lease *l, const char *why);

#define LEASE_LOG(d, l, fmt, ...) \
	dhcpd_log(d, "%s/%s/%s: " fmt, (l)->id, (l)->network, (l)->ifname, ##__VA_ARGS__)

static inline const char *ip4str(uint32_t a, char buf[16])
{
	return inet_ntop(AF_INET, &a, buf, 16);
}

/* dhcp-client.c: one lease's DHCP client */
void client_acquire(struct dhcpd *d, struct lease *l, int64_t now);
void client_resume(struct dhcpd *d, struct lease *l, int64_t now);
void client_timer(struct dhcpd *d, struct lease *l, int64_t now);
void client_input(struct dhcpd *d, struct lease *l, int64_t now);

/* dhcp-send.c: what the client sends. */
uint32_t client_xid(void);
/* The message of the lease's state, on its open link. 0 or -errno. */
int client_transmit(struct dhcpd *d, struct lease *l, enum dhcp_type type, int64_t now);
/* DHCPRELEASE, from the interface, or from our own namespace when the
 * container's is gone. */
void client_release(struct dhcpd *d, struct lease *l);
/* The netns path as this daemon sees it (-hostprefix). */
void client_netns(const struct dhcpd *d, const struct lease *l, char *out, size_t len);

/* dhcp-store.c: P.d/, one JSON file per bound lease */
int store_open(struct dhcpd *d, struct ccni_error *err);
int store_save(struct dhcpd *d, const struct lease *l);
void store_remove(struct dhcpd *d, const struct lease *l);
int store_load(struct dhcpd *d, int64_t now);

#endif
