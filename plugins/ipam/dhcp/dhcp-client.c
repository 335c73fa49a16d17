/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-client.c — one lease's DHCP client (RFC 2131 section 4.4), driven
 * by the daemon's loop: a timer and, during an exchange, a packet socket
 * on the container's interface.
 *
 *   NEW -> (WAIT_LINK) -> SELECTING -OFFER-> REQUESTING -ACK-> BOUND
 *   BOUND -T1-> RENEWING (unicast to our server) -T2-> REBINDING
 *   (broadcast) -expiry-> SELECTING again, asking for the same address.
 *
 * Retransmissions back off (200 ms, doubling, at most -resendmax, with
 * jitter); an ADD's exchange ends at -timeout with an error that says what
 * was heard. The daemon's callbacks (serve_bound, serve_failed,
 * serve_gone) may free the lease: a function that called one returns at
 * once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

#define LINK_WAIT_MS 2000  /* for a carrier before the first DISCOVER */
#define LINK_POLL_MS 2
#define LINK_SETTLE_MS 3
/* RFC 2131 starts at 4 s; a container waits for its ADD, and the first
 * DISCOVER on a new veth is often dropped by a bridge port that the
 * kernel has not yet set forwarding (it does so in its link-state work,
 * up to a second later): 200 ms, then doubling. */
#define FIRST_RESEND_MS 200
#define REQUEST_TRIES 4    /* REQUESTs for one offer before a new DISCOVER */
#define MAX_NAKS 3
#define RENEW_MIN_MS 60000 /* RFC 2131 4.4.5: retransmit renewals no faster */
#define DEFAULT_LEASE_S 3600 /* the reference's, when a server sends none */
#define FOREVER (INT64_MAX / 4)

static int64_t jitter(int64_t ms)
{
	int64_t span = ms / 5 + 1; /* +-10% */

	return ms - span / 2 + random() % span;
}

static int64_t backoff(const struct dhcpd *d, int tries)
{
	int64_t ms = (int64_t)FIRST_RESEND_MS << (tries > 16 ? 16 : tries);

	return jitter(ms < d->o.resendmax_ms ? ms : d->o.resendmax_ms);
}

/* Half the time to `until`, at least RENEW_MIN_MS, at most -resendmax. */
static int64_t half_way(const struct dhcpd *d, int64_t now, int64_t until)
{
	int64_t ms = (until - now) / 2;

	if (ms < RENEW_MIN_MS)
		ms = RENEW_MIN_MS;
	return ms < d->o.resendmax_ms ? ms : d->o.resendmax_ms;
}

/* Open the packet socket for an exchange. false: not now, and the lease
 * may have been dropped: the caller returns at once. */
static bool open_link(struct dhcpd *d, struct lease *l, int64_t now)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char ns[PATH_MAX + DHCP_PATH_MAX];
	bool gone;

	if (l->link.fd >= 0)
		return true;
	client_netns(d, l, ns, sizeof(ns));
	if (dhcp_link_open(ns, l->ifname, &l->link, &e) == 0) {
		memcpy(l->mac, l->link.mac, 6);
		return true;
	}
	gone = e.code == CCNI_ERR_UNKNOWN_CONTAINER || e.code == CCNI_ERR_NOT_FOUND;
	if (!l->bound) {
		serve_failed(d, l, &e);
	} else if (gone) {
		serve_gone(d, l, e.msg);
	} else {
		LEASE_LOG(d, l, "%s; trying again later", e.msg);
		l->next = now + d->o.resendmax_ms;
	}
	ccni_error_clear(&e);
	return false;
}

static void discover(struct dhcpd *d, struct lease *l, int64_t now)
{
	l->state = LS_SELECTING;
	l->xid = client_xid();
	l->tries = 0;
	client_transmit(d, l, DHCP_DISCOVER, now);
	l->next = now + backoff(d, 0);
}

void client_acquire(struct dhcpd *d, struct lease *l, int64_t now)
{
	l->begun = now;
	l->naks = 0;
	l->offered = false;
	l->why[0] = '\0';
	/* an ADD waits -timeout; a lease already held keeps trying */
	l->deadline = l->bound ? 0 : now + d->o.timeout_ms;
	if (!open_link(d, l, now))
		return;
	l->running_at = 0;
	if (l->link.raised || !dhcp_link_running(&l->link)) {
		l->state = LS_WAIT_LINK;
		l->next = now;
		return;
	}
	discover(d, l, now);
}

/* A link we just set up: its carrier comes with the kernel's link-state
 * work, which also makes a veth's peer forward on its bridge, a moment
 * after our side reports running; a DISCOVER sent in that moment is lost
 * on the bridge. So: running, then LINK_SETTLE_MS more. */
static void wait_link(struct dhcpd *d, struct lease *l, int64_t now)
{
	if (!l->running_at && dhcp_link_running(&l->link))
		l->running_at = now;
	if ((l->running_at && now - l->running_at >= LINK_SETTLE_MS) || now - l->begun >= LINK_WAIT_MS)
		discover(d, l, now);
	else
		l->next = now + (l->running_at ? LINK_SETTLE_MS : LINK_POLL_MS);
}

/* RENEWING or REBINDING: a REQUEST with our address. */
static void refresh(struct dhcpd *d, struct lease *l, int64_t now, enum lease_state st)
{
	if (!open_link(d, l, now))
		return;
	if (l->state != st)
		LEASE_LOG(d, l, "%s the lease of %s", st == LS_RENEWING ? "renewing" : "rebinding",
		    ip4str(l->ip, (char[INET_ADDRSTRLEN]){ 0 }));
	l->state = st;
	l->xid = client_xid();
	l->tries = 0;
	l->begun = now;
	client_transmit(d, l, DHCP_REQUEST, now);
	l->next = now + half_way(d, now, st == LS_RENEWING ? l->t2 : l->expire);
	if (st == LS_RENEWING && l->next > l->t2)
		l->next = l->t2;
	if (st == LS_REBINDING && l->next > l->expire)
		l->next = l->expire;
}

/* The lease ran out, or the server refused it: ask for the same address
 * again, for as long as it takes; the container keeps it meanwhile. */
static void reacquire(struct dhcpd *d, struct lease *l, int64_t now)
{
	l->want_ip = l->ip;
	client_acquire(d, l, now);
}

void client_resume(struct dhcpd *d, struct lease *l, int64_t now)
{
	(void)d;
	l->state = LS_BOUND;
	l->next = l->t1 > now ? l->t1 : now;
}

static void fail(struct dhcpd *d, struct lease *l)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char a[INET_ADDRSTRLEN];
	double s = (double)d->o.timeout_ms / 1000;

	if (l->naks)
		ccni_error_set(&e, CCNI_ERR_TRY_AGAIN, "%s", l->why);
	else if (l->offered)
		ccni_error_set(&e, CCNI_ERR_TRY_AGAIN,
			       "DHCP server %s offered %s but did not acknowledge it on %s within "
			       "%.1f s",
			       ip4str(l->offer_server, a), ip4str(l->offer_ip, (char[16]){ 0 }),
			       l->ifname, s);
	else
		ccni_error_set(&e, CCNI_ERR_TRY_AGAIN,
			       "no DHCP server answered on %s (netns %s) within %.1f s (%d "
			       "DHCPDISCOVER sent%s%s)",
			       l->ifname, l->netns, s, l->tries, l->why[0] ? "; " : "", l->why);
	LEASE_LOG(d, l, "%s", e.msg);
	serve_failed(d, l, &e);
	ccni_error_clear(&e);
}

static void on_timer_exchange(struct dhcpd *d, struct lease *l, int64_t now)
{
	if (l->deadline && now >= l->deadline) {
		fail(d, l);
		return;
	}
	if (l->state == LS_WAIT_LINK) {
		wait_link(d, l, now);
	} else if (l->state == LS_REQUESTING && l->tries >= REQUEST_TRIES) {
		discover(d, l, now); /* the offer went stale: start over */
	} else {
		client_transmit(d, l, l->state == LS_SELECTING ? DHCP_DISCOVER : DHCP_REQUEST, now);
		l->next = now + backoff(d, l->tries - 1);
	}
	if (l->deadline && l->next > l->deadline)
		l->next = l->deadline;
}

void client_timer(struct dhcpd *d, struct lease *l, int64_t now)
{
	switch (l->state) {
	case LS_NEW:
		client_acquire(d, l, now);
		return;
	case LS_WAIT_LINK:
	case LS_SELECTING:
	case LS_REQUESTING:
		on_timer_exchange(d, l, now);
		return;
	case LS_BOUND:
	case LS_RENEWING:
	case LS_REBINDING:
		break;
	}
	if (now >= l->expire) {
		LEASE_LOG(d, l, "the lease of %s expired; acquiring it again", ip4str(l->ip, (char[16]){ 0 }));
		reacquire(d, l, now);
	} else if (now >= l->t2) {
		refresh(d, l, now, LS_REBINDING);
	} else if (l->state == LS_RENEWING) {
		client_transmit(d, l, DHCP_REQUEST, now);
		l->next = now + half_way(d, now, l->t2);
		if (l->next > l->t2)
			l->next = l->t2;
	} else {
		refresh(d, l, now, LS_RENEWING);
	}
}

/* The server hands out another address than the one the container holds:
 * ours is somebody else's now. As the reference on expiry, the link goes
 * down rather than keep an address the network has given away. */
static void lose(struct dhcpd *d, struct lease *l, uint32_t offered, uint32_t server)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	LEASE_LOG(d, l, "server %s offers %s, not %s which the container holds: the lease is lost; %s goes down",
	    ip4str(server, a), ip4str(offered, b), ip4str(l->ip, c), l->ifname);
	if (dhcp_link_down(&l->link) < 0)
		LEASE_LOG(d, l, "cannot set %s down: %s", l->ifname, strerror(errno));
	dhcp_link_close(&l->link);
	l->lost = true;
	l->state = LS_BOUND;
	l->next = FOREVER;
	store_save(d, l);
}

static void on_offer(struct dhcpd *d, struct lease *l, const struct dhcp_msg *m, int64_t now)
{
	uint32_t sid;

	if (!m->yiaddr || dhcp_opt_u32(&m->opts, OPT_SERVER_ID, &sid) < 0)
		return;
	if (l->want_ip && m->yiaddr != l->want_ip) {
		lose(d, l, m->yiaddr, sid);
		return;
	}
	l->offered = true;
	l->offer_ip = m->yiaddr;
	l->offer_server = sid;
	l->state = LS_REQUESTING;
	l->tries = 0;
	client_transmit(d, l, DHCP_REQUEST, now);
	l->next = now + backoff(d, 0);
	if (l->deadline && l->next > l->deadline)
		l->next = l->deadline;
}

/* Lease time, T1 and T2 (RFC 2131 4.4.5 defaults when absent or
 * inconsistent), as absolute times. */
static void set_times(struct lease *l, const struct dhcp_opts *o, int64_t now)
{
	uint32_t lease = htonl(DEFAULT_LEASE_S), t1 = 0, t2 = 0;

	dhcp_opt_u32(o, OPT_LEASE_TIME, &lease);
	lease = ntohl(lease);
	if (lease == 0xffffffffu) {
		l->t1 = l->t2 = l->expire = FOREVER;
		return;
	}
	t1 = dhcp_opt_u32(o, OPT_T1, &t1) < 0 ? lease / 2 : ntohl(t1);
	t2 = dhcp_opt_u32(o, OPT_T2, &t2) < 0 ? lease / 8 * 7 : ntohl(t2);
	if (t2 >= lease)
		t2 = lease / 8 * 7;
	if (t1 > t2)
		t1 = lease / 2 < t2 ? lease / 2 : t2;
	l->t1 = now + (int64_t)t1 * 1000;
	l->t2 = now + (int64_t)t2 * 1000;
	l->expire = now + (int64_t)lease * 1000;
}

static void on_ack(struct dhcpd *d, struct lease *l, const struct dhcp_msg *m,
		   const uint8_t src_mac[6], int64_t now)
{
	uint32_t sid = l->state == LS_REQUESTING ? l->offer_server : l->server_id;
	uint8_t area[DHCP_FRAME_MAX], *copy;
	size_t n;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (l->state == LS_REQUESTING && m->yiaddr != l->offer_ip)
		return;
	if (l->bound && m->yiaddr != l->ip) {
		lose(d, l, m->yiaddr, sid);
		return;
	}
	if (dhcp_mask_prefix(&m->opts) < 0) {
		snprintf(l->why, sizeof(l->why),
			 "the DHCPACK of %s from %s has no valid subnet mask (option 1)",
			 ip4str(m->yiaddr, a), ip4str(sid, b));
		LEASE_LOG(d, l, "%s", l->why);
		return; /* an ADD fails at its deadline with this; a held lease retries */
	}
	dhcp_opt_u32(&m->opts, OPT_SERVER_ID, &sid);
	n = dhcp_opts_dump(&m->opts, area, sizeof(area));
	copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, area, n);
	free(l->ack);
	l->ack = copy;
	l->ack_len = n;
	set_times(l, &m->opts, now);
	l->ip = m->yiaddr;
	l->server_id = sid;
	memcpy(l->server_mac, src_mac, 6);
	dhcp_link_close(&l->link);
	LEASE_LOG(d, l, "%s %s from %s, lease %lld s, renewal in %lld s",
	    !l->bound ? "bound to" : l->want_ip ? "acquired again" : "renewed", ip4str(l->ip, a),
	    ip4str(sid, b),
	    (long long)(l->expire - now) / 1000, (long long)(l->t1 - now) / 1000);
	l->bound = true;
	l->want_ip = 0;
	l->state = LS_BOUND;
	l->next = l->t1;
	l->deadline = 0;
	serve_bound(d, l);
}

/* Option 56 as printable text. */
static void nak_text(const struct dhcp_msg *m, char *out, size_t cap)
{
	size_t len, k = 0;
	const uint8_t *p = dhcp_opt(&m->opts, OPT_MESSAGE, &len);

	for (size_t i = 0; p && i < len && k + 1 < cap; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[k] = '\0';
}

static void on_nak(struct dhcpd *d, struct lease *l, const struct dhcp_msg *m, int64_t now)
{
	uint32_t sid = 0;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], text[96];

	dhcp_opt_u32(&m->opts, OPT_SERVER_ID, &sid);
	if (l->state == LS_REQUESTING && sid && sid != l->offer_server)
		return; /* another server's answer to someone else's choice */
	nak_text(m, text, sizeof(text));
	if (!l->bound) {
		snprintf(l->why, sizeof(l->why), "DHCP server %s refused %s (DHCPNAK%s%s)",
			 ip4str(sid, a), ip4str(l->offer_ip, b), *text ? ": " : "", text);
		LEASE_LOG(d, l, "%s", l->why);
		if (++l->naks >= MAX_NAKS) {
			fail(d, l);
			return;
		}
		discover(d, l, now);
		if (l->deadline && l->next > l->deadline)
			l->next = l->deadline;
		return;
	}
	LEASE_LOG(d, l, "server %s refused the lease of %s (DHCPNAK%s%s); acquiring it again",
	    ip4str(sid, a), ip4str(l->ip, b), *text ? ": " : "", text);
	reacquire(d, l, now);
}

/* The interface went away under an exchange. */
static void link_gone(struct dhcpd *d, struct lease *l)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	ccni_error_set(&e, CCNI_ERR_NOT_FOUND, "%s in %s went away", l->ifname, l->netns);
	dhcp_link_close(&l->link);
	if (l->bound)
		serve_gone(d, l, e.msg);
	else
		serve_failed(d, l, &e);
	ccni_error_clear(&e);
}

void client_input(struct dhcpd *d, struct lease *l, int64_t now)
{
	uint8_t pkt[DHCP_FRAME_MAX], mac[6];
	struct dhcp_msg m;

	for (int k = 0; k < 32 && l->link.fd >= 0; k++) {
		bool csum_ok;
		size_t plen;
		uint32_t src;
		const uint8_t *p;
		ssize_t n = dhcp_link_recv(&l->link, pkt, sizeof(pkt), mac, &csum_ok);
		int type;

		if (n < 0 && (errno == ENETDOWN || errno == ENODEV || errno == ENXIO)) {
			link_gone(d, l);
			return;
		}
		if (n <= 0)
			return;
		p = dhcp_unframe(pkt, (size_t)n, csum_ok, &plen, &src);
		if (!p || dhcp_msg_parse(p, plen, &m) < 0 || m.op != 2 || m.xid != l->xid ||
		    memcmp(m.chaddr, l->link.mac, 6) != 0)
			continue;
		type = dhcp_msg_type(&m);
		if (l->state == LS_SELECTING && type == DHCP_OFFER) {
			on_offer(d, l, &m, now);
		} else if (l->state >= LS_REQUESTING && l->state != LS_BOUND &&
			   (type == DHCP_ACK || type == DHCP_NAK)) {
			if (type == DHCP_ACK)
				on_ack(d, l, &m, mac, now);
			else
				on_nak(d, l, &m, now);
			return;
		}
	}
}

