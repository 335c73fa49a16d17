/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nftset.c — element batches for nf_tables over a raw netlink socket.
 *
 * A batch is BATCH_BEGIN, one NEWSETELEM/DELSETELEM message per element
 * (each asking for an ACK), BATCH_END, sent in one datagram. nfnetlink runs
 * the whole batch inside sendmsg() and commits it atomically or not at all,
 * so every answer is already queued when sendmsg() returns: they are read
 * without blocking, as nft itself does.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "lib/common/util.h"
#include "net/netlink.h"
#include "net/nftset.h"

#define BATCH_MAX (256 * 1024)
#define UDATA_COMMENT 0 /* NFTNL_UDATA_SET_ELEM_COMMENT: nft shows it as "comment" */

void nftset_put_ip(struct nftset_val *v, const struct ccni_ip *ip)
{
	size_t n = ip->family == AF_INET6 ? 16 : 4;

	if (v->len + n <= sizeof(v->b)) {
		memcpy(v->b + v->len, ip->addr, n);
		v->len += n;
	}
}

void nftset_put_port(struct nftset_val *v, uint16_t port)
{
	uint16_t be = htons(port);

	if (v->len + 4 <= sizeof(v->b)) {
		memset(v->b + v->len, 0, 4);
		memcpy(v->b + v->len, &be, 2);
		v->len += 4;
	}
}

void nftset_put_proto(struct nftset_val *v, uint8_t proto)
{
	if (v->len + 4 <= sizeof(v->b)) {
		memset(v->b + v->len, 0, 4);
		v->b[v->len] = proto;
		v->len += 4;
	}
}

/* --- a netlink message writer over one flat buffer -------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void *put(struct buf *b, size_t n)
{
	size_t a = NLMSG_ALIGN(n);
	void *at;

	if (b->full || b->len + a > b->cap) {
		b->full = true;
		return NULL;
	}
	at = b->p + b->len;
	memset(at, 0, a);
	b->len += a;
	return at;
}

static size_t msg_begin(struct buf *b, uint16_t type, uint16_t flags, uint32_t seq, int family,
			uint16_t res_id)
{
	size_t at = b->len;
	struct nlmsghdr *h = put(b, NLMSG_HDRLEN);
	struct nfgenmsg *g = put(b, sizeof(*g));

	if (h && g) {
		h->nlmsg_type = type;
		h->nlmsg_flags = NLM_F_REQUEST | flags;
		h->nlmsg_seq = seq;
		g->nfgen_family = (uint8_t)family;
		g->version = NFNETLINK_V0;
		g->res_id = htons(res_id);
	}
	return at;
}

static void msg_end(struct buf *b, size_t at)
{
	if (!b->full)
		((struct nlmsghdr *)(b->p + at))->nlmsg_len = (uint32_t)(b->len - at);
}

static void attr(struct buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = put(b, NLA_HDRLEN + len);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

static size_t nest_begin(struct buf *b, uint16_t type)
{
	size_t at = b->len;
	struct nlattr *a = put(b, NLA_HDRLEN);

	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return at;
}

static void nest_end(struct buf *b, size_t at)
{
	if (!b->full)
		((struct nlattr *)(b->p + at))->nla_len = (uint16_t)(b->len - at);
}

static void value(struct buf *b, uint16_t type, const struct nftset_val *v)
{
	size_t n = nest_begin(b, type);

	attr(b, NFTA_DATA_VALUE, v->b, v->len);
	nest_end(b, n);
}

static void element(struct buf *b, const struct nftset_elem *e, bool add)
{
	size_t list = nest_begin(b, NFTA_SET_ELEM_LIST_ELEMENTS);
	size_t el = nest_begin(b, 1 /* NFTA_LIST_ELEM */);

	value(b, NFTA_SET_ELEM_KEY, &e->key);
	if (e->key_end.len)
		value(b, NFTA_SET_ELEM_KEY_END, &e->key_end);
	if (add && e->data.len)
		value(b, NFTA_SET_ELEM_DATA, &e->data);
	if (add && e->jump) {
		size_t d = nest_begin(b, NFTA_SET_ELEM_DATA);
		size_t v = nest_begin(b, NFTA_DATA_VERDICT);
		uint32_t code = htonl((uint32_t)NFT_JUMP);

		attr(b, NFTA_VERDICT_CODE, &code, sizeof(code));
		attr(b, NFTA_VERDICT_CHAIN, e->jump, strlen(e->jump) + 1);
		nest_end(b, v);
		nest_end(b, d);
	}
	if (add && e->comment) {
		uint8_t ud[2 + 256];
		size_t n = strnlen(e->comment, 254) + 1;

		ud[0] = UDATA_COMMENT;
		ud[1] = (uint8_t)n;
		memcpy(ud + 2, e->comment, n - 1);
		ud[2 + n - 1] = '\0';
		attr(b, NFTA_SET_ELEM_USERDATA, ud, 2 + n);
	}
	nest_end(b, el);
	nest_end(b, list);
}

/* --- the batch ---------------------------------------------------------------- */

/* --- closing without waiting ------------------------------------------------------ */

static int keeper = -1;      /* our end of the keeper's socket pair */
static pid_t keeper_owner;   /* the process that started it */

static void keeper_start(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	int rc = util_fork_detached(sv[1], -1);

	if (rc == 0) {
		/* Every socket passed in is now ours too. EOF comes when the
		 * plugin has exited (its end closes); then wait out the grace
		 * periods of what it deleted and let go. */
		char c;
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int))];
		} u;
		struct iovec iov = { &c, 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		for (;;) {
			mh.msg_control = u.b;
			mh.msg_controllen = sizeof(u.b);
			ssize_t r = recvmsg(sv[1], &mh, 0);

			if (r <= 0 && !(r < 0 && errno == EINTR))
				break;
		}
		usleep(200 * 1000);
		_exit(0);
	}
	close(sv[1]);
	if (rc < 0) {
		close(sv[0]);
	} else {
		keeper = sv[0];
		keeper_owner = getpid();
	}
}

void nftset_close(int fd)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	char c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	if (fd < 0)
		return;
	pthread_once(&once, keeper_start);
	/* a process forked from ours has no keeper (that descriptor is gone) */
	if (keeper >= 0 && keeper_owner == getpid()) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		(void)!sendmsg(keeper, &mh, MSG_NOSIGNAL);
	}
	close(fd);
}

/* Read every queued answer; the first error's errno, or 0, and its
 * extended-ack text in text. */
static int answers(int fd, uint32_t first_seq, uint32_t last_seq, char *text, size_t text_len)
{
	_Alignas(struct nlmsghdr) uint8_t rbuf[16384];
	int first_err = 0;

	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? first_err : (first_err ?: errno);
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first_seq ||
			    h->nlmsg_seq > last_seq)
				continue;
			if (e->error && !first_err) {
				first_err = -e->error;
				netlink_ack_text(e, text, text_len);
			}
		}
	}
}

int nftset_elems(int family, const char *table, bool add, const struct nftset_elem *elems, int n,
		 struct ccni_error *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct buf b = { .cap = BATCH_MAX };
	uint32_t seq = 1;
	char text[256] = "";
	int fd, e;
	ssize_t sent;

	if (n <= 0)
		return 0;
	b.p = malloc(b.cap);
	if (!b.p)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	msg_end(&b, msg_begin(&b, NFNL_MSG_BATCH_BEGIN, 0, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
	for (int i = 0; i < n; i++) {
		uint16_t type = (NFNL_SUBSYS_NFTABLES << 8) |
				(add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
		size_t at = msg_begin(&b, type, (uint16_t)(NLM_F_ACK | (add ? NLM_F_CREATE : 0)),
				      seq++, family, 0);

		attr(&b, NFTA_SET_ELEM_LIST_TABLE, table, strlen(table) + 1);
		attr(&b, NFTA_SET_ELEM_LIST_SET, elems[i].set, strlen(elems[i].set) + 1);
		element(&b, &elems[i], add);
		msg_end(&b, at);
	}
	msg_end(&b, msg_begin(&b, NFNL_MSG_BATCH_END, 0, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
	if (b.full) {
		free(b.p);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "nftables: batch of %d elements too large",
				      n);
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0) {
		free(b.p);
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, errno, "nftables: netlink socket");
	}
	netlink_ext_ack_on(fd);
	sent = sendto(fd, b.p, b.len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	e = sent < 0 ? errno : answers(fd, 2, seq - 1, text, sizeof(text));
	nftset_close(fd);
	free(b.p);
	if (!e)
		return 0;
	ccni_error_errno(err, CCNI_ERR_FIREWALL, e, "nftables: %s %d element(s) in %s %s",
			 add ? "adding" : "deleting", n, family == NFPROTO_INET ? "inet" : "table", table);
	if (text[0])
		ccni_error_set_details(err, "kernel: %s", text);
	return -1;
}

/* --- lookups ------------------------------------------------------------------- */

/* The first attribute of type (nesting flag ignored) in [p, p+len). */
static const struct nlattr *find(const uint8_t *p, size_t len, uint16_t type)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t al = a->nla_len, step = NLA_ALIGN(al);

		if (al < NLA_HDRLEN || al > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if (step >= len)
			return NULL;
		p += step;
		len -= step;
	}
	return NULL;
}

/* The comment of an element's NFTA_SET_ELEM_USERDATA (TLVs: type, len, value). */
static void comment_of(const struct nlattr *ud, char *out, size_t outlen)
{
	const uint8_t *p = (const uint8_t *)ud + NLA_HDRLEN;
	size_t len = ud->nla_len - NLA_HDRLEN;

	while (len >= 2) {
		size_t l = p[1];

		if (2 + l > len)
			return;
		if (p[0] == 0 /* NFTNL_UDATA_SET_ELEM_COMMENT */) {
			snprintf(out, outlen, "%.*s", (int)strnlen((const char *)p + 2, l),
				 (const char *)p + 2);
			return;
		}
		p += 2 + l;
		len -= 2 + l;
	}
}

/* Send the request; each answer of type `want` goes to fn. Returns 0 or the
 * kernel's errno (ENOENT: no such object). */
static int get_run(struct buf *b, uint16_t want,
		   void (*fn)(const uint8_t *attrs, size_t len, void *ctx), void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(struct nlmsghdr) uint8_t rbuf[8192];
	int fd, e = 0;

	if (b->full)
		return EMSGSIZE;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return errno;
	if (sendto(fd, b->p, b->len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		e = errno;
		nftset_close(fd);
		return e;
	}
	/* The object, then the ACK; or an error. */
	for (bool done = false; !done;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EPROTO;
			break;
		}
		for (struct nlmsghdr *r = (struct nlmsghdr *)rbuf; NLMSG_OK(r, (size_t)n);
		     r = NLMSG_NEXT(r, n)) {
			size_t hl = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));

			if (r->nlmsg_type == NLMSG_ERROR) {
				e = -((const struct nlmsgerr *)NLMSG_DATA(r))->error;
				done = true;
				break;
			}
			if (r->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if ((r->nlmsg_type & 0xff) == want && r->nlmsg_len >= hl && fn)
				fn((const uint8_t *)r + hl, r->nlmsg_len - hl, ctx);
		}
	}
	nftset_close(fd);
	return e;
}

struct elem_ctx {
	bool found;
	char *comment;
	size_t comment_len;
	struct nftset_val *data;
};

static void on_elem(const uint8_t *p, size_t len, void *ctx)
{
	struct elem_ctx *c = ctx;
	const struct nlattr *l = find(p, len, NFTA_SET_ELEM_LIST_ELEMENTS);
	const struct nlattr *one =
		l ? find((const uint8_t *)l + NLA_HDRLEN, l->nla_len - NLA_HDRLEN, 1) : NULL;
	const struct nlattr *ud = one ? find((const uint8_t *)one + NLA_HDRLEN,
					     one->nla_len - NLA_HDRLEN, NFTA_SET_ELEM_USERDATA)
				      : NULL;

	c->found = true;
	if (ud && c->comment_len)
		comment_of(ud, c->comment, c->comment_len);
	if (c->data && one) {
		const struct nlattr *d = find((const uint8_t *)one + NLA_HDRLEN,
					      one->nla_len - NLA_HDRLEN, NFTA_SET_ELEM_DATA);
		const struct nlattr *v = d ? find((const uint8_t *)d + NLA_HDRLEN,
						  d->nla_len - NLA_HDRLEN, NFTA_DATA_VALUE)
					   : NULL;
		size_t dl = v ? v->nla_len - NLA_HDRLEN : 0;

		if (dl <= sizeof(c->data->b)) {
			memcpy(c->data->b, (const uint8_t *)v + NLA_HDRLEN, dl);
			c->data->len = dl;
		}
	}
}

int nftset_elem_get(const char *table, const char *set, const struct nftset_val *key, char *comment,
		    size_t comment_len, struct nftset_val *data, struct ccni_error *err)
{
	uint8_t mem[1024];
	struct buf b = { .p = mem, .cap = sizeof(mem) };
	size_t at;
	struct elem_ctx c = { false, comment, comment_len, data };
	size_t list, el;
	int e;

	if (comment_len)
		comment[0] = '\0';
	if (data)
		data->len = 0;
	at = msg_begin(&b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM, NLM_F_ACK, 1,
		       NFPROTO_INET, 0);
	attr(&b, NFTA_SET_ELEM_LIST_TABLE, table, strlen(table) + 1);
	attr(&b, NFTA_SET_ELEM_LIST_SET, set, strlen(set) + 1);
	list = nest_begin(&b, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = nest_begin(&b, 1 /* NFTA_LIST_ELEM */);
	value(&b, NFTA_SET_ELEM_KEY, key);
	nest_end(&b, el);
	nest_end(&b, list);
	msg_end(&b, at);
	e = get_run(&b, NFT_MSG_NEWSETELEM, on_elem, &c);
	if (e == ENOENT)
		return 1;
	if (e)
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, e,
					"nftables: looking up an element of %s", set);
	return c.found ? 0 : 1;
}

int nftset_chain_exists(const char *table, const char *chain, struct ccni_error *err)
{
	uint8_t mem[1024];
	struct buf b = { .p = mem, .cap = sizeof(mem) };
	size_t at;
	int e;

	at = msg_begin(&b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN, NLM_F_ACK, 1,
		       NFPROTO_INET, 0);
	attr(&b, NFTA_CHAIN_TABLE, table, strlen(table) + 1);
	attr(&b, NFTA_CHAIN_NAME, chain, strlen(chain) + 1);
	msg_end(&b, at);
	e = get_run(&b, NFT_MSG_NEWCHAIN, NULL, NULL);
	if (e == ENOENT)
		return 0;
	if (e)
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, e, "nftables: looking up chain %s",
					chain);
	return 1;
}

int nftset_add_ensuring(int family, const char *table, const struct nftset_elem *elems, int n,
			int (*setup)(void *arg, struct ccni_error *err), void *arg,
			struct ccni_error *err)
{
	if (nftset_elems(family, table, true, elems, n, err) == 0)
		return 0;
	if (err->errnum != ENOENT)
		return -1;
	ccni_error_clear(err);
	if (setup(arg, err) < 0)
		return -1;
	return nftset_elems(family, table, true, elems, n, err);
}

int nftset_del_owned(const char *table, struct nftset_elem *elems, int n, const char *tag,
		     int *missing, struct ccni_error *err)
{
	int k = 0, gone = 0;

	for (int i = 0; i < n; i++) {
		char owner[256];
		int rc = nftset_elem_get(table, elems[i].set, &elems[i].key, owner, sizeof(owner), NULL,
					 err);

		if (rc < 0)
			return -1;
		if (rc == 0 && strcmp(owner, tag) == 0)
			elems[k++] = elems[i];
		else
			gone++;
	}
	if (missing)
		*missing = gone;
	if (k == 0)
		return 0;
	return nftset_elems(NFPROTO_INET, table, false, elems, k, err);
}
