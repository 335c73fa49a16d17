/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-device — move a device that exists on the host into the container,
 * as the reference does: found by name, MAC, kernel path, PCI address or
 * the runtime's deviceID; moved, renamed to CNI_IFNAME and set up in one
 * request (the rename happens in the container's namespace, where the
 * host's udev does not see it), its host name kept in its alias (the
 * reference's record), its addresses and routes from IPAM. A PCI device
 * bound to a userspace (DPDK) driver has no kernel link: it stays, and
 * IPAM's result is only reported.
 *
 * DEL moves it back under its host name, with the MTU it had and up if it
 * was (hd-state.c keeps those), and succeeds when it is not there any more:
 * a repeated DEL, or a container whose namespace is gone. Then a physical
 * device is back on the host already, put there by the kernel under its
 * container name (or devN): DEL finds it by its index and its alias and
 * renames it; a virtual one (a veth, a macvlan) went with the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/attach.h"
#include "net/link.h"
#include "net/netlink.h"
#include "plugins/main/host-device/hd.h"

/* One call's state: the config, and the device as ADD found and moved it. */
struct hd {
	struct hd_conf c;
	struct link hv, cv; /* on the host, in the container */
	bool moved, recorded;
};

/* Our own namespace, where the device goes back to; -1 with err. */
static int host_ns(struct ccni_error *err)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open our own network namespace");
	return fd;
}

/* --- finding the device ---------------------------------------------------------- */

static int by_mac(const struct link *l, void *arg)
{
	struct hd *s = arg;

	if (l->addr_len != 6 || memcmp(l->mac, s->c.mac, 6) != 0)
		return 0;
	s->hv = *l;
	return 1;
}

/* The device on the host, by the first key given (the reference's order). */
static int find_device(struct nl_sock *host, struct hd *s, struct ccni_error *err)
{
	const struct hd_conf *c = &s->c;
	char name[LINK_NAME_MAX];
	int rc;

	if (c->device) {
		rc = link_get(host, c->device, 0, &s->hv, err);
		if (rc == 1)
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "device: no link \"%s\" on the host", c->device);
	} else if (c->hwaddr) {
		rc = link_list(host, 0, NULL, by_mac, s, err);
		rc = rc < 0 ? -1 : rc == 0 ? 1 : 0;
		if (rc == 1)
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "hwaddr: no link with MAC address %s on the host", c->hwaddr);
	} else {
		if (hd_sysfs_netdev(c, "/sys", name, err) < 0)
			return -1;
		rc = link_get(host, name, 0, &s->hv, err);
		if (rc == 1)
			ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				       "%s: \"%s\": its network device %s is not in this namespace",
				       c->kernelpath ? "kernelpath" : c->pci ? "pciBusID" :
						       "runtimeConfig.deviceID",
				       c->kernelpath ? c->kernelpath : c->pci ? c->pci : c->aux, name);
	}
	return rc == 0 ? 0 : -1;
}

/* --- putting it back ------------------------------------------------------------- */

/* Device l, in sk's namespace, as it was: moved to namespace hostfd (> 0),
 * named name, its alias gone, its MTU and up state as st says (NULL: not
 * known; then it stays down with the MTU it has, as the reference leaves
 * it). One request. */
static int restore(struct nl_sock *sk, const struct link *l, int hostfd, const char *name,
		   const struct hd_state *st, struct ccni_error *err)
{
	struct link_change ch = { .netns_fd = hostfd };

	if (hostfd > 0 || strcmp(l->name, name) != 0)
		ch.name = name;
	if (l->alias[0])
		ch.alias = "";
	if (st && st->mtu && st->mtu != l->mtu)
		ch.mtu = st->mtu;
	/* a move brings it down */
	if (st && st->up && (hostfd > 0 || !(l->flags & IFF_UP)))
		ch.flags_on = IFF_UP;
	if (!ch.netns_fd && !ch.name && !ch.alias && !ch.mtu && !ch.flags_on)
		return 0;
	return link_set(sk, l->ifindex, &ch, err);
}

/* Is l the device st records? Its alias says so; or, already renamed back,
 * its name at one of its indexes. */
static bool is_it(const struct link *l, const struct hd_state *st)
{
	return strcmp(l->alias, st->device) == 0 ||
	       (strcmp(l->name, st->device) == 0 &&
		(l->ifindex == st->ifindex || l->ifindex == st->host_ifindex));
}

/* The device the kernel gave back to the host when the container's
 * namespace went: under its container index and name unless the host had
 * them (then a new index, or the name devN with N its container index). 1
 * when it is not here (a virtual device the namespace took with it, or it
 * went to the initial namespace and this is another one). */
static int find_returned(struct nl_sock *host, const struct hd_state *st, const char *ifname,
			 struct link *out, struct ccni_error *err)
{
	char devn[LINK_NAME_MAX];
	int rc;

	snprintf(devn, sizeof(devn), "dev%d", st->ifindex);
	const struct {
		const char *name;
		int ifindex;
	} try[] = { { NULL, st->ifindex }, { ifname, 0 }, { NULL, st->host_ifindex },
		    { devn, 0 }, { st->device, 0 } };
	for (size_t i = 0; i < sizeof(try) / sizeof(try[0]); i++) {
		if (try[i].name ? !ccni_ifname_valid(try[i].name) : try[i].ifindex <= 0)
			continue;
		rc = link_get(host, try[i].name, try[i].ifindex, out, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && is_it(out, st))
			return 0;
	}
	return 1;
}

static int restore_returned(struct nl_sock *host, const struct hd_state *st, const char *ifname,
			    struct ccni_error *err)
{
	struct link l;
	int rc = find_returned(host, st, ifname, &l, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (restore(host, &l, -1, st->device, st, err) < 0)
		return ccni_error_prefix(err, "device %s (back on the host as %s)", st->device,
					 l.name);
	return 0;
}

/* --- ADD ------------------------------------------------------------------------- */

/* Into the container under CNI_IFNAME, its host name in its alias, up. */
static int move_in(struct attach *a, struct hd *s, struct ccni_error *err)
{
	struct link_change ch = {
		.netns_fd = a->ns.nsfd, .name = a->req->ifname, .alias = s->hv.name, .flags_on = IFF_UP
	};
	struct hd_state st = { .mtu = s->hv.mtu, .up = s->hv.flags & IFF_UP,
			       .host_ifindex = s->hv.ifindex };

	s->moved = true; /* from here on undo looks where it is */
	if (link_set(a->ns.host, s->hv.ifindex, &ch, err) < 0)
		return ccni_error_prefix(err, "moving %s into the container", s->hv.name);
	if (link_get(a->ns.ct, a->req->ifname, 0, &s->cv, err) != 0)
		return ccni_error_is_set(err) ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "device %s: not in the container as %s",
				      s->hv.name, a->req->ifname);
	snprintf(st.device, sizeof(st.device), "%s", s->hv.name);
	st.ifindex = s->cv.ifindex;
	if (hd_state_write(s->c.state_dir, a->req, &st, err) < 0)
		return -1;
	s->recorded = true;
	return 0;
}

static int hd_add(struct attach *a, void *self, struct ccni_error *err)
{
	struct hd *s = self;
	char m[18];
	const char *mac = NULL;

	if (!s->c.dpdk) {
		if (find_device(a->ns.host, s, err) < 0 || move_in(a, s, err) < 0)
			return -1;
		if (s->cv.addr_len == 6)
			mac = ccni_mac_format(s->cv.mac, m);
	}
	if (ccni_result_add_interface(a->r, s->c.dpdk ? a->req->ifname : s->cv.name, mac,
				      a->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!s->c.ipam_type)
		return 0;
	/* every address is the container interface's (index 0) */
	if (attach_ipam(a, 0, err) < 0)
		return -1;
	return s->c.dpdk ? 0 : attach_configure(a, s->cv.ifindex, false, err);
}

/* Back to the host as it was, from wherever the failed ADD left it. */
static void hd_undo(struct attach *a, void *self)
{
	struct hd *s = self;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hd_state st = { .mtu = s->hv.mtu, .up = s->hv.flags & IFF_UP };
	const char *names[] = { a->req->ifname, s->hv.name };
	struct link l;
	int hostfd;

	if (!s->moved)
		return;
	for (size_t i = 0; i < 2; i++) {
		if (link_get(a->ns.ct, names[i], 0, &l, &e) != 0 ||
		    (l.ifindex != s->cv.ifindex && strcmp(l.alias, s->hv.name) != 0 &&
		     l.ifindex != s->hv.ifindex))
			continue;
		if ((hostfd = host_ns(&e)) >= 0) {
			restore(a->ns.ct, &l, hostfd, s->hv.name, &st, &e);
			close(hostfd);
		}
		break;
	}
	ccni_error_clear(&e);
	if (s->recorded)
		hd_state_remove(s->c.state_dir, a->req->name, a->req->container_id, a->req->ifname,
				&e);
	ccni_error_clear(&e);
}

/* --- DEL and GC ------------------------------------------------------------------ */

/* The link in the container: back to the host under its alias (the
 * reference's record; ours names it too when the alias is gone). */
static int move_out(const struct ccni_request *req, struct attach_found *f,
		    const struct hd_state *st, struct ccni_error *err)
{
	const char *name = f->link.alias[0] ? f->link.alias : st ? st->device : NULL;
	int hostfd, rc;

	if (!name || !ccni_ifname_valid(name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "CNI_IFNAME: %s in the container has %s alias \"%.32s\" to name "
				      "its host device (host-device did not move it in)",
				      req->ifname, name ? "an invalid" : "no", name ? name : "");
	if ((hostfd = host_ns(err)) < 0)
		return -1;
	rc = restore(f->ct, &f->link, hostfd, name, st, err);
	close(hostfd);
	return rc < 0 ? ccni_error_prefix(err, "moving %s back to the host as %s", req->ifname, name) :
			0;
}

static int hd_del(const struct ccni_request *req, struct attach_found *f, void *self,
		  struct ccni_error *err)
{
	struct hd *s = self;
	struct hd_state st;
	int have = hd_state_read(s->c.state_dir, req->name, req->container_id, req->ifname, &st, err);
	_cleanup_(netlink_closep) struct nl_sock *host = NULL;

	if (have < 0)
		return -1;
	if (f->have_link) {
		if (move_out(req, f, have == 0 ? &st : NULL, err) < 0)
			return -1;
	} else if (have == 0) {
		if (!(host = netlink_open(-1, err)) || restore_returned(host, &st, req->ifname, err) < 0)
			return -1;
	}
	return have == 0 ? hd_state_remove(s->c.state_dir, req->name, req->container_id,
					   req->ifname, err) :
			   0;
}

static void gc_restore(const struct hd_state *st, const char *ifname, void *arg)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	/* the container is gone: a device the kernel gave back gets its name */
	restore_returned(arg, st, ifname, &e);
	ccni_error_clear(&e);
}

static int hd_gc(const struct ccni_request *req, void *self, struct ccni_error *err)
{
	struct hd *s = self;
	_cleanup_(netlink_closep) struct nl_sock *host = netlink_open(-1, err);

	if (!host)
		return -1;
	return hd_state_gc(s->c.state_dir, req, gc_restore, host, err);
}

ATTACH_PLUGIN_DEFINE(host_device, "host-device",
		     "ccni host-device: move a host's network device into the container", struct hd,
		     c, hd_conf_parse, .add = hd_add, .undo = hd_undo, .del = hd_del, .gc = hd_gc,
		     .keys = hd_keys);
