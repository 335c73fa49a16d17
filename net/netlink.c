/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.c — see netlink.h. The socket and the request path come from
 * libnl (sequence numbers, buffering, multipart replies); the answer is
 * read here: the error message's TLVs carry the kernel's extended ack, as
 * iproute2's libnetlink reads them.
 */
#include <assert.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/netlink.h"
#include "net/netns.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct open_job {
	struct nl_sock *sk;
};

static void sockopt_on(int fd, int opt)
{
	int one = 1;

	/* Best effort: a kernel without one of these still works, it only
	 * says less. */
	setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one));
}

void netlink_ext_ack_on(int fd)
{
	sockopt_on(fd, NETLINK_EXT_ACK);
	/* The echoed request is left out of error messages: the ack stays
	 * small whatever was sent. */
	sockopt_on(fd, NETLINK_CAP_ACK);
}

static int open_here(void *data, struct ccni_error *err)
{
	struct open_job *j = data;
	struct nl_sock *sk = nl_socket_alloc();
	int fd;

	if (!sk)
		return netlink_nomem(err, "netlink socket");
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		int e = errno;

		nl_socket_free(sk);
		return ccni_error_errno(err, CCNI_ERR_NETLINK, e, "netlink socket");
	}
	fd = nl_socket_get_fd(sk);
	netlink_ext_ack_on(fd);
	/* Dumps filtered by the kernel on the request header's fields. Every
	 * dump request here carries its family's whole header (libnl's own
	 * dumps send a bare rtgenmsg, which strict checking answers with
	 * nothing: none of them is used). */
	sockopt_on(fd, NETLINK_GET_STRICT_CHK);
	nl_socket_set_buffer_size(sk, 262144, 262144);
	j->sk = sk;
	return 0;
}

struct nl_sock *netlink_open(int nsfd, struct ccni_error *err)
{
	struct open_job j = { NULL };

	if (netns_run(nsfd, open_here, &j, err) < 0)
		return NULL;
	return j.sk;
}

void netlink_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

struct nl_msg *netlink_msg(int type, int flags, const void *hdr, size_t len)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, (void *)hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int netlink_nomem(struct ccni_error *err, const char *what)
{
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "%s: out of memory", what);
}

/* --- one request and its answer ----------------------------------------------- */

struct talk {
	netlink_reply_fn fn;
	void *arg;
	bool done;
	struct netlink_answer *ans;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	if (t->fn)
		t->fn(nlmsg_hdr(msg), t->arg);
	return NL_OK;
}

static int on_end(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct talk *)arg)->done = true;
	return NL_STOP;
}

/* The kernel's message is a TLV after the error (and after the echoed
 * request, unless the ack was capped). */
void netlink_ack_text(const struct nlmsgerr *e, char *out, size_t len)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload = sizeof(*e);

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	payload = NLMSG_ALIGN(payload);
	if (h->nlmsg_len < NLMSG_HDRLEN + payload)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + payload),
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - payload), NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(out, len, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;

	(void)who;
	t->ans->error = -e->error;
	t->done = true;
	netlink_ack_text(e, t->ans->text, sizeof(t->ans->text));
	return NL_STOP;
}

int netlink_talk(struct nl_sock *sk, struct nl_msg *msg, netlink_reply_fn fn, void *arg,
		 struct netlink_answer *ans)
{
	struct talk t = { .fn = fn, .arg = arg, .ans = ans };
	struct nl_cb *base = nl_socket_get_cb(sk); /* a new reference */
	struct nl_cb *cb = base ? nl_cb_clone(base) : NULL;
	int rc;
	assert(sk && msg && ans);

	memset(ans, 0, sizeof(*ans));
	if (base)
		nl_cb_put(base);
	if (!cb) {
		nlmsg_free(msg);
		ans->ours = true;
		return -(ans->error = ENOMEM);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_end, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_end, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);
	/* GET requests are answered by their reply alone unless an ack is
	 * asked for; asking always gives every request the same end. */
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (rc >= 0 && !t.done)
		rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (ans->error)
		return -ans->error;
	if (rc < 0 && !t.done) {
		/* ours, not the kernel's: the socket failed (libnl's code says
		 * how) */
		ans->error = EIO;
		ans->ours = true;
		snprintf(ans->text, sizeof(ans->text), "netlink: %s", nl_geterror(rc));
		return -EIO;
	}
	return 0;
}

int netlink_error(struct ccni_error *err, const struct netlink_answer *ans, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ccni_error_errno(err, CCNI_ERR_NETLINK, ans->error, "%s", what);
	if (ans->text[0])
		ccni_error_set_details(err, "%s%s", ans->ours ? "" : "kernel: ", ans->text);
	return -1;
}

int netlink_request(struct nl_sock *sk, struct nl_msg *msg, int ok_errno, struct ccni_error *err,
		    const char *fmt, ...)
{
	struct netlink_answer ans;
	char what[256];
	va_list ap;
	int rc = netlink_talk(sk, msg, NULL, NULL, &ans);

	if (rc == 0 || (ok_errno && rc == -ok_errno))
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return netlink_error(err, &ans, "%s", what);
}

/* --- notifications ------------------------------------------------------------- */

struct events_job {
	unsigned groups;
	int fd;
};

static int events_here(void *data, struct ccni_error *err)
{
	struct events_job *j = data;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = j->groups };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_NETLINK, errno, "netlink notification socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return ccni_error_errno(err, CCNI_ERR_NETLINK, e, "netlink notification socket");
	}
	j->fd = fd;
	return 0;
}

int netlink_events_open(int nsfd, unsigned groups, struct ccni_error *err)
{
	struct events_job j = { groups, -1 };

	return netns_run(nsfd, events_here, &j, err) < 0 ? -1 : j.fd;
}

/* --- the pair a main plugin works with ------------------------------------------ */

int netlink_pair_open(const char *netns, struct netlink_pair *p, struct ccni_error *err)
{
	*p = (struct netlink_pair)NETLINK_PAIR_INIT;
	if (netns_open(netns, &p->nsfd, err) < 0 || !(p->host = netlink_open(-1, err)) ||
	    !(p->ct = netlink_open(p->nsfd, err))) {
		netlink_pair_close(p);
		return -1;
	}
	return 0;
}

void netlink_pair_close(struct netlink_pair *p)
{
	netlink_close(p->ct);
	netlink_close(p->host);
	if (p->nsfd >= 0)
		close(p->nsfd);
	*p = (struct netlink_pair)NETLINK_PAIR_INIT;
}

int netlink_open_locked(const char *netns, int *nsfd, struct nl_sock **sk,
			struct ccni_error *err)
{
	if (netns_open(netns, nsfd, err) < 0)
		return -1;
	if (flock(*nsfd, LOCK_EX) < 0) {
		ccni_error_errno(err, CCNI_ERR_IO, errno, "CNI_NETNS: cannot lock \"%s\"", netns);
		closep(nsfd);
		*nsfd = -1;
		return -1;
	}
	if (!(*sk = netlink_open(*nsfd, err))) {
		closep(nsfd);
		*nsfd = -1;
		return -1;
	}
	return 0;
}
