/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qdisc.h — traffic control objects the bandwidth plugin manages: a token
 * bucket (tbf) root qdisc, the ingress qdisc, and a match-all u32 filter
 * that redirects a link's ingress traffic to another link (an ifb:
 * link-ifb.h). Every request names one link by index (no dumps). Internal.
 */
#ifndef CCNI_NET_QDISC_H
#define CCNI_NET_QDISC_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>

struct nl_sock;
struct nl_msg;

/* A tbf qdisc's parameters as the kernel takes and reports them. */
struct qdisc_tbf {
	uint64_t rate;	 /* bytes per second */
	uint32_t limit;	 /* bytes that may wait in the queue */
	uint32_t buffer; /* the bucket, in scheduler ticks */
};

/* A root or ingress qdisc read back from the kernel. */
struct qdisc {
	char kind[16]; /* "tbf", "ingress", "noqueue", ... */
	uint32_t handle;
	bool has_tbf; /* kind "tbf" and tbf holds its parameters */
	struct qdisc_tbf tbf;
};

/* Scheduler ticks per microsecond, from /proc/net/psched (15.625 on every
 * kernel with a 1 GHz clock source), computed as iproute2 and the Go
 * netlink library do. */
double qdisc_ticks_per_usec(void);

/* Add a tbf root qdisc with handle 1: (exclusive: an existing one is an
 * error). No rate table is sent: the kernel computes its own. */
struct nl_msg *qdisc_tbf_msg(int ifindex, const struct qdisc_tbf *t);
int qdisc_tbf_add(struct nl_sock *sk, int ifindex, const struct qdisc_tbf *t,
		  struct ccni_error *err);
/* Add the ingress qdisc (handle ffff:), exclusive. */
int qdisc_ingress_add(struct nl_sock *sk, int ifindex, struct ccni_error *err);
/* Delete the root (ingress false) or ingress qdisc; none there is success. */
int qdisc_del(struct nl_sock *sk, int ifindex, bool ingress, struct ccni_error *err);
/* Read the root or ingress qdisc of a link. 0 and *out filled; 1 when the
 * link or the qdisc does not exist; -1 on error. */
int qdisc_get(struct nl_sock *sk, int ifindex, bool ingress, struct qdisc *out,
	      struct ccni_error *err);

/* On the ingress qdisc of ifindex, a u32 filter (priority 1, every
 * protocol, flow 1:1) matching every packet, whose actions redirect it to
 * the egress of to_ifindex. */
struct nl_msg *qdisc_redirect_filter_msg(int ifindex, int to_ifindex);
int qdisc_redirect_filter_add(struct nl_sock *sk, int ifindex, int to_ifindex,
			      struct ccni_error *err);

#endif
