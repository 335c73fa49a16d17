/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-packet.c — reading and writing DHCPv4 messages and the IPv4/UDP
 * frame a packet socket needs before the interface has an address.
 * Everything is bounds-checked against the bytes received: a message
 * comes from the network.
 */
#include <arpa/inet.h>
#include <string.h>

#include "plugins/ipam/dhcp/dhcp-packet.h"

#define BOOTP_HDR 236 /* op .. file */
#define MAGIC 0x63825363u
#define OFF_SNAME 44
#define OFF_FILE 108

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void dhcp_opts_init(struct dhcp_opts *o)
{
	memset(o->has, 0, sizeof(o->has));
	o->used = 0;
}

static bool has(const struct dhcp_opts *o, uint8_t code)
{
	return o->has[code / 8] & (1u << (code % 8));
}

/* Append a piece to code's value; pieces of one code must be adjacent in
 * data to be joined, so a later piece moves the value to the end. */
static int opt_append(struct dhcp_opts *o, uint8_t code, const uint8_t *v, size_t len)
{
	size_t old = has(o, code) ? o->len[code] : 0;
	bool move = old && o->off[code] + old != o->used;

	/* room for the piece, and for the value so far when it must move
	 * (a piece right after the one before it is joined where it is) */
	if (o->used + (move ? old : 0) + len > sizeof(o->data))
		return -1;
	if (move) {
		memmove(o->data + o->used, o->data + o->off[code], old);
		o->off[code] = o->used;
		o->used = (uint16_t)(o->used + old);
	} else if (!old) {
		o->off[code] = o->used;
	}
	memcpy(o->data + o->used, v, len);
	o->used = (uint16_t)(o->used + len);
	o->len[code] = (uint16_t)(old + len);
	o->has[code / 8] |= (uint8_t)(1u << (code % 8));
	return 0;
}

int dhcp_opts_parse(const uint8_t *p, size_t n, struct dhcp_opts *o)
{
	size_t i = 0;

	while (i < n) {
		uint8_t code = p[i++];

		if (code == 0)
			continue;
		if (code == 255)
			return 0;
		if (i >= n || i + 1 + p[i] > n)
			return -1;
		if (opt_append(o, code, p + i + 1, p[i]) < 0)
			return -1;
		i += 1 + (size_t)p[i];
	}
	return 0; /* no end option: accepted, as most clients do */
}

int dhcp_msg_parse(const uint8_t *p, size_t n, struct dhcp_msg *m)
{
	const uint8_t *ov;
	size_t ovlen;

	if (n < BOOTP_HDR + 4 || get32(p + BOOTP_HDR) != MAGIC || p[1] != 1 || p[2] != 6)
		return -1;
	m->op = p[0];
	m->xid = get32(p + 4);
	m->flags = (uint16_t)(p[10] << 8 | p[11]);
	memcpy(&m->ciaddr, p + 12, 4);
	memcpy(&m->yiaddr, p + 16, 4);
	memcpy(&m->siaddr, p + 20, 4);
	memcpy(m->chaddr, p + 28, 16);
	dhcp_opts_init(&m->opts);
	if (dhcp_opts_parse(p + BOOTP_HDR + 4, n - BOOTP_HDR - 4, &m->opts) < 0)
		return -1;
	/* option overload (52): more options in file, then sname */
	ov = dhcp_opt(&m->opts, OPT_OVERLOAD, &ovlen);
	if (ov && ovlen == 1) {
		if ((ov[0] & 1) && dhcp_opts_parse(p + OFF_FILE, 128, &m->opts) < 0)
			return -1;
		if ((ov[0] & 2) && dhcp_opts_parse(p + OFF_SNAME, 64, &m->opts) < 0)
			return -1;
	}
	return 0;
}

const uint8_t *dhcp_opt(const struct dhcp_opts *o, uint8_t code, size_t *len)
{
	if (!has(o, code))
		return NULL;
	*len = o->len[code];
	return o->data + o->off[code];
}

int dhcp_opt_u32(const struct dhcp_opts *o, uint8_t code, uint32_t *v)
{
	size_t len;
	const uint8_t *p = dhcp_opt(o, code, &len);

	if (!p || len != 4)
		return -1;
	memcpy(v, p, 4);
	return 0;
}

int dhcp_msg_type(const struct dhcp_msg *m)
{
	size_t len;
	const uint8_t *p = dhcp_opt(&m->opts, OPT_MESSAGE_TYPE, &len);

	return p && len == 1 ? p[0] : 0;
}

size_t dhcp_opts_dump(const struct dhcp_opts *o, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (int code = 1; code < 255; code++) {
		size_t len, done = 0;
		const uint8_t *v = dhcp_opt(o, (uint8_t)code, &len);

		if (!v)
			continue;
		do { /* long values in pieces of 255 (RFC 3396) */
			size_t piece = len - done > 255 ? 255 : len - done;

			if (n + 2 + piece > cap)
				return n;
			out[n++] = (uint8_t)code;
			out[n++] = (uint8_t)piece;
			memcpy(out + n, v + done, piece);
			n += piece;
			done += piece;
		} while (done < len);
	}
	return n;
}

void dhcp_out_start(struct dhcp_out *b, enum dhcp_type type, uint32_t xid, uint16_t secs,
		    bool broadcast, uint32_t ciaddr, const uint8_t mac[6])
{
	uint8_t t = (uint8_t)type;

	memset(b->buf, 0, sizeof(b->buf));
	b->buf[0] = 1; /* BOOTREQUEST */
	b->buf[1] = 1; /* Ethernet */
	b->buf[2] = 6;
	put32(b->buf + 4, xid);
	put16(b->buf + 8, secs);
	put16(b->buf + 10, broadcast ? 0x8000 : 0);
	memcpy(b->buf + 12, &ciaddr, 4);
	memcpy(b->buf + 28, mac, 6);
	put32(b->buf + BOOTP_HDR, MAGIC);
	b->len = BOOTP_HDR + 4;
	dhcp_out_opt(b, OPT_MESSAGE_TYPE, &t, 1);
}

void dhcp_out_opt(struct dhcp_out *b, uint8_t code, const void *data, size_t len)
{
	/* callers give at most 255 bytes; the end option always fits */
	if (len > 255 || b->len + 2 + len > sizeof(b->buf) - 1)
		return;
	b->buf[b->len++] = code;
	b->buf[b->len++] = (uint8_t)len;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

void dhcp_out_end(struct dhcp_out *b)
{
	b->buf[b->len++] = 255;
	if (b->len < 300)
		b->len = 300;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP checksum over the pseudo header and the datagram. */
static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8); /* source, destination */
	ph[8] = 0;
	ph[9] = 17;
	put16(ph + 10, (uint16_t)ulen);
	return csum_fold(csum_add(csum_add(0, ph, 12), udp, ulen));
}

size_t dhcp_frame(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, const void *msg,
		  size_t len)
{
	uint8_t *ip = out, *udp = out + 20;
	uint16_t c;

	if (len + 28 > cap)
		return 0;
	memset(out, 0, 28);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len + 28));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put16(udp, DHCP_CLIENT_PORT);
	put16(udp + 2, DHCP_SERVER_PORT);
	put16(udp + 4, (uint16_t)(len + 8));
	memcpy(udp + 8, msg, len);
	c = udp_csum(ip, udp, len + 8);
	put16(udp + 6, c ? c : 0xffff);
	return len + 28;
}

const uint8_t *dhcp_unframe(const uint8_t *pkt, size_t n, bool csum_ok, size_t *len,
			    uint32_t *src)
{
	size_t ihl, tot, ulen;
	const uint8_t *udp;

	if (n < 28 || (pkt[0] >> 4) != 4)
		return NULL;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = (size_t)(pkt[2] << 8 | pkt[3]);
	if (ihl < 20 || tot > n || tot < ihl + 8 || pkt[9] != 17)
		return NULL;
	/* fragments: a DHCP reply fits in one packet */
	if ((pkt[6] & 0x3f) || pkt[7])
		return NULL;
	if (csum_fold(csum_add(0, pkt, ihl)) != 0)
		return NULL;
	udp = pkt + ihl;
	ulen = (size_t)(udp[4] << 8 | udp[5]);
	if ((udp[2] << 8 | udp[3]) != DHCP_CLIENT_PORT || ulen < 8 || ulen > tot - ihl)
		return NULL;
	if (csum_ok && (udp[6] | udp[7]) && udp_csum(pkt, udp, ulen) != 0)
		return NULL;
	memcpy(src, pkt + 12, 4);
	*len = ulen - 8;
	return udp + 8;
}
