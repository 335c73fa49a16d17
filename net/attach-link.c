/* SPDX-License-Identifier: Apache-2.0 */
/* attach-link.c — see attach-link.h. */
#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>

#include "net/attach-link.h"
#include "net/netlink.h"
#include "net/route.h"

/* --- the config -------------------------------------------------------------------- */

/* "master": a valid interface name, required or not. */
static int get_master(const struct ccni_request *req, struct attach_link *l, bool required,
		      struct ccni_error *err)
{
	if (ccni_json_get_string(req->config, "", "master", &l->master, err) < 0)
		return -1;
	if (l->master && !*l->master)
		l->master = NULL;
	if (!l->master && required)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "master: missing (the name of the interface to make the link "
				      "on)");
	if (l->master && !ccni_ifname_valid(l->master))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "master: invalid interface name \"%.32s\"", l->master);
	return 0;
}

int attach_link_parse_master(const struct ccni_request *req, struct attach_link *l,
			     bool required, struct ccni_error *err)
{
	json_t *c = req->config;
	long long mtu = 0;

	if (CCNI_CONF_TRY(req, err, get_master(req, l, required, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_bool(c, "", "linkInContainer", &l->in_container,
							err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(c, "", "mtu", 0, 65535, &mtu, err)) < 0)
		return -1;
	if (mtu && mtu < 68 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG, "mtu: %lld is below the minimum of 68",
			    mtu) < 0)
		return -1;
	l->mtu = mtu >= 68 ? (unsigned)mtu : 0;
	return 0;
}

int attach_link_parse_ipam(const struct ccni_request *req, struct attach_link *l, bool optional,
			   struct ccni_error *err)
{
	l->attach.ipam_type = NULL;
	return optional ? ccni_request_ipam_type_optional(req, &l->attach.ipam_type, err) :
			  ccni_request_ipam_type(req, &l->attach.ipam_type, err);
}

/* One MAC source: *mac when it has a non-empty value. */
static int mac_from(const char *value, const char *where, struct attach_link *l,
		    struct ccni_error *err)
{
	if (!value || !*value)
		return 0;
	if (ccni_mac_parse(value, l->mac) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: invalid MAC address \"%.32s\"",
				      where, value);
	l->have_mac = true;
	return 0;
}

int attach_link_parse_mac(const struct ccni_request *req, struct attach_link *l,
			  struct ccni_error *err)
{
	static const char *const known_args[] = { "MAC", NULL };
	const char *conf = NULL, *rt = NULL;

	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(req->config, "", "mac", &conf, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(req->runtime_config, "runtimeConfig", "mac",
							  &rt, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, mac_from(conf, "mac", l, err)) < 0)
		return -1;
	/* CNI_ARGS are read where the reference reads them: ADD and CHECK. */
	if (req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK)
		if (CCNI_CONF_TRY(req, err, ccni_args_check_known(&req->args, known_args, err)) < 0 ||
		    CCNI_CONF_TRY(req, err, mac_from(ccni_args_get(&req->args, "MAC"), "CNI_ARGS MAC",
						      l, err)) < 0)
			return -1;
	return CCNI_CONF_TRY(req, err, mac_from(rt, "runtimeConfig.mac", l, err));
}

/* --- ADD: the master and the link ---------------------------------------------------- */

static const char *where(const struct attach_link *l)
{
	return l->in_container ? "the container's namespace" : "the host namespace";
}

/* A chained plugin's master: prevResult's one named interface. */
static int master_of_prev(const struct ccni_request *req, const char **name,
			  struct ccni_error *err)
{
	const struct ccni_result *pr = req->prev_result;

	if (pr->n_interfaces != 1 || !pr->interfaces[0].name || !*pr->interfaces[0].name)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "master: not given, and prevResult has %zu interfaces (a chained "
				      "link takes the one named interface of prevResult as its master)",
				      pr->n_interfaces);
	if (!ccni_ifname_valid(pr->interfaces[0].name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "master: prevResult's interface \"%.32s\" is not a valid "
				      "interface name",
				      pr->interfaces[0].name);
	*name = pr->interfaces[0].name;
	return 0;
}

static int find_master(struct attach *a, const struct attach_link *l, struct link *m,
		       struct ccni_error *err)
{
	struct nl_sock *sk = l->in_container ? a->ns.ct : a->ns.host;
	const char *name = l->master;
	int rc, idx = 0;

	if (!name && l->master_from_prev && a->req->prev_result &&
	    master_of_prev(a->req, &name, err) < 0)
		return -1;
	if (!name) {
		if ((idx = route_default_oif(sk, err)) < 0)
			return -1;
		if (!idx)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "master: not given, and %s has no default route to take "
					      "its interface from",
					      where(l));
	}
	rc = link_get(sk, name, idx, m, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "master: no interface \"%s\" in %s",
				      name ? name : "(of the default route)", where(l));
	if (l->mtu > m->mtu)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "mtu: %u is above the MTU of master %s (%u)", l->mtu, m->name,
				      m->mtu);
	return 0;
}

/* Is name taken in sk's namespace? */
static bool taken(struct nl_sock *sk, const char *name)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link l;
	int rc = link_get(sk, name, 0, &l, &e);

	ccni_error_clear(&e);
	return rc == 0;
}

/* The link, made under `name` in the container: from the master's
 * namespace (the host's) with IFLA_NET_NS_FD under a random name, or
 * inside the container (in_ct). A random name found taken is drawn again,
 * a few times; EEXIST for anything else (a VLAN id already used on the
 * master) is the kernel's answer. */
static int create(struct attach *a, struct attach_link *l, const struct link *m, bool in_ct,
		  char name[LINK_NAME_MAX], struct ccni_error *err)
{
	struct nl_sock *sk = in_ct ? a->ns.ct : a->ns.host;
	struct link_spec s = {
		.name = name,
		.kind = l->kind->kind,
		.parent = m ? m->ifindex : 0,
		.netns_fd = in_ct ? 0 : a->ns.nsfd,
		.mtu = l->mtu,
		.mac = l->have_mac ? l->mac : NULL,
		.put_data = l->kind->put_data,
		.data = &l->data,
	};

	for (int attempt = 0;; attempt++) {
		if (!in_ct)
			link_random_name("ccni", name);
		if (link_create(sk, &s, err) == 0)
			return 0;
		if (in_ct || err->errnum != EEXIST || attempt == 3 || !taken(sk, name))
			return m ? ccni_error_prefix(err, "master %s", m->name) : -1;
		ccni_error_clear(err);
	}
}

/* The container's link, named CNI_IFNAME, read back into *cv. */
static int make_link(struct attach *a, struct attach_link *l, struct link *cv,
		     struct ccni_error *err)
{
	const char *ifname = a->req->ifname;
	struct link m;
	/* Made inside the container when its master is there (or it has
	 * none): the name is looked up there, where it is free. */
	bool in_ct = l->in_container || !l->kind->on_master;
	char name[LINK_NAME_MAX];
	int rc;

	if (l->kind->on_master && find_master(a, l, &m, err) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s", ifname);
	if (create(a, l, l->kind->on_master ? &m : NULL, in_ct, name, err) < 0)
		return -1;
	/* ours from here: undo deletes it by this name until its index is known */
	snprintf(l->made_name, sizeof(l->made_name), "%s", name);
	rc = link_get(a->ns.ct, l->made_name, 0, cv, err);
	if (rc != 0)
		return rc < 0 ? -1 :
		       ccni_error_set(err, CCNI_ERR_NETLINK, "%s link %s: not found after creation",
				      l->kind->kind, l->made_name);
	l->made = cv->ifindex;
	if (!in_ct) {
		if (link_set(a->ns.ct, cv->ifindex, &(struct link_change){ .name = ifname }, err) < 0)
			return -1;
		snprintf(cv->name, sizeof(cv->name), "%s", ifname);
	}
	return 0;
}

/* --- ADD: the container's side ------------------------------------------------------- */

int attach_link_add(struct attach *a, void *self, struct ccni_error *err)
{
	struct attach_link *l = &((struct attach_link_plugin *)self)->l;
	const struct ccni_result *pr = a->req->prev_result;
	struct link cv;
	char mac[18];

	if (make_link(a, l, &cv, err) < 0)
		return -1;
	if (ccni_result_add_interface(a->r, cv.name, ccni_mac_format(cv.mac, mac), a->req->netns) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (l->attach.ipam_type) {
		if (attach_ipam(a, 0, err) < 0)
			return -1;
	} else if (l->ips_from_prev && pr && pr->n_ips) {
		if (attach_take(a, pr, 0, err) < 0)
			return -1;
	}
	return attach_configure(a, cv.ifindex, l->kind->announce, err);
}

void attach_link_undo(struct attach *a, void *self)
{
	struct attach_link *l = &((struct attach_link_plugin *)self)->l;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (l->made)
		link_del(a->ns.ct, l->made, &e);
	else if (l->made_name[0]) /* made, but never read back */
		link_del_named(a->ns.ct, l->made_name, &e);
	ccni_error_clear(&e);
}

/* --- DEL and CHECK ------------------------------------------------------------------- */

/* Whatever CNI_IFNAME is, as the reference; gone with its namespace when
 * that is gone. Returns once the container no longer lists it. */
int attach_link_del(const struct ccni_request *req, struct attach_found *f, void *self,
		    struct ccni_error *err)
{
	(void)req;
	(void)self;
	if (!f->have_link)
		return 0;
	return link_del_unwaited_in(f->ct, f->link.ifindex, f->link.ifindex, f->nsfd, err);
}

int attach_link_mode_differs(const struct link *cv, const char *have, const char *want,
			     struct ccni_error *err)
{
	return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
			      "interface %s: %s mode %s, the config's mode is %s", cv->name, cv->kind,
			      have ? have : "unknown", want);
}

int attach_link_check(struct netlink_pair *ns, const struct link *cv, void *self,
		      struct ccni_error *err)
{
	const struct attach_link *l = &((struct attach_link_plugin *)self)->l;
	struct link m;
	int rc = 0;

	if (l->kind->on_master && l->master) {
		rc = link_get(l->in_container ? ns->ct : ns->host, l->master, 0, &m, err);
		if (rc > 0)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "master: no interface \"%s\" in %s", l->master, where(l));
	} else if (l->kind->on_master && cv->parent <= 0) {
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "interface %s: it has no lower device", cv->name);
	}
	if (rc < 0)
		return -1;
	return l->kind->check ? l->kind->check(ns->ct, cv, l, err) : 0;
}
