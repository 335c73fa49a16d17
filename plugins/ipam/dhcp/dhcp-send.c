/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-send.c — what a lease's client sends: the messages of each state
 * (the options every request carries, what replaces them from the
 * config), on the container's interface; and DHCPRELEASE, from the
 * interface or, when it is gone, from the daemon's own namespace.
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

uint32_t client_xid(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint32_t)random();
	return x;
}

void client_netns(const struct dhcpd *d, const struct lease *l, char *out, size_t len)
{
	snprintf(out, len, "%s%s", d->o.hostprefix, l->netns);
}

static bool provided(const struct lease *l, uint8_t code)
{
	for (int i = 0; i < l->n_provide; i++)
		if (l->provide[i].code == code)
			return true;
	return false;
}

/* The options every request carries: client id, parameter list, size,
 * and what the config provides (which replaces any of ours). */
static void put_common(const struct lease *l, struct dhcp_out *b)
{
	uint8_t size[2] = { 1500 >> 8, 1500 & 0xff };

	if (!provided(l, OPT_CLIENT_ID))
		dhcp_out_opt(b, OPT_CLIENT_ID, l->client_id, l->client_id_len);
	if (l->n_request && !provided(l, OPT_PARAM_REQUEST))
		dhcp_out_opt(b, OPT_PARAM_REQUEST, l->request, (size_t)l->n_request);
	if (!provided(l, OPT_MAX_SIZE))
		dhcp_out_opt(b, OPT_MAX_SIZE, size, 2);
	for (int i = 0; i < l->n_provide; i++)
		dhcp_out_opt(b, l->provide[i].code, l->provide[i].data, l->provide[i].len);
}

/* Build the message the state calls for; *dst and *mac say where to. */
static void build(const struct dhcpd *d, const struct lease *l, enum dhcp_type type, int64_t now,
		  struct dhcp_out *b, uint32_t *src, uint32_t *dst, const uint8_t **mac)
{
	int64_t secs = (now - l->begun) / 1000;
	bool configured = l->state == LS_RENEWING || l->state == LS_REBINDING ||
			  type == DHCP_RELEASE;
	uint32_t ciaddr = configured ? l->ip : 0;

	*src = ciaddr;
	*dst = INADDR_BROADCAST;
	*mac = NULL;
	/* unicast to our server: renewals and the release */
	if (l->state == LS_RENEWING || type == DHCP_RELEASE) {
		*dst = l->server_id;
		*mac = l->server_mac;
	}
	dhcp_out_start(b, type, l->xid, (uint16_t)(secs > 0xffff ? 0xffff : secs),
		       d->o.broadcast && !configured, ciaddr, l->link.fd >= 0 ? l->link.mac : l->mac);
	if (type == DHCP_RELEASE) {
		dhcp_out_opt(b, OPT_SERVER_ID, &l->server_id, 4);
		dhcp_out_opt(b, OPT_CLIENT_ID, l->client_id, l->client_id_len);
	} else {
		if (type == DHCP_DISCOVER && l->want_ip)
			dhcp_out_opt(b, OPT_REQUESTED_IP, &l->want_ip, 4);
		if (l->state == LS_REQUESTING) {
			dhcp_out_opt(b, OPT_REQUESTED_IP, &l->offer_ip, 4);
			dhcp_out_opt(b, OPT_SERVER_ID, &l->offer_server, 4);
		}
		put_common(l, b);
	}
	dhcp_out_end(b);
}

int client_transmit(struct dhcpd *d, struct lease *l, enum dhcp_type type, int64_t now)
{
	struct dhcp_out b;
	uint8_t pkt[DHCP_FRAME_MAX];
	uint32_t src, dst;
	const uint8_t *mac;
	size_t n;
	int rc;

	build(d, l, type, now, &b, &src, &dst, &mac);
	n = dhcp_frame(pkt, sizeof(pkt), src, dst, b.buf, b.len);
	rc = dhcp_link_send(&l->link, mac, pkt, n);
	l->tries++;
	if (rc < 0) {
		snprintf(l->why, sizeof(l->why), "cannot send on %s: %s", l->ifname, strerror(-rc));
		LEASE_LOG(d, l, "%s", l->why);
	}
	return rc;
}

/* Without the container's interface: a UDP datagram from the daemon's
 * own namespace to the server, with the lease's client id and address
 * (servers release by client id and ciaddr). */
static void release_from_here(struct dhcpd *d, struct lease *l, const struct dhcp_out *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];

	sa.sin_addr.s_addr = l->server_id;
	if (fd < 0 || sendto(fd, b->buf, b->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		LEASE_LOG(d, l, "cannot release %s to %s from the daemon's namespace: %s",
		    ip4str(l->ip, a), ip4str(l->server_id, s), strerror(errno));
	else
		LEASE_LOG(d, l, "released %s to %s (from the daemon's namespace: the interface is gone)",
		    ip4str(l->ip, a), ip4str(l->server_id, s));
}

void client_release(struct dhcpd *d, struct lease *l)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char ns[PATH_MAX + DHCP_PATH_MAX], a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
	uint8_t pkt[DHCP_FRAME_MAX];
	struct dhcp_out b;
	uint32_t src, dst;
	const uint8_t *mac;
	int64_t now = dhcpd_now();

	if (!l->bound || l->lost)
		return;
	l->xid = client_xid();
	l->begun = now;
	if (l->link.fd < 0) {
		client_netns(d, l, ns, sizeof(ns));
		dhcp_link_open(ns, l->ifname, &l->link, &e);
		ccni_error_clear(&e);
	}
	build(d, l, DHCP_RELEASE, now, &b, &src, &dst, &mac);
	if (l->link.fd >= 0) {
		size_t n = dhcp_frame(pkt, sizeof(pkt), src, dst, b.buf, b.len);
		int rc = dhcp_link_send(&l->link, mac, pkt, n);

		dhcp_link_close(&l->link);
		if (rc == 0) {
			LEASE_LOG(d, l, "released %s to %s", ip4str(l->ip, a), ip4str(l->server_id, s));
			return;
		}
	}
	release_from_here(d, l, &b);
}
