/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qdisc.c — tbf and ingress qdiscs, the ingress redirect filter and ifb
 * links. The tc requests are built with libnl's message API rather than its
 * tbf/u32 modules: libnl's tbf computes the bucket itself and adds a rate
 * table, which would make the kernel's state (and `tc -d qdisc show`)
 * differ from what the reference plugin leaves. The requests go through
 * the netlink core, so a refusal comes back with the kernel's own words.
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
#include "net/link.h"
#include "net/netlink.h"
#include "net/qdisc.h"

#define HANDLE_TBF 0x00010000u	   /* 1: */
#define HANDLE_INGRESS 0xffff0000u /* ffff: */
#define CLASS_1_1 0x00010001u	   /* 1:1, the reference's flow id */

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

	return netlink_msg(type, flags, &tcm, sizeof(tcm));
}

/* --- qdiscs -------------------------------------------------------------------- */

double qdisc_ticks_per_usec(void)
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

struct nl_msg *qdisc_tbf_msg(int ifindex, const struct qdisc_tbf *t)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
		tc_msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, HANDLE_TBF, TC_H_ROOT, 0);
	struct tc_tbf_qopt q = { .limit = t->limit, .buffer = t->buffer };
	struct nlattr *opts;

	q.rate.rate = (uint32_t)t->rate;
	if (!msg || nla_put_string(msg, TCA_KIND, "tbf") < 0 ||
	    !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    nla_put(msg, TCA_TBF_PARMS, sizeof(q), &q) < 0 ||
	    (t->rate > UINT32_MAX && nla_put_u64(msg, TCA_TBF_RATE64, t->rate) < 0))
		return NULL;
	nla_nest_end(msg, opts);
	return TAKE_PTR(msg);
}

int qdisc_tbf_add(struct nl_sock *sk, int ifindex, const struct qdisc_tbf *t,
		  struct ccni_error *err)
{
	struct nl_msg *msg = qdisc_tbf_msg(ifindex, t);

	if (!msg)
		return netlink_nomem(err, "tbf qdisc");
	return netlink_request(sk, msg, 0, err, "create tbf qdisc");
}

int qdisc_ingress_add(struct nl_sock *sk, int ifindex, struct ccni_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = tc_msg(
		RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, HANDLE_INGRESS, TC_H_INGRESS, 0);

	if (!msg || nla_put_string(msg, TCA_KIND, "ingress") < 0)
		return netlink_nomem(err, "ingress qdisc");
	return netlink_request(sk, TAKE_PTR(msg), 0, err, "create ingress qdisc");
}

int qdisc_del(struct nl_sock *sk, int ifindex, bool ingress, struct ccni_error *err)
{
	struct nl_msg *msg =
		tc_msg(RTM_DELQDISC, 0, ifindex, 0, ingress ? TC_H_INGRESS : TC_H_ROOT, 0);
	struct netlink_answer ans;
	int rc;

	if (!msg)
		return netlink_nomem(err, "qdisc");
	rc = netlink_talk(sk, msg, NULL, NULL, &ans);
	/* ENOENT: no such qdisc (or only the default one); ENODEV: no link. */
	if (rc == 0 || rc == -ENOENT || rc == -ENODEV)
		return 0;
	return netlink_error(err, &ans, "delete %s qdisc", ingress ? "ingress" : "root");
}

static int parse_qdisc(struct nlmsghdr *h, void *arg)
{
	struct qdisc *q = arg;
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

int qdisc_get(struct nl_sock *sk, int ifindex, bool ingress, struct qdisc *out,
	      struct ccni_error *err)
{
	/* The kernel answers a qdisc GET as a notification: NLM_F_ECHO has it
	 * come back to us. */
	struct nl_msg *msg =
		tc_msg(RTM_GETQDISC, NLM_F_ECHO, ifindex, 0, ingress ? TC_H_INGRESS : TC_H_ROOT, 0);
	struct netlink_answer ans;
	char name[LINK_NAME_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return netlink_nomem(err, "qdisc");
	rc = netlink_talk(sk, msg, parse_qdisc, out, &ans);
	if (rc == -ENOENT || rc == -ENODEV || (rc == 0 && !out->kind[0]))
		return 1;
	if (rc < 0)
		return netlink_error(err, &ans, "link %s: read %s qdisc",
				     link_name(sk, ifindex, name), ingress ? "ingress" : "root");
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

struct nl_msg *qdisc_redirect_filter_msg(int ifindex, int to_ifindex)
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
		return NULL;
	nla_nest_end(msg, acts);
	nla_nest_end(msg, opts);
	return TAKE_PTR(msg);
}

int qdisc_redirect_filter_add(struct nl_sock *sk, int ifindex, int to_ifindex,
			      struct ccni_error *err)
{
	struct nl_msg *msg = qdisc_redirect_filter_msg(ifindex, to_ifindex);

	if (!msg)
		return netlink_nomem(err, "redirect filter");
	return netlink_request(sk, msg, 0, err, "add redirect filter");
}
