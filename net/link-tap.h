/* SPDX-License-Identifier: Apache-2.0 */
/*
 * link-tap.h — tap links. The kernel makes them only through /dev/net/tun:
 * an RTM_NEWLINK of kind "tun" is refused ("tun/tap creation via rtnetlink
 * is not supported"; IFLA_TUN_* only describe one), so creation is the
 * TUNSETIFF, TUNSETOWNER, TUNSETGROUP and TUNSETPERSIST ioctls on a tun
 * file opened inside the namespace the tap belongs in; everything after
 * (MTU, MAC, master, up) is link_set. Internal.
 */
#ifndef CCNI_NET_LINK_TAP_H
#define CCNI_NET_LINK_TAP_H

#include <stdbool.h>
#include <sys/types.h>

#include <ccni/error.h>

struct link_tap_spec {
	const char *name;
	int netns_fd; /* the namespace to make it in (-1: ours) */
	bool multi_queue, vnet_hdr, no_pi;
	bool set_owner, set_group; /* else nobody's (any user may attach) */
	uid_t owner;
	gid_t group;
	/* An SELinux context to make it under (NULL: ours): a child process
	 * takes it (/proc/thread-self/attr/current, which the policy must let
	 * it do) and makes the tap, which keeps that context. */
	const char *selinux_context;
};

/* A persistent tap, never attaching to one that exists (IFF_TUN_EXCL). */
int link_tap_create(const struct link_tap_spec *s, struct ccni_error *err);

/* Is SELinux on (its file system mounted)? */
bool link_tap_selinux_enabled(void);

#endif
