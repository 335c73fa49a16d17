/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge-conf.c — the bridge plugin's configuration, as the reference reads
 * it: every key, its default and its checks, in the one parser that ADD,
 * DEL, CHECK and `ccni validate` run (validation goes on after each
 * problem, a verb stops at the first); the keys it knows, and the bridge's
 * name as a fact for the checks across networks (one bridge, one subnet).
 */
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/attach-conf.h"
#include "plugins/main/bridge/bridge.h"

/* A boolean key; when validating, a bad one is recorded and parsing goes on. */
static int get_bool(const struct ccni_request *req, const char *key, bool *out,
		    struct ccni_error *err)
{
	return CCNI_CONF_TRY(req, err, ccni_json_get_bool(req->config, "", key, out, err));
}

static int parse_trunk_entry(const struct ccni_request *req, json_t *t, const char *w,
			     bool want[4095], struct ccni_error *err)
{
	long long lo = 0, hi = 0, id = 0;
	bool has_lo = json_object_get(t, "minID") != NULL, has_hi = json_object_get(t, "maxID") != NULL;

	if (!json_is_object(t))
		return CCNI_CONF_TRY(req, err, ccni_json_type_error(t, w, "an object", err));
	if (CCNI_CONF_TRY(req, err, ccni_json_get_int(t, w, "minID", 1, 4094, &lo, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(t, w, "maxID", 1, 4094, &hi, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(t, w, "id", 1, 4094, &id, err)) < 0)
		return -1;
	if (has_lo != has_hi)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "%s: minID and maxID go together (%s is missing)", w,
				       has_lo ? "maxID" : "minID");
	if (has_lo && hi < lo)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "%s: minID %lld is greater than maxID %lld", w, lo, hi);
	for (long long v = lo; has_lo && lo && v <= hi; v++)
		want[v] = true;
	if (id)
		want[id] = true;
	return 0;
}

static int parse_trunk(const struct ccni_request *req, json_t *arr, struct bridge_conf *b,
		       struct ccni_error *err)
{
	size_t i;
	json_t *t;
	bool want[4095] = { false };

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return CCNI_CONF_TRY(req, err, ccni_json_type_error(arr, "vlanTrunk", "an array", err));
	json_array_foreach(arr, i, t) {
		char w[32];

		snprintf(w, sizeof(w), "vlanTrunk[%zu]", i);
		if (parse_trunk_entry(req, t, w, want, err) < 0)
			return -1;
	}
	for (int v = 1; v <= 4094; v++)
		if (want[v]) {
			if (b->n_trunk == BRIDGE_MAX_TRUNK)
				return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
						       "vlanTrunk: more than %d VLAN ranges",
						       BRIDGE_MAX_TRUNK);
			if (b->n_trunk && b->trunk[b->n_trunk - 1][1] == v - 1)
				b->trunk[b->n_trunk - 1][1] = (uint16_t)v;
			else {
				b->trunk[b->n_trunk][0] = b->trunk[b->n_trunk][1] = (uint16_t)v;
				b->n_trunk++;
			}
		}
	return 0;
}

/* The container's MAC: CNI_ARGS MAC, args.cni.mac, runtimeConfig.mac (the
 * later one wins, as in the reference). */
static int parse_mac(const struct ccni_request *req, struct bridge_conf *b,
		     struct ccni_error *err)
{
	static const char *const known_args[] = { "MAC", NULL };
	const char *mac, *m_args = NULL, *m_rt = NULL, *from = "CNI_ARGS MAC";

	if (ccni_args_check_known(&req->args, known_args, err) < 0)
		return -1;
	mac = ccni_args_get(&req->args, "MAC");
	if (ccni_json_get_string(req->cni_args, "args.cni", "mac", &m_args, err) < 0 ||
	    ccni_json_get_string(req->runtime_config, "runtimeConfig", "mac", &m_rt, err) < 0)
		return -1;
	/* An empty value does not override an earlier source. */
	if (m_args && *m_args)
		mac = m_args, from = "args.cni.mac";
	if (m_rt && *m_rt)
		mac = m_rt, from = "runtimeConfig.mac";
	if (mac && *mac) {
		if (ccni_mac_parse(mac, b->mac) < 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: invalid MAC address \"%.32s\"", from, mac);
		b->has_mac = true;
	}
	return 0;
}

/* ipam is optional: without it (or with an empty type, as the reference)
 * the bridge gives layer 2 only. */
static int parse_ipam(const struct ccni_request *req, struct bridge_conf *b,
		      struct ccni_error *err)
{
	return ccni_request_ipam_type_optional(req, &b->ipam_type, err);
}

/* Every key, with a problem recorded and the default kept when validating
 * (so one run of `ccni validate` reports them all). */
int bridge_conf_parse(const struct ccni_request *req, struct bridge_conf *b,
		      struct ccni_error *err)
{
	json_t *c = req->config;
	struct attach_common common;
	long long v;

	memset(b, 0, sizeof(*b));
	b->bridge = "cni0";
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(c, "", "bridge", &b->bridge, err)) < 0 ||
	    get_bool(req, "isGateway", &b->is_gw, err) < 0 ||
	    get_bool(req, "isDefaultGateway", &b->is_default_gw, err) < 0 ||
	    get_bool(req, "forceAddress", &b->force_address, err) < 0 ||
	    attach_conf_common(req, &common, err) < 0 ||
	    get_bool(req, "hairpinMode", &b->hairpin, err) < 0 ||
	    get_bool(req, "promiscMode", &b->promisc, err) < 0 ||
	    get_bool(req, "preserveDefaultVlan", &b->preserve_default_vlan, err) < 0 ||
	    get_bool(req, "macspoofchk", &b->macspoofchk, err) < 0 ||
	    get_bool(req, "enabledad", &b->enable_dad, err) < 0 ||
	    get_bool(req, "disableContainerInterface", &b->disable_container_if, err) < 0 ||
	    get_bool(req, "portIsolation", &b->port_isolation, err) < 0)
		return -1;
	if (!*b->bridge)
		b->bridge = "cni0";
	if (!ccni_ifname_valid(b->bridge) &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "bridge: invalid interface name \"%.32s\" (1 to 15 bytes, no '/', "
			    "':' or spaces)",
			    b->bridge) < 0)
		return -1;
	b->ipmasq = common.ipmasq;
	b->ipmasq_backend = common.masq_backend;
	b->mtu = common.mtu;
	v = 0;
	if (ccni_json_get_int(c, "", "vlan", 0, 4094, &v, err) < 0 &&
	    CCNI_CONF_TRY(req, err, ccni_error_prefix(err, "invalid VLAN ID")) < 0)
		return -1;
	b->vlan = (uint16_t)v;
	if (CCNI_CONF_TRY(req, err, parse_trunk(req, json_object_get(c, "vlanTrunk"), b, err)) < 0)
		return -1;
	if (b->is_default_gw)
		b->is_gw = true;
	if (b->hairpin && b->promisc &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "promiscMode: hairpinMode and promiscMode cannot both be set") < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, parse_ipam(req, b, err)) < 0)
		return -1;
	if (b->ipam_type && b->disable_container_if &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "disableContainerInterface: cannot be used with ipam") < 0)
		return -1;
	if ((req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK) &&
	    CCNI_CONF_TRY(req, err, parse_mac(req, b, err)) < 0)
		return -1;
	b->attach = (struct attach_conf){ .ipam_type = b->ipam_type,
					  .ipmasq = b->ipam_type && b->ipmasq,
					  .masq_backend = b->ipmasq_backend };
	return 0;
}

const char *const bridge_keys[] = {
	"bridge", "isGateway", "isDefaultGateway", "forceAddress", "ipMasq", "ipMasqBackend",
	"mtu", "hairpinMode", "promiscMode", "vlan", "vlanTrunk[].minID", "vlanTrunk[].maxID",
	"vlanTrunk[].id", "preserveDefaultVlan", "macspoofchk", "enabledad",
	"disableContainerInterface", "portIsolation", "ipam.type", NULL,
};

void bridge_facts(const struct ccni_request *req, const void *conf)
{
	const struct bridge_conf *b = conf;

	ccni_conf_fact(req, "bridge", json_string(b->bridge));
}
