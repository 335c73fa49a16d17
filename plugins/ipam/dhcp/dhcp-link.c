/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-link.c — the container's side of the DHCP client: a packet socket
 * made inside the container's namespace and bound to its interface, so
 * DHCP packets go out and come in there before the interface has an
 * address, whatever the host's routes. The socket stays in that namespace
 * once made, and so do the ioctls on it. The only file of the plugin that
 * uses net/.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "net/netns.h"
#include "plugins/ipam/dhcp/dhcp.h"

/* IPv4, UDP, not a fragment, to port 68: the kernel drops the rest before
 * it reaches us (the offsets are the IP header's: SOCK_DGRAM). */
static struct sock_filter only_dhcp[] = {
	{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 9 },
	{ BPF_JMP | BPF_JEQ | BPF_K, 0, 6, IPPROTO_UDP },
	{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 6 },
	{ BPF_JMP | BPF_JSET | BPF_K, 4, 0, 0x1fff },
	{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0 },
	{ BPF_LD | BPF_H | BPF_IND, 0, 0, 2 },
	{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 68 },
	{ BPF_RET | BPF_K, 0, 0, 0xffff },
	{ BPF_RET | BPF_K, 0, 0, 0 },
};

struct open_args {
	const char *netns;
	struct dhcp_link *l;
};

static int link_up(int fd, struct ifreq *ifr, const struct open_args *a, struct ccni_error *err)
{
	if (ioctl(fd, SIOCGIFFLAGS, ifr) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot read its flags",
					a->l->ifname);
	if (ifr->ifr_flags & IFF_UP)
		return 0;
	ifr->ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, ifr) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s in %s: cannot set it up",
					a->l->ifname, a->netns);
	a->l->raised = true;
	return 0;
}

/* Inside the container's namespace. */
static int open_here(void *data, struct ccni_error *err)
{
	struct open_args *a = data;
	struct dhcp_link *l = a->l;
	struct sock_fprog prog = { ARRAY_SIZE(only_dhcp), only_dhcp };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct ifreq ifr = { 0 };
	int one = 1;
	/* protocol 0: nothing is queued before the filter is on */
	_cleanup_close_ int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open a packet socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return errno == ENODEV ?
			       ccni_error_set(err, CCNI_ERR_NOT_FOUND, "no interface %s in %s",
					      l->ifname, a->netns) :
			       ccni_error_errno(err, CCNI_ERR_IO, errno, "%s in %s", l->ifname,
						a->netns);
	l->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot read its address",
					l->ifname);
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "%s in %s is not an Ethernet interface (type %u): DHCP needs "
				      "a hardware address",
				      l->ifname, a->netns, ifr.ifr_hwaddr.sa_family);
	memcpy(l->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (link_up(fd, &ifr, a, err) < 0)
		return -1;
	sll.sll_ifindex = l->ifindex;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot bind a packet socket",
					l->ifname);
	l->fd = TAKE_FD(fd);
	return 0;
}

int dhcp_link_open(const char *netns, const char *ifname, struct dhcp_link *l,
		   struct ccni_error *err)
{
	_cleanup_close_ int nsfd = -1;
	struct open_args a = { netns, l };

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	if (netns_open(netns, &nsfd, err) < 0)
		return -1;
	return netns_run(nsfd, open_here, &a, err);
}

void dhcp_link_close(struct dhcp_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

bool dhcp_link_running(const struct dhcp_link *l)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->ifname);
	return ioctl(l->fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING);
}

int dhcp_link_down(const struct dhcp_link *l)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->ifname);
	if (ioctl(l->fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags &= ~IFF_UP;
	return ioctl(l->fd, SIOCSIFFLAGS, &ifr);
}

int dhcp_link_send(const struct dhcp_link *l, const uint8_t *dst, const void *pkt, size_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = l->ifindex,
				   .sll_halen = 6 };

	memcpy(sll.sll_addr, dst ? dst : bcast, 6);
	if (sendto(l->fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

ssize_t dhcp_link_recv(const struct dhcp_link *l, void *buf, size_t len, uint8_t src[6],
		       bool *csum_ok)
{
	struct sockaddr_ll sll;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };

	for (;;) {
		ssize_t n = recvmsg(l->fd, &m, MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno == EINTR ? 0 : -1;
		if (sll.sll_pkttype == PACKET_OUTGOING) {
			m.msg_namelen = sizeof(sll);
			m.msg_controllen = sizeof(ctl);
			continue;
		}
		*csum_ok = true;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata aux;

				memcpy(&aux, CMSG_DATA(c), sizeof(aux));
				/* a local sender's checksum is left to the NIC */
				if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
					*csum_ok = false;
			}
		memcpy(src, sll.sll_addr, 6);
		return n;
	}
}

struct addr_args {
	const char *ifname;
	uint32_t addr;
	int prefix;
	int found;
};

static int find_addr(void *data, struct ccni_error *err)
{
	struct addr_args *a = data;
	struct ifaddrs *list, *i;

	if (getifaddrs(&list) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot list the addresses");
	for (i = list; i && !a->found; i = i->ifa_next) {
		const struct sockaddr_in *s = (const void *)i->ifa_addr, *m = (const void *)i->ifa_netmask;

		if (!s || s->sin_family != AF_INET || !i->ifa_name || !streq(i->ifa_name, a->ifname))
			continue;
		if (s->sin_addr.s_addr == a->addr && m &&
		    __builtin_popcount(m->sin_addr.s_addr) == a->prefix)
			a->found = 1;
	}
	freeifaddrs(list);
	return 0;
}

int dhcp_link_has_addr(const char *netns, const char *ifname, uint32_t addr, int prefix,
		       struct ccni_error *err)
{
	_cleanup_close_ int nsfd = -1;
	struct addr_args a = { ifname, addr, prefix, 0 };

	if (netns_open(netns, &nsfd, err) < 0 || netns_run(nsfd, find_addr, &a, err) < 0)
		return -1;
	return a.found;
}
