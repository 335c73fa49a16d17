/* SPDX-License-Identifier: Apache-2.0 */
/*
 * firewall-nftget.c — looking up one element of an nftables set by key, or
 * one chain by name, over a raw netlink socket (NFT_MSG_GETSETELEM,
 * NFT_MSG_GETCHAIN): O(1) lookups for CHECK and for the admin chain, where
 * libnftables would first load every element of the table into its cache.
 */
#include <errno.h>
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

#include "plugins/meta/firewall/firewall.h"

#define MSG_MAX 1024

struct wbuf {
	uint8_t p[MSG_MAX];
	size_t len;
	bool full;
};

static void *put(struct wbuf *b, size_t n)
{
	size_t a = NLMSG_ALIGN(n);
	void *at;

	if (b->full || b->len + a > sizeof(b->p)) {
		b->full = true;
		return NULL;
	}
	at = b->p + b->len;
	memset(at, 0, a);
	b->len += a;
	return at;
}

static void attr(struct wbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = put(b, NLA_HDRLEN + len);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

static size_t nest_begin(struct wbuf *b, uint16_t type)
{
	size_t at = b->len;
	struct nlattr *a = put(b, NLA_HDRLEN);

	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return at;
}

static void nest_end(struct wbuf *b, size_t at)
{
	if (!b->full)
		((struct nlattr *)(b->p + at))->nla_len = (uint16_t)(b->len - at);
}

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

/* Start a GET request of type (NFT_MSG_GET*) in family inet. */
static void get_begin(struct wbuf *b, uint16_t type)
{
	struct nlmsghdr *h = put(b, NLMSG_HDRLEN);
	struct nfgenmsg *g = put(b, sizeof(*g));

	if (!h || !g)
		return;
	h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
}

/* Send the request; each answer of type `want` goes to fn. Returns 0 or the
 * kernel's errno (ENOENT: no such object). */
static int get_run(struct wbuf *b, uint16_t want,
		   void (*fn)(const uint8_t *attrs, size_t len, void *ctx), void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(struct nlmsghdr) uint8_t rbuf[8192];
	int fd, e = 0;

	if (b->full)
		return EMSGSIZE;
	((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return errno;
	if (sendto(fd, b->p, b->len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		e = errno;
		close(fd);
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
	close(fd);
	return e;
}

struct elem_ctx {
	bool found;
	char *comment;
	size_t comment_len;
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
}

int fw_nft_elem_get(const char *table, const char *set, const struct knft_val *key, char *comment,
		    size_t comment_len, struct ccni_error *err)
{
	struct wbuf b = { .len = 0 };
	struct elem_ctx c = { false, comment, comment_len };
	size_t list, el, k;
	int e;

	if (comment_len)
		comment[0] = '\0';
	get_begin(&b, NFT_MSG_GETSETELEM);
	attr(&b, NFTA_SET_ELEM_LIST_TABLE, table, strlen(table) + 1);
	attr(&b, NFTA_SET_ELEM_LIST_SET, set, strlen(set) + 1);
	list = nest_begin(&b, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = nest_begin(&b, 1 /* NFTA_LIST_ELEM */);
	k = nest_begin(&b, NFTA_SET_ELEM_KEY);
	attr(&b, NFTA_DATA_VALUE, key->b, key->len);
	nest_end(&b, k);
	nest_end(&b, el);
	nest_end(&b, list);
	e = get_run(&b, NFT_MSG_NEWSETELEM, on_elem, &c);
	if (e == ENOENT)
		return 1;
	if (e)
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, e,
					"nftables: looking up an element of %s", set);
	return c.found ? 0 : 1;
}

int fw_nft_chain_exists(const char *table, const char *chain, struct ccni_error *err)
{
	struct wbuf b = { .len = 0 };
	int e;

	get_begin(&b, NFT_MSG_GETCHAIN);
	attr(&b, NFTA_CHAIN_TABLE, table, strlen(table) + 1);
	attr(&b, NFTA_CHAIN_NAME, chain, strlen(chain) + 1);
	e = get_run(&b, NFT_MSG_NEWCHAIN, NULL, NULL);
	if (e == ENOENT)
		return 0;
	if (e)
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, e, "nftables: looking up chain %s",
					chain);
	return 1;
}
