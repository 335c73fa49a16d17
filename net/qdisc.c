/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qdisc.c — tbf and ingress qdiscs, the ingress redirect filter and ifb
 * links. The tc requests are built with libnl's message API rather than its
 * tbf/u32 modules: libnl's tbf computes the bucket itself and adds a rate
 * table, which would make the kernel's state (and `tc -d qdisc show`)
 * differ from what the reference plugin leaves. Each request carries
 * NETLINK_EXT_ACK, so a refusal comes back with the kernel's own words.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "lib/common/cleanup.h"
#include "net/kernel.h"
#include "net/qdisc.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

DEFINE_CLEANUP(struct nl_msg *, nlmsg_free)

#define HANDLE_TBF 0x00010000u	   /* 1: */
#define HANDLE_INGRESS 0xffff0000u /* ffff: */
#define CLASS_1_1 0x00010001u	   /* 1:1, the reference's flow id */

/* --- one request, its reply and its ACK --------------------------------------- */

struct talk {
	int (*parse)(struct nlmsghdr *h, void *arg);
	void *arg;
	bool done;
	int error;	/* the kernel's errno, 0 when none */
	char text[160]; /* the kernel's extended ACK message, "" when none */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	if (t->parse)
		t->parse(nlmsg_hdr(msg), t->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct talk *)arg)->done = true;
	return NL_STOP;
}

/* The TLVs after an error's echoed request hold the kernel's message. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload = sizeof(*e);

	(void)who;
	t->error = -e->error;
	t->done = true;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	payload = NLMSG_ALIGN(payload);
	if (h->nlmsg_len < NLMSG_HDRLEN + payload)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + payload),
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - payload), NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(t->text, sizeof(t->text), "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

/* Send msg (taking it), pass replies to t->parse and wait for the ACK.
 * Returns 0, the kernel's negative errno with t->text, or another negative
 * libnl code. */
static int talk(struct nl_sock *sk, struct nl_msg *msg, struct talk *t)
{
	struct nl_cb *base = nl_socket_get_cb(sk); /* a new reference */
	struct nl_cb *cb = base ? nl_cb_clone(base) : NULL;
	int one = 1, rc;

	if (base)
		nl_cb_put(base);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (rc >= 0 && !t->done)
		rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (t->error)
		return -t->error;
	return rc < 0 ? -EIO : 0;
}

/* A request whose only answer is an ACK; the error names `what`. */
static int request(struct nl_sock *sk, struct nl_msg *msg, const char *what, struct ccni_error *err)
{
	struct talk t = {0};
	int rc = talk(sk, msg, &t);

	if (rc == 0)
		return 0;
	ccni_error_errno(err, CCNI_ERR_NETLINK, -rc, "%s", what);
	if (t.text[0])
		ccni_error_set_details(err, "kernel: %s", t.text);
	return -1;
}

static struct nl_msg *tc_msg(int type, int flags, int ifindex, uint32_t handle, uint32_t parent,
			     uint32_t info)
{
	struct tcmsg tcm = {
	    .tcm_family = AF_UNSPEC,
	    .tcm_ifindex = ifindex,
	    .tcm_handle = handle,
	    .tcm_parent = parent,
	    .tcm_info = info,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* --- qdiscs -------------------------------------------------------------------- */

double kqdisc_ticks_per_usec(void)
{
	unsigned t2us = 0, us2t = 0, res = 0, hz = 0;
	FILE *f = fopen("/proc/net/psched", "re");
	int n = f ? fscanf(f, "%x %x %x %x", &t2us, &us2t, &res, &hz) : 0;

	if (f)
		fclose(f);
	if (n < 3 || us2t == 0)
		return 1000.0 / 64.0; /* the kernel's PSCHED_SHIFT 6 */
	if (res == 1000000000)
		t2us = us2t;
	return (double)t2us / (double)us2t * ((double)res / 1000000.0);
}

int kqdisc_tbf_add(struct nl_sock *sk, int ifindex, const struct ktbf *t, struct ccni_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
	    tc_msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, HANDLE_TBF, TC_H_ROOT, 0);
	struct tc_tbf_qopt q = {.limit = t->limit, .buffer = t->buffer};
	struct nlattr *opts;

	q.rate.rate = (uint32_t)t->rate;
	if (!msg || nla_put_string(msg, TCA_KIND, "tbf") < 0 ||
	    !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    nla_put(msg, TCA_TBF_PARMS, sizeof(q), &q) < 0 ||
	    (t->rate > UINT32_MAX && nla_put_u64(msg, TCA_TBF_RATE64, t->rate) < 0))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	nla_nest_end(msg, opts);
	return request(sk, TAKE_PTR(msg), "create tbf qdisc", err);
}

int kqdisc_ingress_add(struct nl_sock *sk, int ifindex, struct ccni_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = tc_msg(
	    RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, HANDLE_INGRESS, TC_H_INGRESS, 0);

	if (!msg || nla_put_string(msg, TCA_KIND, "ingress") < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return request(sk, TAKE_PTR(msg), "create ingress qdisc", err);
}

int kqdisc_del(struct nl_sock *sk, int ifindex, bool ingress, struct ccni_error *err)
{
	struct nl_msg *msg =
	    tc_msg(RTM_DELQDISC, 0, ifindex, 0, ingress ? TC_H_INGRESS : TC_H_ROOT, 0);
	struct talk t = {0};
	int rc;

	if (!msg)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = talk(sk, msg, &t);
	/* ENOENT: no such qdisc (or only the default one); ENODEV: no link. */
	if (rc == 0 || rc == -ENOENT || rc == -ENODEV)
		return 0;
	ccni_error_errno(err, CCNI_ERR_NETLINK, -rc, "delete %s qdisc",
			 ingress ? "ingress" : "root");
	if (t.text[0])
		ccni_error_set_details(err, "kernel: %s", t.text);
	return -1;
}

static int parse_qdisc(struct nlmsghdr *h, void *arg)
{
	struct kqdisc *q = arg;
	struct nlattr *tb[TCA_MAX + 1], *ot[TCA_TBF_MAX + 1];
	struct tcmsg *tcm = nlmsg_data(h);

	if (h->nlmsg_type != RTM_NEWQDISC || nlmsg_parse(h, sizeof(*tcm), tb, TCA_MAX, NULL) < 0)
		return 0;
	q->handle = tcm->tcm_handle;
	if (tb[TCA_KIND])
		snprintf(q->kind, sizeof(q->kind), "%s", nla_get_string(tb[TCA_KIND]));
	if (strcmp(q->kind, "tbf") != 0 || !tb[TCA_OPTIONS] ||
	    nla_parse_nested(ot, TCA_TBF_MAX, tb[TCA_OPTIONS], NULL) < 0 || !ot[TCA_TBF_PARMS] ||
	    nla_len(ot[TCA_TBF_PARMS]) < (int)sizeof(struct tc_tbf_qopt))
		return 0;
	{
		struct tc_tbf_qopt *p = nla_data(ot[TCA_TBF_PARMS]);

		q->tbf.rate = ot[TCA_TBF_RATE64] ? nla_get_u64(ot[TCA_TBF_RATE64]) : p->rate.rate;
		q->tbf.limit = p->limit;
		q->tbf.buffer = p->buffer;
		q->has_tbf = true;
	}
	return 0;
}

int kqdisc_get(struct nl_sock *sk, int ifindex, bool ingress, struct kqdisc *out,
	       struct ccni_error *err)
{
	/* The kernel answers a qdisc GET as a notification: NLM_F_ECHO has it
	 * come back to us. */
	struct nl_msg *msg =
	    tc_msg(RTM_GETQDISC, NLM_F_ECHO, ifindex, 0, ingress ? TC_H_INGRESS : TC_H_ROOT, 0);
	struct talk t = {.parse = parse_qdisc, .arg = out};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = talk(sk, msg, &t);
	if (rc == -ENOENT || rc == -ENODEV || (rc == 0 && !out->kind[0]))
		return 1;
	if (rc < 0)
		return ccni_error_errno(err, CCNI_ERR_NETLINK, -rc, "link %d: read %s qdisc",
					ifindex, ingress ? "ingress" : "root");
	return 0;
}

/* --- the redirect filter --------------------------------------------------------- */

/* One mirred action redirecting to the egress of ifindex, then `control`. */
static int put_mirred(struct nl_msg *msg, int order, int ifindex, int control)
{
	struct tc_mirred m = {
	    .action = control, .eaction = TCA_EGRESS_REDIR, .ifindex = (uint32_t)ifindex};
	struct nlattr *act = nla_nest_start(msg, order), *o;

	if (!act || nla_put_string(msg, TCA_ACT_KIND, "mirred") < 0 ||
	    !(o = nla_nest_start(msg, TCA_ACT_OPTIONS)) ||
	    nla_put(msg, TCA_MIRRED_PARMS, sizeof(m), &m) < 0)
		return -1;
	nla_nest_end(msg, o);
	nla_nest_end(msg, act);
	return 0;
}

int kfilter_redirect_add(struct nl_sock *sk, int ifindex, int to_ifindex, struct ccni_error *err)
{
	/* Priority 1, protocol "all" (network order) in tcm_info, as tc does. */
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
	    tc_msg(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, 0, HANDLE_INGRESS,
		   TC_H_MAKE(1u << 16, htons(ETH_P_ALL)));
	/* The selector, then its one key, all zero: it matches every packet. */
	uint8_t s[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)] = { 0 };
	const struct tc_u32_sel sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 };
	struct nlattr *opts, *acts;

	memcpy(s, &sel, sizeof(sel));

	if (!msg || nla_put_string(msg, TCA_KIND, "u32") < 0 ||
	    !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    nla_put(msg, TCA_U32_SEL, sizeof(s), s) < 0 ||
	    nla_put_u32(msg, TCA_U32_CLASSID, CLASS_1_1) < 0 ||
	    !(acts = nla_nest_start(msg, TCA_U32_ACT)) ||
	    /* The reference's filter carries two redirects: the one its netlink
	     * library derives from the filter (stolen), then its own (pass),
	     * which is never reached. Both are kept so `tc filter show` reads
	     * the same for either plugin. */
	    put_mirred(msg, 1, to_ifindex, TC_ACT_STOLEN) < 0 ||
	    put_mirred(msg, 2, to_ifindex, TC_ACT_OK) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	nla_nest_end(msg, acts);
	nla_nest_end(msg, opts);
	return request(sk, TAKE_PTR(msg), "add redirect filter", err);
}

/* --- ifb links --------------------------------------------------------------------- */

DEFINE_CLEANUP(struct rtnl_link *, rtnl_link_put)

int klink_ifb_add(struct nl_sock *sk, const char *name, unsigned mtu, struct klink *out,
		  struct ccni_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = rtnl_link_alloc();
	struct nl_msg *msg = NULL;
	int rc;

	if (!l || rtnl_link_set_type(l, "ifb") < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rtnl_link_set_name(l, name);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	rtnl_link_set_txqlen(l, 0);
	rtnl_link_set_flags(l, IFF_UP);
	if (rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, &msg) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (request(sk, msg, "add ifb link", err) < 0)
		return ccni_error_prefix(err, "%s", name);
	rc = klink_get(sk, name, 0, out, err);
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "%s: ifb link gone after creation",
				      name);
	return rc;
}
