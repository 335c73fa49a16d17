/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-packet.h — DHCPv4 messages (RFC 2131, options RFC 2132, long
 * options RFC 3396, classless routes RFC 3442, search list RFC 3397), the
 * IPv4/UDP frame around them for a packet socket, and the CNI result a
 * lease gives. Pure functions of bytes: no sockets, no clocks.
 */
#ifndef CCNI_DHCP_PACKET_H
#define CCNI_DHCP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/result.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FRAME_MAX 2048 /* bytes of an IPv4 packet we read or write */

enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
};

enum {
	OPT_SUBNET_MASK = 1,
	OPT_ROUTERS = 3,
	OPT_DNS = 6,
	OPT_HOST_NAME = 12,
	OPT_DOMAIN_NAME = 15,
	OPT_STATIC_ROUTES = 33,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51,
	OPT_OVERLOAD = 52,
	OPT_MESSAGE_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAM_REQUEST = 55,
	OPT_MESSAGE = 56,
	OPT_MAX_SIZE = 57,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_CLIENT_ID = 61,
	OPT_DOMAIN_SEARCH = 119,
	OPT_CLASSLESS_ROUTES = 121,
};

/* The options of a message, each code's pieces joined (RFC 3396). */
struct dhcp_opts {
	uint16_t off[256], len[256];
	uint8_t has[32]; /* bit per code */
	uint16_t used;
	uint8_t data[DHCP_FRAME_MAX];
};

struct dhcp_msg {
	uint8_t op;
	uint32_t xid; /* host order */
	uint16_t flags;
	uint32_t ciaddr, yiaddr, siaddr; /* network order */
	uint8_t chaddr[16];
	struct dhcp_opts opts;
};

/* A BOOTP message (the UDP payload). 0, or -1 when it is not one. */
int dhcp_msg_parse(const uint8_t *p, size_t n, struct dhcp_msg *m);
/* Add an option area (code, length, value; pad and end) to o. 0 or -1. */
int dhcp_opts_parse(const uint8_t *p, size_t n, struct dhcp_opts *o);
void dhcp_opts_init(struct dhcp_opts *o);
/* The value of an option, or NULL. */
const uint8_t *dhcp_opt(const struct dhcp_opts *o, uint8_t code, size_t *len);
/* A 4-byte option (an address in network order, or a number). 0 or -1. */
int dhcp_opt_u32(const struct dhcp_opts *o, uint8_t code, uint32_t *v);
/* Option 53, or 0. */
int dhcp_msg_type(const struct dhcp_msg *m);
/* The options again as an option area (what a lease file keeps). */
size_t dhcp_opts_dump(const struct dhcp_opts *o, uint8_t *out, size_t cap);

/* A message being written: the BOOTP header, then options, then end. */
struct dhcp_out {
	uint8_t buf[1024];
	size_t len;
};
void dhcp_out_start(struct dhcp_out *b, enum dhcp_type type, uint32_t xid, uint16_t secs,
		    bool broadcast, uint32_t ciaddr, const uint8_t mac[6]);
void dhcp_out_opt(struct dhcp_out *b, uint8_t code, const void *data, size_t len);
/* The end option, padded to the 300 bytes BOOTP relays expect. */
void dhcp_out_end(struct dhcp_out *b);

/* IPv4 + UDP (68 -> 67) around msg into out; the length. */
size_t dhcp_frame(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, const void *msg,
		  size_t len);
/* The UDP payload of an IPv4 packet to port 68, or NULL. The UDP
 * checksum is checked when csum_ok (the kernel filled it in). */
const uint8_t *dhcp_unframe(const uint8_t *pkt, size_t n, bool csum_ok, size_t *len,
			    uint32_t *src);

/* The CNI result of a lease (as the reference: address with the subnet
 * mask, gateway = first router; routes: classless (121) if any, else
 * static (33) and a default route via the router; every route gets
 * priority when it is not 0) and the DNS settings the server sent. A
 * lease without a usable subnet mask is an error (code 5), as in the
 * reference. */
int dhcp_result(uint32_t yiaddr, const struct dhcp_opts *o, uint32_t priority,
		struct ccni_result **out, struct ccni_error *err);
/* The prefix length of a subnet mask option, or -1. */
int dhcp_mask_prefix(const struct dhcp_opts *o);

#endif
