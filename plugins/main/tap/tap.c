/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tap — a tap device in the container (for a virtual machine's NIC, as
 * KubeVirt uses it), as the reference makes it: persistent, with the
 * owner, group, multi-queue flag, MAC and MTU asked for, optionally a port
 * of a bridge that already exists in the container, under an SELinux
 * context where SELinux is on; addresses and routes from IPAM when the
 * config has one, layer 2 only otherwise. DEL deletes it (nothing to do
 * when it or the namespace is gone).
 *
 * The tap's flags are the reference's: it makes one with `ip tuntap` (no
 * packet information header) unless both owner and group are given and no
 * SELinux context is, when its netlink library makes it with the vnet
 * header (and without the packet information header only when
 * multi-queue). A program attaching to the tap sets these for itself; the
 * multi-queue flag must match.
 */
#include <linux/if.h>
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/ip.h>
#include <ccni/plugin.h>

#include "net/attach.h"
#include "net/link-tap.h"
#include "net/link.h"
#include "net/netns.h"
#include "net/sysctl.h"
#include "plugins/main/tap/tap.h"

/* --- configuration ---------------------------------------------------------------- */

/* The MAC: "mac", then CNI_ARGS MAC, then runtimeConfig.mac (the later
 * wins; an empty value overrides nothing), as the reference. */
static int tap_mac(const struct ccni_request *req, struct tap_conf *c, struct ccni_error *err)
{
	static const char *const known_args[] = { "MAC", NULL };
	const char *mac = NULL, *v = NULL, *key = "mac";

	if (ccni_json_get_string(req->config, "", "mac", &mac, err) < 0)
		return -1;
	if (req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK) {
		if (ccni_args_check_known(&req->args, known_args, err) < 0)
			return -1;
		if ((v = ccni_args_get(&req->args, "MAC")) && *v) {
			mac = v;
			key = "CNI_ARGS MAC";
		}
		v = NULL;
		if (ccni_json_get_string(req->runtime_config, "runtimeConfig", "mac", &v, err) < 0)
			return -1;
		if (v && *v) {
			mac = v;
			key = "runtimeConfig.mac";
		}
	}
	if (!mac || !*mac)
		return 0;
	if (ccni_mac_parse_any(mac, c->mac) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: invalid MAC address \"%.32s\"",
				      key, mac);
	c->has_mac = true;
	return 0;
}

/* An optional uint32 key; *has tells whether it was given. */
static int get_id(json_t *cf, const char *key, bool *has, uint32_t *out, struct ccni_error *err)
{
	long long v = -1;

	if (ccni_json_get_int(cf, "", key, 0, UINT32_MAX, &v, err) < 0)
		return -1;
	*has = v >= 0;
	*out = *has ? (uint32_t)v : 0;
	return 0;
}

/* Every key; when validating each bad one is a problem of its own and the
 * parse goes on with the default in its place. */
int tap_conf_parse(const struct ccni_request *req, struct tap_conf *c, struct ccni_error *err)
{
	json_t *cf = req->config;
	long long mtu = 0;

	memset(c, 0, sizeof(*c));
	if (CCNI_CONF_TRY(req, err, tap_mac(req, c, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(cf, "", "mtu", 0, 65535, &mtu, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_bool(cf, "", "multiQueue", &c->multi_queue,
							err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_id(cf, "owner", &c->has_owner, &c->owner, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_id(cf, "group", &c->has_group, &c->group, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "bridge", &c->bridge, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_request_ipam_type_optional(req, &c->ipam_type, err)) < 0)
		return -1;
	c->mtu = (unsigned)mtu;
	/* the reference's README spells it selinuxcontext, its code
	 * selinuxContext (Go matches either) */
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "selinuxcontext", &c->selinux,
							  err)) < 0 ||
	    (!c->selinux &&
	     CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "selinuxContext", &c->selinux,
							   err)) < 0))
		return -1;
	if (c->selinux && !*c->selinux)
		c->selinux = NULL;
	if (c->selinux && strlen(c->selinux) > 255 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "selinuxcontext: \"%.64s...\" is longer than 255 bytes", c->selinux) < 0)
		return -1;
	if (c->bridge && !*c->bridge)
		c->bridge = NULL;
	if (c->bridge && !ccni_ifname_valid(c->bridge) &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "bridge: invalid interface name \"%.32s\"", c->bridge) < 0)
		return -1;
	c->attach = (struct attach_conf){ .ipam_type = c->ipam_type };
	return 0;
}

/* `ccni validate`: the keys tap reads (its parser is tap_conf_parse). */
static const char *const tap_keys[] = {
	"mac", "mtu", "multiQueue", "owner", "group", "bridge", "selinuxcontext", "selinuxContext",
	"ipam.type", NULL,
};

/* --- ADD ---------------------------------------------------------------------------- */

struct tap {
	struct tap_conf c;
	struct link tv;
	bool made;
};

/* The reference's flags (see the top) and ours: owner, group, context. */
static struct link_tap_spec tap_spec(const struct attach *a, const struct tap_conf *c)
{
	bool by_ip = c->selinux || !c->has_owner || !c->has_group;
	struct link_tap_spec ts = {
		.name = a->req->ifname,
		.netns_fd = a->ns.nsfd,
		.multi_queue = c->multi_queue,
		.no_pi = by_ip || c->multi_queue,
		.vnet_hdr = !by_ip,
		.set_owner = c->has_owner,
		.set_group = c->has_group,
		.owner = c->owner,
		.group = c->group,
		/* only where SELinux is on: elsewhere there is no context */
		.selinux_context = c->selinux && link_tap_selinux_enabled() ? c->selinux : NULL,
	};

	return ts;
}

static int arp_notify(void *data, struct ccni_error *err)
{
	char key[64];

	snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_notify", (const char *)data);
	/* as the reference: a failure is no reason to stop */
	if (sysctl_set(key, "1", err) < 0)
		ccni_error_clear(err);
	return 0;
}

/* Its MAC, MTU and bridge, up: one request. */
static int tap_setup(struct attach *a, struct tap *s, struct ccni_error *err)
{
	const struct tap_conf *c = &s->c;
	struct link_change ch = { .mtu = c->mtu, .mac = c->has_mac ? c->mac : NULL,
				  .flags_on = IFF_UP };
	struct link br;
	int rc;

	if (c->bridge) {
		rc = link_get(a->ns.ct, c->bridge, 0, &br, err);
		if (rc != 0)
			return rc < 0 ? -1 : ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
							     "bridge: no link \"%s\" in the container",
							     c->bridge);
		ch.master = br.ifindex;
	}
	if (link_set(a->ns.ct, s->tv.ifindex, &ch, err) < 0)
		return -1;
	rc = link_get(a->ns.ct, NULL, s->tv.ifindex, &s->tv, err);
	return rc == 0 ? 0 : rc < 0 ? -1 : ccni_error_set(err, CCNI_ERR_NETLINK, "tap %s: vanished",
							      a->req->ifname);
}

static int tap_add(struct attach *a, void *self, struct ccni_error *err)
{
	struct tap *s = self;
	struct link_tap_spec ts = tap_spec(a, &s->c);
	char m[18];
	int rc;

	if (link_tap_create(&ts, err) < 0)
		return -1;
	s->made = true;
	rc = link_get(a->ns.ct, a->req->ifname, 0, &s->tv, err);
	if (rc != 0)
		return rc < 0 ? -1 : ccni_error_set(err, CCNI_ERR_NETLINK, "tap %s: gone after its "
							      "creation", a->req->ifname);
	if (tap_setup(a, s, err) < 0)
		return -1;
	if (ccni_result_add_interface(a->r, s->tv.name, ccni_mac_format(s->tv.mac, m),
				      a->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!s->c.ipam_type)
		return 0;
	if (attach_ipam(a, 0, err) < 0 ||
	    netns_run(a->ns.nsfd, arp_notify, (void *)a->req->ifname, err) < 0)
		return -1;
	return attach_configure(a, s->tv.ifindex, false, err);
}

static void tap_undo(struct attach *a, void *self)
{
	struct tap *s = self;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (s->made && s->tv.ifindex > 0)
		link_del(a->ns.ct, s->tv.ifindex, &e);
	else if (s->made)
		link_del_named(a->ns.ct, a->req->ifname, &e);
	ccni_error_clear(&e);
}

/* DEL: the tap, if it is still there (and is a tap: another plugin's link
 * of that name is not ours to delete). */
static int tap_del(const struct ccni_request *req, struct attach_found *f, void *self,
		   struct ccni_error *err)
{
	(void)req;
	(void)self;
	if (!f->have_link || strcmp(f->link.kind, "tun") != 0)
		return 0;
	return link_del(f->ct, f->link.ifindex, err);
}

ATTACH_PLUGIN_DEFINE(tap, "tap", "ccni tap: a tap device in the container", struct tap, c,
		     tap_conf_parse, .kind = "tun", .add = tap_add, .undo = tap_undo,
		     .del = tap_del, .keys = tap_keys);
