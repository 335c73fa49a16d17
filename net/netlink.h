/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.h — the one netlink core every rtnetlink request goes through:
 * links, addresses, routes, rules, qdiscs and filters. A socket is made
 * inside the namespace it serves and asks the kernel for extended acks, so
 * a refusal comes back as the kernel's errno and its own sentence; both
 * reach the caller's `struct ccni_error` (the errno as data, the sentence in
 * details). Requests are built by the object files (link.c, route.c, ...)
 * with libnl's message API; libnl's error folding is never used for them.
 *
 * The functions are prefixed netlink_ because libnl owns nl_. Internal.
 */
#ifndef CCNI_NET_NETLINK_H
#define CCNI_NET_NETLINK_H

#include <stdbool.h>
#include <stddef.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <ccni/error.h>

#include "lib/common/cleanup.h"

/* A NETLINK_ROUTE socket bound to the namespace nsfd (-1: the caller's),
 * made inside it so it stays bound there, with extended acks, capped acks
 * and strict checking of dump requests. NULL with err on failure. */
struct nl_sock *netlink_open(int nsfd, struct ccni_error *err);
void netlink_close(struct nl_sock *sk);

DEFINE_CLEANUP(struct nl_sock *, netlink_close)
DEFINE_CLEANUP(struct nl_msg *, nlmsg_free)

/* What the kernel answered: its errno (0: accepted) and its extended-ack
 * message ("" when it gave none). */
struct netlink_answer {
	int error;
	char text[256];
	bool ours; /* the failure was on our side (memory, the socket) */
};

/* Called for each reply message of a request (a GET's answer, a dump's
 * entries). Returns 0 to go on. */
typedef int (*netlink_reply_fn)(struct nlmsghdr *h, void *arg);

/* Send msg (taken: freed in every case), hand each reply to fn (may be
 * NULL) and wait for the ack or the end of the dump. Returns 0, or the
 * negative errno with *ans saying what the kernel said (ENOMEM/EIO when the
 * failure was ours). */
int netlink_talk(struct nl_sock *sk, struct nl_msg *msg, netlink_reply_fn fn, void *arg,
		 struct netlink_answer *ans);

/* err from a refused request: "WHAT: <strerror>", code 101, err->errnum the
 * errno, details "kernel: <its message>" when it gave one. Returns -1. */
int netlink_error(struct ccni_error *err, const struct netlink_answer *ans, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* netlink_talk for a request whose only answer is the ack, failing with
 * netlink_error(WHAT) unless the errno is `ok_errno` (0: none is), which
 * counts as success. Returns 0, or -1 with err. */
int netlink_request(struct nl_sock *sk, struct nl_msg *msg, int ok_errno, struct ccni_error *err,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A new request of `type` with `flags` (NLM_F_REQUEST added by the send)
 * and its family header (len bytes of hdr), or NULL when out of memory. */
struct nl_msg *netlink_msg(int type, int flags, const void *hdr, size_t len);

/* The kernel's extended-ack message of an error (""  when none) into
 * out: for the netlink users outside this core (nf_tables batches). */
void netlink_ack_text(const struct nlmsgerr *e, char *out, size_t len);
/* Ask for extended and capped acks on a raw netlink socket. */
void netlink_ext_ack_on(int fd);

/* A non-blocking raw socket made in namespace nsfd (-1: the caller's)
 * that hears its rtnetlink notifications of `groups` (RTMGRP_*): for
 * waiting on the kernel rather than polling it. The fd, or -1 with err. */
int netlink_events_open(int nsfd, unsigned groups, struct ccni_error *err);

/* Out of memory while building a request: code 100. Returns -1. */
int netlink_nomem(struct ccni_error *err, const char *what);

/* The container's namespace and a route socket in it (ct) and one in the
 * caller's namespace (host): what a main plugin's ADD and CHECK work with.
 * On failure nothing stays open; close is safe on NETLINK_PAIR_INIT and frees
 * what is open. */
struct netlink_pair {
	int nsfd;
	struct nl_sock *host, *ct;
};
#define NETLINK_PAIR_INIT { .nsfd = -1 }
int netlink_pair_open(const char *netns, struct netlink_pair *p, struct ccni_error *err);
void netlink_pair_close(struct netlink_pair *p);

/* A container's namespace, flock(2)ed exclusively (the lock the reference's
 * chained plugins that edit its routing take: sbr, vrf; closing *nsfd drops
 * it), and a route socket in it. On failure nothing stays open. */
int netlink_open_locked(const char *netns, int *nsfd, struct nl_sock **sk,
			struct ccni_error *err);

#endif
