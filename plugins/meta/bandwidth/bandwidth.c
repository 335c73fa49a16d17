/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bandwidth — a chained plugin that shapes a container's traffic with token
 * buckets on the host side of its veth, as the reference does: traffic to
 * the container (ingressRate/ingressBurst) through a tbf root qdisc on the
 * host veth; traffic from it (egressRate/egressBurst) redirected from the
 * host veth's ingress to an ifb device "bwp<hash>" that has the tbf. The
 * result is prevResult with the ifb appended; DEL removes the ifb. Unlike
 * the reference, a failed ADD takes away what it made.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/sha512.h"
#include "net/link.h"
#include "net/link-ifb.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/qdisc.h"
#include "net/tag.h"
#include "plugins/meta/bandwidth/bandwidth.h"

#define TIME_UNITS_PER_SEC 1000000.0

/* --- configuration ------------------------------------------------------------ */

/* Its keys (also what `ccni validate` knows of it). */
static const char *const keys[] = {"ingressRate", "ingressBurst", "egressRate", "egressBurst", NULL};

static int get_u64(json_t *o, const char *where, const char *key, uint64_t *out,
		   struct ccni_error *err)
{
	long long v = 0;

	if (ccni_json_get_int(o, where, key, 0, INT64_MAX, &v, err) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* A rate needs its burst and a burst its rate; the burst in bytes must fit
 * the kernel's 32 bits. */
static int check_pair(const char *where, const char *dir, uint64_t rate, uint64_t burst,
		      struct ccni_error *err)
{
	const char *dot = *where ? "." : "";

	if (rate && !burst)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s%s%sBurst: must be set when %sRate is (%sRate %llu)",
				      where, dot, dir, dir, dir, (unsigned long long)rate);
	if (burst && !rate)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s%s%sRate: must be set when %sBurst is (%sBurst %llu)",
				      where, dot, dir, dir, dir, (unsigned long long)burst);
	if (burst / 8 >= UINT32_MAX)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s%s%sBurst: %llu bits is more than 4GB", where, dot, dir,
				      (unsigned long long)burst);
	return 0;
}

int bandwidth_conf_parse(const struct ccni_request *req, struct bandwidth_limits *bw,
			 struct ccni_error *err)
{
	json_t *src = req->config;
	bool in_config = false;
	char b[80];

	memset(bw, 0, sizeof(*bw));
	bw->where = "";
	for (size_t i = 0; keys[i]; i++)
		in_config |= json_object_get(req->config, keys[i]) != NULL;
	if (!in_config) {
		src = json_object_get(req->runtime_config, "bandwidth");
		if (!src || json_is_null(src))
			return 0;
		if (!json_is_object(src))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "runtimeConfig.bandwidth: expected an object, got %s",
					      ccni_json_brief(src, b, sizeof(b)));
		bw->where = "runtimeConfig.bandwidth";
	}
	/* each key on its own: validation reports every bad one */
	if (CCNI_CONF_TRY(req, err, get_u64(src, bw->where, "ingressRate", &bw->ingress_rate, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_u64(src, bw->where, "ingressBurst", &bw->ingress_burst, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_u64(src, bw->where, "egressRate", &bw->egress_rate, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_u64(src, bw->where, "egressBurst", &bw->egress_burst, err)) < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, check_pair(bw->where, "ingress", bw->ingress_rate,
						bw->ingress_burst, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, check_pair(bw->where, "egress", bw->egress_rate,
						bw->egress_burst, err)) < 0)
		return -1;
	return 0;
}

/* `ccni validate`: the parser above. */
static int bandwidth_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct bandwidth_limits bw;

	return bandwidth_conf_parse(req, &bw, err);
}

/* Go's uint32(float64) on amd64: through int64, keeping the low 32 bits
 * (out of range, infinity and NaN give 0). The reference's values depend on
 * it for large bursts and tiny rates. */
static uint32_t go_u32(double d)
{
	if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
		return 0;
	return (uint32_t)(uint64_t)(int64_t)d;
}

void bandwidth_tbf(uint64_t rate_bits, uint64_t burst_bits, double ticks_per_usec, struct qdisc_tbf *out)
{
	uint64_t rate = rate_bits / 8;
	uint32_t burst = (uint32_t)(burst_bits / 8);
	double latency = TIME_UNITS_PER_SEC * (BANDWIDTH_LATENCY_MS / 1000.0);
	uint32_t usec = go_u32((double)burst * TIME_UNITS_PER_SEC / (double)rate);

	out->rate = rate;
	out->buffer = go_u32((double)usec * ticks_per_usec);
	/* the queue: what arrives during the latency, plus the burst (in
	 * 32 bits, wrapping as the reference's does) */
	out->limit = go_u32((double)rate * latency / TIME_UNITS_PER_SEC) + burst;
}

void bandwidth_ifb_name(const char *network, const char *container_id, char out[16])
{
	sha512_name(BANDWIDTH_IFB_PREFIX, network, container_id, out, 16);
}

/* --- the host side of the container's veth --------------------------------------- */

/* The host interface of prevResult whose link is the peer of the
 * container's CNI_IFNAME. */
static int host_interface(const struct ccni_request *req, const struct ccni_result *prev,
			  struct nl_sock *host, struct link *out, struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_close_ int nsfd = -1;
	struct link c;
	int rc;

	if (prev->n_interfaces == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "prevResult: no interfaces provided");
	if (netns_open(req->netns, &nsfd, err) < 0 || !(sk = netlink_open(nsfd, err)))
		return -1;
	rc = link_get(sk, req->ifname, 0, &c, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "CNI_IFNAME: no link \"%s\" in the container", req->ifname);
	if (strcmp(c.kind, "veth") != 0 || c.parent <= 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "CNI_IFNAME: container interface %s has no veth peer "
				      "(kind \"%s\")",
				      req->ifname, c.kind);
	rc = link_get(host, NULL, c.parent, out, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "veth peer of %s (index %d) is not in the host namespace",
				      req->ifname, c.parent);
	for (size_t i = 0; i < prev->n_interfaces; i++) {
		const struct ccni_interface *itf = &prev->interfaces[i];

		if ((!itf->sandbox || !*itf->sandbox) && itf->name && streq(itf->name, out->name))
			return 0;
	}
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			      "prevResult: no host interface %s (the veth peer of %s)", out->name,
			      req->ifname);
}

/* --- ADD ------------------------------------------------------------------------ */

/* What an ADD made, taken away again when a later step fails. */
struct made {
	struct nl_sock *sk;
	int tbf_on;	/* host veth with our root tbf, 0: none */
	int ingress_on; /* host veth with our ingress qdisc, 0: none */
	int ifb;	/* our ifb link, 0: none */
};

static void undo(struct made *m)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (m->ifb && link_del(m->sk, m->ifb, &e) < 0)
		ccni_error_clear(&e);
	if (m->ingress_on && qdisc_del(m->sk, m->ingress_on, true, &e) < 0)
		ccni_error_clear(&e);
	if (m->tbf_on && qdisc_del(m->sk, m->tbf_on, false, &e) < 0)
		ccni_error_clear(&e);
}

static int shape_ingress(struct made *m, const struct bandwidth_limits *bw,
			 const struct link *host, struct ccni_error *err)
{
	struct qdisc_tbf t;

	bandwidth_tbf(bw->ingress_rate, bw->ingress_burst, qdisc_ticks_per_usec(), &t);
	if (qdisc_tbf_add(m->sk, host->ifindex, &t, err) < 0)
		return ccni_error_prefix(err, "%s", host->name);
	m->tbf_on = host->ifindex;
	return 0;
}

static int shape_egress(const struct ccni_request *req, struct made *m,
			const struct bandwidth_limits *bw, const struct link *host,
			struct ccni_result *r, struct ccni_error *err)
{
	struct link ifb;
	struct qdisc_tbf t;
	char name[16], mac[18], tag[TAG_MAX];

	bandwidth_ifb_name(req->name ? req->name : "", req->container_id, name);
	tag_of(req->name, req->container_id, req->ifname, tag);
	/* the group marks it as the network's from its creation on: an ADD
	 * killed before the alias is set leaves an ifb GC still finds */
	if (link_ifb_create(m->sk, name, host->mtu, tag_group(req->name), tag, &ifb, err) < 0)
		return -1;
	m->ifb = ifb.ifindex;
	if (ccni_result_add_interface(r, name, ccni_mac_format(ifb.mac, mac), NULL) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (qdisc_ingress_add(m->sk, host->ifindex, err) < 0)
		return ccni_error_prefix(err, "%s", host->name);
	m->ingress_on = host->ifindex;
	if (qdisc_redirect_filter_add(m->sk, host->ifindex, ifb.ifindex, err) < 0)
		return ccni_error_prefix(err, "%s -> %s", host->name, name);
	bandwidth_tbf(bw->egress_rate, bw->egress_burst, qdisc_ticks_per_usec(), &t);
	if (qdisc_tbf_add(m->sk, ifb.ifindex, &t, err) < 0)
		return ccni_error_prefix(err, "%s", name);
	return 0;
}

/* Every kernel refusal names the limits it was for. */
static int shape(const struct ccni_request *req, struct made *m, const struct bandwidth_limits *bw,
		 const struct link *host, struct ccni_result *r, struct ccni_error *err)
{
	const char *dot = *bw->where ? "." : "";

	if (bandwidth_ingress(bw) && shape_ingress(m, bw, host, err) < 0)
		return ccni_error_prefix(err, "%s%singressRate %llu, ingressBurst %llu", bw->where,
					 dot, (unsigned long long)bw->ingress_rate,
					 (unsigned long long)bw->ingress_burst);
	if (bandwidth_egress(bw) && shape_egress(req, m, bw, host, r, err) < 0)
		return ccni_error_prefix(err, "%s%segressRate %llu, egressBurst %llu", bw->where,
					 dot, (unsigned long long)bw->egress_rate,
					 (unsigned long long)bw->egress_burst);
	return 0;
}

static int prev_required(const struct ccni_request *req, struct ccni_error *err)
{
	if (req->prev_result)
		return 0;
	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			      "bandwidth: prevResult is required (a chained plugin)");
}

static int bandwidth_add(const struct ccni_request *req, struct ccni_result **out,
			 struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	struct bandwidth_limits bw;
	struct made m = {0};
	struct link host;

	if (bandwidth_conf_parse(req, &bw, err) < 0 || prev_required(req, err) < 0)
		return -1;
	r = ccni_result_copy(req->prev_result);
	if (!r)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (bandwidth_ingress(&bw) || bandwidth_egress(&bw)) {
		if (!(sk = netlink_open(-1, err)) ||
		    host_interface(req, req->prev_result, sk, &host, err) < 0)
			return -1;
		m.sk = sk;
		if (shape(req, &m, &bw, &host, r, err) < 0) {
			undo(&m);
			return -1;
		}
	}
	*out = TAKE_PTR(r);
	return 0;
}

/* --- DEL -------------------------------------------------------------------------- */

static int bandwidth_del(const struct ccni_request *req, struct ccni_result **out,
			 struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	struct bandwidth_limits bw;
	struct link ifb;
	char name[16];
	int rc;

	(void)out;
	if (bandwidth_conf_parse(req, &bw, err) < 0 || !(sk = netlink_open(-1, err)))
		return -1;
	bandwidth_ifb_name(req->name ? req->name : "", req->container_id, name);
	rc = link_get(sk, name, 0, &ifb, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0; /* already gone */
	if (link_del_unwaited(sk, ifb.ifindex, ifb.ifindex, err) < 0)
		return ccni_error_prefix(err, "%s", name);
	return 0;
}

/* --- CHECK ------------------------------------------------------------------------ */

/* The root qdisc of a link must be our tbf with the expected values. */
static int check_tbf(struct nl_sock *sk, const struct link *l, const char *dir, uint64_t rate_bits,
		     uint64_t burst_bits, struct ccni_error *err)
{
	struct qdisc q;
	struct qdisc_tbf t;
	int rc = qdisc_get(sk, l->ifindex, false, &q, err);

	if (rc < 0)
		return -1;
	if (rc == 1 || !q.has_tbf)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: no tbf qdisc for %sRate %llu (root qdisc \"%s\")",
				      l->name, dir, (unsigned long long)rate_bits, q.kind);
	bandwidth_tbf(rate_bits, burst_bits, qdisc_ticks_per_usec(), &t);
	if (q.tbf.rate != t.rate)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: tbf rate is %llu bytes/s, %sRate %llu wants %llu",
				      l->name, (unsigned long long)q.tbf.rate, dir,
				      (unsigned long long)rate_bits, (unsigned long long)t.rate);
	if (q.tbf.limit != t.limit || q.tbf.buffer != t.buffer)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: tbf limit/buffer are %u/%u, %sBurst %llu wants %u/%u",
				      l->name, q.tbf.limit, q.tbf.buffer, dir,
				      (unsigned long long)burst_bits, t.limit, t.buffer);
	return 0;
}

static int check_egress(const struct ccni_request *req, struct nl_sock *sk,
			const struct bandwidth_limits *bw, const struct link *host,
			struct ccni_error *err)
{
	struct qdisc q;
	struct link ifb;
	char name[16];
	int rc;

	bandwidth_ifb_name(req->name ? req->name : "", req->container_id, name);
	rc = link_get(sk, name, 0, &ifb, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "egressRate: ifb link %s does not exist", name);
	rc = qdisc_get(sk, host->ifindex, true, &q, err);
	if (rc < 0)
		return -1;
	if (rc == 1 || strcmp(q.kind, "ingress") != 0)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "egressRate: %s has no ingress qdisc", host->name);
	return check_tbf(sk, &ifb, "egress", bw->egress_rate, bw->egress_burst, err);
}

static int bandwidth_check(const struct ccni_request *req, struct ccni_result **out,
			   struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	struct bandwidth_limits bw;
	struct link host;

	(void)out;
	if (bandwidth_conf_parse(req, &bw, err) < 0 || prev_required(req, err) < 0)
		return -1;
	if (!(sk = netlink_open(-1, err)) ||
	    host_interface(req, req->prev_result, sk, &host, err) < 0)
		return -1;
	if (bandwidth_ingress(&bw) &&
	    check_tbf(sk, &host, "ingress", bw.ingress_rate, bw.ingress_burst, err) < 0)
		return -1;
	if (bandwidth_egress(&bw) && check_egress(req, sk, &bw, &host, err) < 0)
		return -1;
	return 0;
}

static const char *const bandwidth_versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL};

/* --- GC --------------------------------------------------------------------------- */

/* The ifbs of the network's attachments that are not valid (found by the
 * tag ADD gives them; a link dump). The qdiscs on a host veth go with it. */
static int bandwidth_gc(const struct ccni_request *req, struct ccni_result **out,
			struct ccni_error *err)
{
	_cleanup_(netlink_closep) struct nl_sock *sk = netlink_open(-1, err);

	(void)out;
	if (!sk || link_del_stale(sk, req->name, req->valid_attachments, bandwidth_ifb_name, err) < 0)
		return ccni_error_prefix(err, "bandwidth");
	return 0;
}

const struct ccni_plugin plugin_bandwidth = {
    .name = "bandwidth",
    .about = "ccni bandwidth: shapes a container's traffic with tbf qdiscs and an ifb",
    .versions = bandwidth_versions,
    .add = bandwidth_add,
    .del = bandwidth_del,
    .check = bandwidth_check,
    .gc = bandwidth_gc,
    .validate = bandwidth_validate,
    .keys = keys,
};
