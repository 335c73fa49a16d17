/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-serve.c — the daemon's side of the protocol: the plugins'
 * connections, and what each request does: ADD starts or joins an
 * exchange and answers when it ends; DEL releases by the daemon's own
 * record (so it works with the netns gone); CHECK, STATUS and GC answer at
 * once. Only root (or our own user) may talk to us.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

#define READ_TIMEOUT_MS 5000

static void conn_close(struct dhcpd *d, struct conn *c)
{
	for (struct conn **p = &d->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Answer and close. The reply is small: a blocking send with a short
 * timeout, so a plugin that stopped reading cannot stall the daemon. */
static void reply(struct dhcpd *d, struct conn *c, json_t *msg)
{
	struct timeval tv = { 1, 0 };

	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!msg || dhcp_ipc_send(c->fd, msg) < 0)
		dhcpd_log(d, "cannot answer a plugin: %s", msg ? strerror(errno) : "out of memory");
	json_decref(msg);
	conn_close(d, c);
}

static void reply_error(struct dhcpd *d, struct conn *c, const struct ccni_error *e)
{
	json_t *j = ccni_error_to_json(e, "1.0.0");

	reply(d, c, j ? json_pack("{s:o}", "error", j) : NULL);
}

static void reply_fail(struct dhcpd *d, struct conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reply_fail(struct dhcpd *d, struct conn *c, int code, const char *fmt, ...)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	va_list ap;

	va_start(ap, fmt);
	ccni_error_setv(&e, code, fmt, ap);
	va_end(ap);
	reply_error(d, c, &e);
	ccni_error_clear(&e);
}

/* The lease's CNI result (1.1.0, which has every route field; the plugin
 * converts it to the config's version). */
static json_t *lease_result(const struct lease *l, struct ccni_error *err)
{
	struct dhcp_opts o;
	struct ccni_result *r = NULL;
	json_t *j;

	dhcp_opts_init(&o);
	if (dhcp_opts_parse(l->ack, l->ack_len, &o) < 0)
		return ccni_error_set(err, CCNI_ERR_IO, "%s: the stored lease is corrupt", l->name),
		       NULL;
	if (dhcp_result(l->ip, &o, l->priority, &r, err) < 0)
		return NULL;
	j = ccni_result_encode(r, "1.1.0", err);
	ccni_result_free(r);
	return j;
}

static void reply_result(struct dhcpd *d, struct conn *c, const struct lease *l)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *r = lease_result(l, &e);

	if (!r) {
		reply_error(d, c, &e);
		ccni_error_clear(&e);
		return;
	}
	reply(d, c, json_pack("{s:o}", "result", r));
}

void serve_give_up(struct dhcpd *d, struct lease *l)
{
	while (l->waiters) {
		struct conn *c = l->waiters;

		l->waiters = c->wnext;
		c->waiting = NULL;
		reply_fail(d, c, CCNI_ERR_TRY_AGAIN, "the lease of %s/%s/%s was given up", l->id,
			   l->network, l->ifname);
	}
}

void serve_bound(struct dhcpd *d, struct lease *l)
{
	store_save(d, l);
	while (l->waiters) {
		struct conn *c = l->waiters;

		l->waiters = c->wnext;
		c->waiting = NULL;
		reply_result(d, c, l);
	}
}

void serve_failed(struct dhcpd *d, struct lease *l, const struct ccni_error *err)
{
	while (l->waiters) {
		struct conn *c = l->waiters;

		l->waiters = c->wnext;
		c->waiting = NULL;
		reply_error(d, c, err);
	}
	if (!l->bound)
		lease_drop(d, l); /* a failed ADD leaves nothing */
}

void serve_gone(struct dhcpd *d, struct lease *l, const char *why)
{
	dhcpd_log(d, "%s/%s/%s: %s: the attachment is gone; releasing its lease", l->id,
		  l->network, l->ifname, why);
	client_release(d, l);
	store_remove(d, l);
	lease_drop(d, l);
}

/* The attachment a request names; its strings are borrowed from req. */
struct attachment {
	const char *id, *network, *ifname, *netns;
	char name[DHCP_LEASE_NAME_LEN];
};

static int attachment_of(json_t *req, struct attachment *a, struct ccni_error *err)
{
	a->id = json_string_value(json_object_get(req, "containerID"));
	a->network = json_string_value(json_object_get(req, "network"));
	a->ifname = json_string_value(json_object_get(req, "ifName"));
	a->netns = json_string_value(json_object_get(req, "netns"));
	if (!a->netns)
		a->netns = "";
	if (!a->id || !ccni_container_id_valid(a->id) || !a->network ||
	    !ccni_name_valid(a->network) || !a->ifname || !ccni_ifname_valid(a->ifname) ||
	    strlen(a->netns) >= PATH_MAX || (*a->netns && a->netns[0] != '/'))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "a request with no valid attachment (container id, network, "
				      "interface, netns)");
	dhcp_lease_name(a->id, a->network, a->ifname, a->name);
	return 0;
}

static void op_add(struct dhcpd *d, struct conn *c, json_t *req, const struct attachment *a,
		   int64_t now)
{
	struct lease *l = lease_find(d, a->name);

	if (!*a->netns) {
		reply_fail(d, c, CCNI_ERR_INVALID_ENV, "ADD without a netns");
		return;
	}
	if (l && !l->bound) { /* the same attachment's ADD is under way: its outcome */
		c->waiting = l;
		c->wnext = l->waiters;
		l->waiters = c;
		return;
	}
	if (l && !l->lost && streq(l->netns, a->netns)) { /* held already (the reference too) */
		reply_result(d, c, l);
		return;
	}
	if (l) { /* held for another netns: that attachment is gone */
		client_release(d, l);
		store_remove(d, l);
		lease_drop(d, l);
	}
	l = lease_add(d, a->id, a->network, a->ifname, a->netns);
	if (!l || lease_options(l, req) < 0) {
		if (l)
			lease_drop(d, l);
		reply_fail(d, c, CCNI_ERR_INTERNAL, "out of memory, or malformed options");
		return;
	}
	l->priority = (uint32_t)json_integer_value(json_object_get(req, "priority"));
	l->client_id_len = dhcp_client_id(l->id, l->network, l->ifname, l->client_id);
	c->waiting = l;
	l->waiters = c;
	client_acquire(d, l, now); /* may answer (and drop l) at once */
}

static void op_del(struct dhcpd *d, struct conn *c, const struct attachment *a)
{
	struct lease *l = lease_find(d, a->name);
	bool held = l && l->bound;

	if (l && held) {
		/* the record's netns and server: DEL needs neither from the runtime */
		client_release(d, l);
		store_remove(d, l);
	}
	if (l)
		lease_drop(d, l);
	reply(d, c, json_pack("{s:b,s:b}", "ok", 1, "released", held));
}

static void op_check(struct dhcpd *d, struct conn *c, const struct attachment *a, int64_t now)
{
	struct lease *l = lease_find(d, a->name);
	struct ccni_error e = CCNI_ERROR_INIT;
	struct dhcp_opts o;
	char ip[INET_ADDRSTRLEN];
	json_t *r;

	if (!l || !l->bound) {
		reply_fail(d, c, CCNI_ERR_CHECK_FAILED,
			   "dhcp: no lease %s for container %s interface %s on network %s",
			   l ? "yet (still being acquired)" : "held", a->id, a->ifname, a->network);
		return;
	}
	inet_ntop(AF_INET, &l->ip, ip, sizeof(ip));
	if (l->lost || now >= l->expire) {
		reply_fail(d, c, CCNI_ERR_CHECK_FAILED, "dhcp: the lease of %s %s", ip,
			   l->lost ? "was lost: the server gave the address to another client" :
				     "expired; the daemon is acquiring it again");
		return;
	}
	dhcp_opts_init(&o);
	dhcp_opts_parse(l->ack, l->ack_len, &o);
	r = lease_result(l, &e);
	if (!r) {
		reply_error(d, c, &e);
		ccni_error_clear(&e);
		return;
	}
	reply(d, c, json_pack("{s:b,s:s,s:i,s:o}", "ok", 1, "address", ip, "prefix",
			      dhcp_mask_prefix(&o), "result", r));
}

static bool gc_valid(json_t *valid, const struct lease *l)
{
	size_t i;
	json_t *v;

	json_array_foreach(valid, i, v) {
		const char *id = json_string_value(json_object_get(v, "containerID"));
		const char *ifn = json_string_value(json_object_get(v, "ifname"));

		if (id && streq(id, l->id) && (!ifn || streq(ifn, l->ifname)))
			return true;
	}
	return false;
}

/* Release every lease of the network whose attachment is not valid. */
static void op_gc(struct dhcpd *d, struct conn *c, json_t *req)
{
	const char *net = json_string_value(json_object_get(req, "network"));
	json_t *valid = json_object_get(req, "valid");
	struct lease *l, *next;
	int n = 0;

	if (!net || !json_is_array(valid)) {
		reply_fail(d, c, CCNI_ERR_INVALID_CONFIG, "GC without a network and valid attachments");
		return;
	}
	for (l = d->leases; l; l = next) {
		next = l->lnext;
		if (!l->bound || !streq(l->network, net) || gc_valid(valid, l))
			continue;
		dhcpd_log(d, "%s/%s/%s: not a valid attachment (GC); releasing its lease", l->id,
			  l->network, l->ifname);
		client_release(d, l);
		store_remove(d, l);
		lease_drop(d, l);
		n++;
	}
	reply(d, c, json_pack("{s:b,s:i}", "ok", 1, "released", n));
}

static void handle(struct dhcpd *d, struct conn *c, int64_t now)
{
	_cleanup_json_ json_t *req = json_loadb(c->buf, c->len, 0, NULL);
	const char *op = json_string_value(json_object_get(req, "op"));
	struct ccni_error e = CCNI_ERROR_INIT;
	struct attachment a;

	if (!op) {
		reply_fail(d, c, CCNI_ERR_DECODE, "dhcp daemon: not a request");
		return;
	}
	if (streq(op, "STATUS")) {
		reply(d, c, json_pack("{s:b,s:I,s:i}", "ok", 1, "leases", (json_int_t)d->n_leases,
				      "pid", (int)getpid()));
		return;
	}
	if (streq(op, "GC")) {
		op_gc(d, c, req);
		return;
	}
	if (attachment_of(req, &a, &e) < 0) {
		reply_error(d, c, &e);
		ccni_error_clear(&e);
		return;
	}
	if (streq(op, "ADD"))
		op_add(d, c, req, &a, now);
	else if (streq(op, "DEL"))
		op_del(d, c, &a);
	else if (streq(op, "CHECK"))
		op_check(d, c, &a, now);
	else
		reply_fail(d, c, CCNI_ERR_DECODE, "dhcp daemon: unknown request \"%.16s\"", op);
}

static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 &&
	       (cr.uid == 0 || cr.uid == geteuid());
}

void serve_accept(struct dhcpd *d, int64_t now)
{
	for (int k = 0; k < 64; k++) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;
		if (!peer_allowed(fd) || !(c = calloc(1, sizeof(*c)))) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline = now + READ_TIMEOUT_MS;
		c->next = d->conns;
		d->conns = c;
	}
}

void serve_conn(struct dhcpd *d, struct conn *c, int64_t now)
{
	for (;;) {
		size_t cap = c->len + 4096;
		char *nb;
		ssize_t n;

		if (cap > DHCP_IPC_MAX) {
			reply_fail(d, c, CCNI_ERR_DECODE, "dhcp daemon: request too long");
			return;
		}
		nb = realloc(c->buf, cap + 1);
		if (!nb) {
			conn_close(d, c);
			return;
		}
		c->buf = nb;
		n = read(c->fd, c->buf + c->len, cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(d, c);
			return;
		}
		if (n == 0) { /* the whole request: the plugin shut its side */
			handle(d, c, now);
			return;
		}
		c->len += (size_t)n;
	}
}

void serve_expire_conns(struct dhcpd *d, int64_t now)
{
	struct conn *c, *next;

	for (c = d->conns; c; c = next) {
		next = c->next;
		if (!c->waiting && c->deadline && now >= c->deadline)
			conn_close(d, c);
	}
}
