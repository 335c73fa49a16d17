/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/ip.h — IPv4/IPv6 addresses and prefixes as plain values, their text
 * forms, and the arithmetic IPAM needs. No allocation anywhere in here.
 */
#ifndef CCNI_IP_H
#define CCNI_IP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* family is 0 (unset), AF_INET or AF_INET6. An IPv4 address uses addr[0..3]
 * in network order; the remaining bytes are zero. */
struct ccni_ip {
	uint8_t family;
	uint8_t addr[16];
};

/* An address with a prefix length; `ip` may carry host bits
 * ("10.1.2.3/24" is an address in a subnet, as results use it). */
struct ccni_ipnet {
	struct ccni_ip ip;
	uint8_t prefix;
};

#define CCNI_IP_STRLEN 46     /* INET6_ADDRSTRLEN */
#define CCNI_IPNET_STRLEN 50  /* address + "/128" + NUL */

static inline unsigned ccni_ip_len(const struct ccni_ip *ip) { return ip->family == AF_INET6 ? 16 : 4; }
static inline unsigned ccni_ip_bits(const struct ccni_ip *ip) { return ccni_ip_len(ip) * 8; }
static inline bool ccni_ip_is_set(const struct ccni_ip *ip) { return ip->family != 0; }

/* Parse an address ("10.0.0.1", "fd00::1"). IPv4-mapped IPv6 stays IPv6.
 * Returns 0, or -1 when `s` is not an address. */
int ccni_ip_parse(const char *s, struct ccni_ip *out);
/* Parse "ADDR/LEN". Host bits are kept. Returns 0 or -1. */
int ccni_ipnet_parse(const char *s, struct ccni_ipnet *out);
/* Text forms; they write into buf and return it. */
char *ccni_ip_format(const struct ccni_ip *ip, char buf[CCNI_IP_STRLEN]);
char *ccni_ipnet_format(const struct ccni_ipnet *net, char buf[CCNI_IPNET_STRLEN]);

int ccni_ip_cmp(const struct ccni_ip *a, const struct ccni_ip *b);
bool ccni_ip_equal(const struct ccni_ip *a, const struct ccni_ip *b);
bool ccni_ipnet_equal(const struct ccni_ipnet *a, const struct ccni_ipnet *b);
/* The network of a prefix: host bits cleared. */
struct ccni_ipnet ccni_ipnet_network(const struct ccni_ipnet *net);
/* The last address of a prefix (all host bits set). */
struct ccni_ip ccni_ipnet_last(const struct ccni_ipnet *net);
bool ccni_ipnet_contains(const struct ccni_ipnet *net, const struct ccni_ip *ip);
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address, in
 * place, as Go reads and prints one; any other address is left as it is. */
void ccni_ip_unmap4(struct ccni_ip *ip);
/* An IPv6 link-local address (fe80::/10), as the kernel gives every link. */
bool ccni_ip_is_link_local6(const struct ccni_ip *ip);
/* Do the two prefixes share any address? */
bool ccni_ipnet_overlaps(const struct ccni_ipnet *a, const struct ccni_ipnet *b);
/* ip + delta, in place, wrapping within the family. Returns true when it
 * wrapped (over- or underflow of the whole address space). */
bool ccni_ip_add(struct ccni_ip *ip, int64_t delta);
/* Prefix length to a netmask address of the same family. */
struct ccni_ip ccni_ip_mask(int family, unsigned prefix);
/* Is this the default route prefix (0.0.0.0/0 or ::/0)? */
bool ccni_ipnet_is_default(const struct ccni_ipnet *net);

/* MAC addresses: "aa:bb:cc:dd:ee:ff" <-> 6 bytes. */
int ccni_mac_parse(const char *s, uint8_t out[6]);
/* Also the "-" and "." forms (as Go's net.ParseMAC, 6 bytes). */
int ccni_mac_parse_any(const char *s, uint8_t out[6]);
char *ccni_mac_format(const uint8_t mac[6], char buf[18]);

#ifdef __cplusplus
}
#endif
#endif
