/* SPDX-License-Identifier: Apache-2.0 */
/*
 * firewall — lets the container's addresses through the host's forward
 * path, a drop-in for the reference plugin.
 *
 * The nftables backend (default) keeps everything in ccni's table
 * "inet ccni_firewall": a forward chain that drops traffic between two
 * isolated bridges (ingressPolicy "same-bridge"), jumps to the admin chains
 * (iptablesAdminChainName, "CNI-ADMIN": left to the administrator, never
 * flushed; reached through chain admin-jumps) and accepts traffic from, and
 * established traffic to, the addresses in the sets addr4/addr6.
 *
 * The isolation sets iso4/iso6 hold (bridge, container address) pairs; a
 * packet is dropped when it comes from an isolated container through its
 * bridge, leaves through the bridge of another isolated container, and its
 * destination is not on the bridge it came from (nft cannot compare iifname
 * with oifname: the third lookup stands for "iif != oif"). No per-bridge
 * state: the last container's DEL leaves nothing behind. Every element carries the comment
 * "CONTAINERID/IFNAME", so DEL without prevResult finds them; ADD and DEL
 * are one batch of element changes whatever the number of containers.
 *
 * The iptables backend writes the reference's chains (CNI-FORWARD, the admin
 * chain, CNI-ISOLATION-STAGE-1/2) with one iptables-restore per family.
 * The firewalld backend is not supported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/nftables.h"
#include "net/iptables.h"
#include "net/nftset.h"
#include "net/tag.h"
#include "plugins/meta/firewall/firewall.h"

#define TABLE "ccni_firewall"

static const char setup_script[] =
	"create table inet " TABLE " { comment \"ccni: firewall plugin\"; }\n"
	"add set inet " TABLE " addr4 { type ipv4_addr; }\n"
	"add set inet " TABLE " addr6 { type ipv6_addr; }\n"
	"add set inet " TABLE " iso4 { type ifname . ipv4_addr; }\n"
	"add set inet " TABLE " iso6 { type ifname . ipv6_addr; }\n"
	"add chain inet " TABLE " CNI-ADMIN\n"
	"add chain inet " TABLE " admin-jumps\n"
	"add rule inet " TABLE " admin-jumps jump CNI-ADMIN\n"
	"add chain inet " TABLE " forward { type filter hook forward priority filter; policy accept; }\n"
	"add rule inet " TABLE " forward iifname . ip saddr @iso4 oifname . ip daddr @iso4 "
	"iifname . ip daddr != @iso4 drop\n"
	"add rule inet " TABLE " forward iifname . ip6 saddr @iso6 oifname . ip6 daddr @iso6 "
	"iifname . ip6 daddr != @iso6 drop\n"
	"add rule inet " TABLE " forward jump admin-jumps\n"
	"add rule inet " TABLE " forward ip daddr @addr4 ct state related,established accept\n"
	"add rule inet " TABLE " forward ip saddr @addr4 accept\n"
	"add rule inet " TABLE " forward ip6 daddr @addr6 ct state related,established accept\n"
	"add rule inet " TABLE " forward ip6 saddr @addr6 accept\n";

/* --- config ------------------------------------------------------------------ */

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || streq(s, ".") || streq(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] == '/' || s[i] == ':' || s[i] == '"' || s[i] == '\\' ||
		    (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* backend, iptablesAdminChainName, ingressPolicy; when validating, a bad
 * one is recorded and the default kept. */
static int parse_backend(const struct ccni_request *req, struct firewall_conf *c,
			 struct ccni_error *err)
{
	if (!*c->backend)
		c->backend = "nftables";
	if (streq(c->backend, "firewalld"))
		return ccni_conf_error(req, err, CCNI_ERR_UNSUPPORTED_FIELD,
				       "backend: \"firewalld\" is not supported by ccni (use \"nftables\" "
				       "or \"iptables\")");
	if (!streq(c->backend, "nftables") && !streq(c->backend, "iptables"))
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "backend: unrecognized backend \"%.32s\" (\"nftables\" or "
				       "\"iptables\")",
				       c->backend);
	return 0;
}

static int parse_admin(const struct ccni_request *req, struct firewall_conf *c, const char *admin,
		       struct ccni_error *err)
{
	if (!admin || !*admin)
		admin = "CNI-ADMIN";
	if (!iptables_chain_name_ok(admin))
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "iptablesAdminChainName: invalid chain name \"%.64s\" (%s)", admin,
				       IPTABLES_CHAIN_NAME_RULE);
	if (streq(admin, "forward") || streq(admin, "admin-jumps"))
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "iptablesAdminChainName: \"%s\" is a chain of ccni's own table",
				       admin);
	snprintf(c->admin_chain, sizeof(c->admin_chain), "%s", admin);
	return 0;
}

static int parse_policy(const struct ccni_request *req, struct firewall_conf *c,
			const char *policy, struct ccni_error *err)
{
	if (!policy || !*policy || streq(policy, "open"))
		c->same_bridge = false;
	else if (streq(policy, "same-bridge"))
		c->same_bridge = true;
	else if (streq(policy, "isolated"))
		return ccni_conf_error(req, err, CCNI_ERR_UNSUPPORTED_FIELD,
				       "ingressPolicy: \"isolated\" is not supported by ccni (\"open\" or "
				       "\"same-bridge\")");
	else
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "ingressPolicy: unknown ingress policy \"%.32s\" (\"open\" or "
				       "\"same-bridge\")",
				       policy);
	return 0;
}

int firewall_conf_parse(const struct ccni_request *req, struct firewall_conf *c,
			struct ccni_error *err)
{
	json_t *cfg = req->config;
	const char *admin = NULL, *policy = NULL;
	const struct ccni_result *r = req->prev_result;

	memset(c, 0, sizeof(*c));
	c->backend = "nftables";
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "backend", &c->backend, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "iptablesAdminChainName", &admin,
							  err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "firewalldZone", &c->zone, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cfg, "", "ingressPolicy", &policy, err)) < 0)
		return -1;
	if (parse_backend(req, c, err) < 0 || parse_admin(req, c, admin, err) < 0 ||
	    parse_policy(req, c, policy, err) < 0)
		return -1;
	if (!r)
		return 0;
	/* Every address of the previous result, as the reference (no
	 * duplicates: one set element each). */
	for (size_t k = 0; k < r->n_ips; k++) {
		const struct ccni_ipnet *a = &r->ips[k].address;
		bool dup = false;

		for (int i = 0; i < c->n_addrs; i++)
			dup |= ccni_ip_equal(&c->addrs[i].ip, &a->ip);
		if (dup)
			continue;
		if (c->n_addrs == FW_ADDR_MAX)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "prevResult.ips: more than %d addresses", FW_ADDR_MAX);
		c->addrs[c->n_addrs++] = *a;
	}
	/* The bridge: the reference takes the first interface of the result
	 * (where the bridge plugin puts its bridge); a host-side one. */
	if (c->same_bridge) {
		for (size_t k = 0; k < r->n_interfaces; k++) {
			const struct ccni_interface *in = &r->interfaces[k];

			if (in->sandbox && *in->sandbox)
				continue;
			if (!in->name || !ifname_ok(in->name))
				return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
						      "prevResult.interfaces[%zu].name: invalid bridge name "
						      "\"%.32s\"",
						      k, in->name ? in->name : "");
			snprintf(c->bridge, sizeof(c->bridge), "%s", in->name);
			break;
		}
	}
	return 0;
}

/* --- nftables backend ----------------------------------------------------------- */

static void attachment_tag(const struct ccni_request *req, char tag[TAG_MAX])
{
	tag_of(req->name, req->container_id, req->ifname, tag);
}

static void put_ifname(struct nftset_val *v, const char *name)
{
	if (v->len + 16 <= sizeof(v->b)) {
		memset(v->b + v->len, 0, 16);
		memcpy(v->b + v->len, name, strnlen(name, 15));
		v->len += 16;
	}
}

/* The container's elements (room for 2 * FW_ADDR_MAX). */
static int elements(const struct firewall_conf *c, const char *tag, struct nftset_elem *out)
{
	int n = 0;

	for (int i = 0; i < c->n_addrs; i++) {
		bool v6 = c->addrs[i].ip.family == AF_INET6;

		memset(&out[n], 0, sizeof(out[n]));
		out[n].set = v6 ? "addr6" : "addr4";
		nftset_put_ip(&out[n].key, &c->addrs[i].ip);
		out[n++].comment = tag;
		if (!c->same_bridge || !*c->bridge)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].set = v6 ? "iso6" : "iso4";
		put_ifname(&out[n].key, c->bridge);
		nftset_put_ip(&out[n].key, &c->addrs[i].ip);
		out[n++].comment = tag;
	}
	return n;
}

/* A custom admin chain: made, with its jump from admin-jumps (after
 * CNI-ADMIN's), the first time a configuration names it. */
static int ensure_admin(const struct firewall_conf *c, struct ccni_error *err)
{
	char cmd[256];
	int rc;

	if (streq(c->admin_chain, "CNI-ADMIN"))
		return 0;
	rc = nftset_chain_exists(TABLE, c->admin_chain, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	snprintf(cmd, sizeof(cmd),
		 "add chain inet " TABLE " %s\n"
		 "add rule inet " TABLE " admin-jumps jump %s\n",
		 c->admin_chain, c->admin_chain);
	return nftables_run(cmd, false, err);
}

static int retag(const struct nftset_elem *el, int n, const char *tag, struct ccni_error *err)
{
	struct nftset_elem stale[2 * FW_ADDR_MAX];
	int m = 0;

	for (int i = 0; i < n; i++) {
		char cm[256];
		int rc = nftset_elem_get(TABLE, el[i].set, &el[i].key, cm, sizeof(cm), NULL, err);

		if (rc < 0)
			return -1;
		if (rc == 0 && !streq(cm, tag))
			stale[m++] = el[i];
	}
	if (!m)
		return 0;
	if (nftset_elems(NFPROTO_INET, TABLE, false, stale, m, err) < 0 ||
	    nftset_elems(NFPROTO_INET, TABLE, true, stale, m, err) < 0)
		return -1;
	return 0;
}

/* A racing ADD may make the table first: then "create" fails harmlessly. */
static int setup_table(void *arg, struct ccni_error *err)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)arg;
	(void)err;
	nftables_run(setup_script, false, &e);
	ccni_error_clear(&e);
	return 0;
}

static int nft_add(const struct ccni_request *req, const struct firewall_conf *c,
		   struct ccni_error *err)
{
	struct nftset_elem el[2 * FW_ADDR_MAX];
	char tag[TAG_MAX];
	int n;
	struct ccni_error e = CCNI_ERROR_INIT;

	attachment_tag(req, tag);
	n = elements(c, tag, el);
	if (n == 0)
		return 0;
	/* The table is made on first use. */
	if (nftset_add_ensuring(NFPROTO_INET, TABLE, el, n, setup_table, NULL, err) < 0)
		return ccni_error_prefix(err, "firewall");
	/* Adding an element that exists keeps its comment: one left by an
	 * attachment whose DEL never came (the address since given to us)
	 * is taken over, so that our DEL by tag finds it. */
	if (retag(el, n, tag, err) < 0 || ensure_admin(c, err) < 0) {
		nftset_elems(NFPROTO_INET, TABLE, false, el, n, &e);
		ccni_error_clear(&e);
		return ccni_error_prefix(err, "firewall");
	}
	return 0;
}

static int nft_del(const struct ccni_request *req, const struct firewall_conf *c,
		   struct ccni_error *err)
{
	struct nftset_elem el[2 * FW_ADDR_MAX];
	char tag[TAG_MAX];
	int n, missing = 0;
	struct ccni_error e = CCNI_ERROR_INIT;

	attachment_tag(req, tag);
	n = elements(c, NULL, el);
	/* Without the addresses (or the bridge), find what is ours by tag. */
	if (n == 0 || (c->same_bridge && !*c->bridge)) {
		if (nftables_del_by_tag(TABLE, tag, err) < 0)
			return ccni_error_prefix(err, "firewall");
		return 0;
	}
	/* only what is ours: an address may be another attachment's by now */
	if (nftset_del_owned(TABLE, el, n, tag, &missing, &e) == 0 && missing == 0)
		return 0;
	ccni_error_clear(&e);
	/* Something was already gone (or is someone else's): remove what is
	 * left of ours, by tag. */
	if (nftables_del_by_tag(TABLE, tag, err) < 0)
		return ccni_error_prefix(err, "firewall");
	return 0;
}

static bool stale_comment(const char *comment, void *arg)
{
	const struct ccni_request *req = arg;

	return tag_is_stale(comment, req->name, req->valid_attachments);
}

/* CHECK: every element there, and ours (by its tag); one netlink lookup
 * each, whatever the size of the sets. */
static int nft_check(const struct ccni_request *req, const struct firewall_conf *c,
		     struct ccni_error *err)
{
	struct nftset_elem el[2 * FW_ADDR_MAX];
	char tag[TAG_MAX];
	int n;

	attachment_tag(req, tag);
	n = elements(c, tag, el);
	for (int i = 0; i < n; i++) {
		char cm[256], a[CCNI_IP_STRLEN];
		int rc = nftset_elem_get(TABLE, el[i].set, &el[i].key, cm, sizeof(cm), NULL, err);
		const struct ccni_ip *ip = &c->addrs[i / (c->same_bridge && *c->bridge ? 2 : 1)].ip;
		bool iso = el[i].set[0] == 'i';

		if (rc < 0)
			return ccni_error_prefix(err, "firewall");
		ccni_ip_format(ip, a);
		if (rc > 0)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "firewall: %s%s%s is not in set %s of table inet " TABLE, a,
					      iso ? " on bridge " : "", iso ? c->bridge : "", el[i].set);
		if (!streq(cm, tag))
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "firewall: %s in set %s of table inet " TABLE
					      " belongs to \"%.128s\", not \"%s\"",
					      a, el[i].set, cm, tag);
	}
	return 0;
}

/* --- the verbs ---------------------------------------------------------------------- */

static void note_zone(const struct firewall_conf *c)
{
	if (c->zone && *c->zone)
		fprintf(stderr, "firewall: firewalldZone \"%.64s\" ignored (no firewalld backend)\n",
			c->zone);
}

static int fw_add(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct firewall_conf c;

	if (firewall_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "firewall: missing prevResult from earlier plugin");
	if (c.same_bridge && !*c.bridge)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ingressPolicy: \"same-bridge\" needs the bridge in "
				      "prevResult.interfaces: chain \"firewall\" after \"bridge\"");
	note_zone(&c);
	*out = ccni_result_copy(req->prev_result);
	if (!*out)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if ((streq(c.backend, "iptables") ? firewall_ipt_add(&c, err) : nft_add(req, &c, err)) < 0) {
		ccni_result_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int fw_del(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct firewall_conf c;

	(void)out;
	if (firewall_conf_parse(req, &c, err) < 0)
		return -1;
	if (streq(c.backend, "iptables"))
		return firewall_ipt_del(&c, err);
	return nft_del(req, &c, err);
}

static int fw_check(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	struct firewall_conf c;

	(void)out;
	if (firewall_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "firewall: missing prevResult from earlier plugin");
	if (streq(c.backend, "iptables"))
		return firewall_ipt_check(&c, err);
	return nft_check(req, &c, err);
}

/* GC: the nftables elements of the network's attachments that are not
 * valid. The iptables backend's rules name addresses only: not collected. */
static int fw_gc(const struct ccni_request *req, struct ccni_result **out,
		 struct ccni_error *err)
{
	struct firewall_conf c;

	(void)out;
	if (firewall_conf_parse(req, &c, err) < 0)
		return -1;
	if (streq(c.backend, "iptables"))
		return 0;
	if (nftables_del_where("inet", TABLE, stale_comment, (void *)req, err) < 0)
		return ccni_error_prefix(err, "firewall");
	return 0;
}

/* REAPPLY: the elements again (an element still there keeps its tag; one
 * someone else's is taken over, as ADD does). The iptables backend's rules
 * would be doubled: not reapplied. */
static int fw_reapply(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	struct firewall_conf c;

	(void)out;
	if (firewall_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "firewall: missing prevResult from earlier plugin");
	if (streq(c.backend, "iptables") || (c.same_bridge && !*c.bridge))
		return 0;
	return nft_add(req, &c, err);
}

/* `ccni validate`: its keys, and the parser above. */
static const char *const firewall_keys[] = {
	"backend", "iptablesAdminChainName", "firewalldZone", "ingressPolicy", NULL,
};

static int firewall_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct firewall_conf c;

	return firewall_conf_parse(req, &c, err);
}

const struct ccni_plugin plugin_firewall = {
	.name = "firewall",
	.about = "ccni firewall: forward-path access for container addresses (nftables sets)",
	.add = fw_add,
	.del = fw_del,
	.check = fw_check,
	.gc = fw_gc,
	.reapply = fw_reapply,
	.validate = firewall_validate,
	.keys = firewall_keys,
};
