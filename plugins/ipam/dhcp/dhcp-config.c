/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-config.c — the ipam object of a dhcp network: daemonSocketPath,
 * request (skipDefault, option), provide (option, value, fromArg) and
 * priority, as the reference reads them, resolved to option codes and
 * bytes. Nothing here talks to the daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp.h"

/* dhcp-options(5) names. The reference knows six of them (client
 * identifier, subnet mask, routers, host name, user class, vendor class);
 * the rest are the ones a container's network can use. */
static const struct {
	const char *name;
	uint8_t code;
} option_names[] = {
	{ "subnet-mask", 1 },
	{ "time-offset", 2 },
	{ "routers", 3 },
	{ "domain-name-servers", 6 },
	{ "host-name", 12 },
	{ "domain-name", 15 },
	{ "interface-mtu", 26 },
	{ "broadcast-address", 28 },
	{ "static-routes", 33 },
	{ "ntp-servers", 42 },
	{ "vendor-encapsulated-options", 43 },
	{ "dhcp-lease-time", 51 },
	{ "dhcp-renewal-time", 58 },
	{ "dhcp-rebinding-time", 59 },
	{ "vendor-class-identifier", 60 },
	{ "dhcp-client-identifier", 61 },
	{ "user-class", 77 },
	{ "domain-search", 119 },
	{ "classless-static-routes", 121 },
};

/* The reference asks for routers and subnet mask; ccni also asks for what
 * the result can carry (DNS, classless and static routes), so a server
 * that has them is heard. skipDefault drops the list, as the reference. */
static const uint8_t default_request[] = { 3, 1, 121, 33, 6, 15, 119 };

int dhcp_option_code(const char *name, uint8_t *code)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < ARRAY_SIZE(option_names); i++)
		if (streq(option_names[i].name, name)) {
			*code = option_names[i].code;
			return 0;
		}
	if (!*name || strspn(name, "0123456789") != strlen(name))
		return -1;
	v = strtoul(name, &end, 10);
	/* 0 and 255 are the pad and end markers, not options */
	if (*end || v == 0 || v > 254)
		return -1;
	*code = (uint8_t)v;
	return 0;
}

/* "option": a name or a number, as a string (the reference) or a JSON
 * number. */
static int option_of(json_t *o, const char *where, uint8_t *code, bool *present,
		     struct ccni_error *err)
{
	json_t *v = json_object_get(o, "option");
	char buf[64], num[16];
	const char *s;

	*present = v && !json_is_null(v);
	if (!*present)
		return 0;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s.option: expected a name or a number, got %s", where,
				      ccni_json_brief(v, buf, sizeof(buf)));
	}
	if (!*s) {
		*present = false;
		return 0;
	}
	if (dhcp_option_code(s, code) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s.option: \"%.64s\" is not a DHCP option (a dhcp-options(5) "
				      "name such as \"host-name\", or a number 1-254)",
				      where, s);
	return 0;
}

static void request_add(struct dhcp_conf *c, uint8_t code)
{
	for (int i = 0; i < c->n_request; i++)
		if (c->request[i] == code)
			return;
	if (c->n_request < DHCP_MAX_REQUEST)
		c->request[c->n_request++] = code;
}

static int parse_request(json_t *ipam, struct dhcp_conf *c, struct ccni_error *err)
{
	json_t *list = json_object_get(ipam, "request"), *o;
	bool skip = false;
	size_t i;

	if (list && !json_is_null(list) && !json_is_array(list))
		return ccni_json_type_error(list, "ipam.request", "a list", err);
	if (json_array_size(list) > DHCP_MAX_REQUEST)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam.request: %zu entries, at most %d", json_array_size(list),
				      DHCP_MAX_REQUEST);
	json_array_foreach(list, i, o) {
		char where[48];
		bool s = false, present;
		uint8_t code;

		snprintf(where, sizeof(where), "ipam.request[%zu]", i);
		if (!json_is_object(o))
			return ccni_json_type_error(o, where, "an object", err);
		if (ccni_json_get_bool(o, where, "skipDefault", &s, err) < 0 ||
		    option_of(o, where, &code, &present, err) < 0)
			return -1;
		skip = skip || s;
		if (present)
			request_add(c, code);
	}
	if (!skip)
		for (size_t k = 0; k < ARRAY_SIZE(default_request); k++)
			request_add(c, default_request[k]);
	return 0;
}

/* A provided option replaces an earlier one of the same code (the
 * reference updates its option set). */
static int provide_put(struct dhcp_conf *c, uint8_t code, const char *value, const char *where,
		       struct ccni_error *err)
{
	size_t len = strlen(value);
	int i;

	if (len > 255)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: value of %zu bytes for option %u, at most 255", where, len,
				      code);
	for (i = 0; i < c->n_provide && c->provide[i].code != code; i++)
		;
	if (i == DHCP_MAX_PROVIDE)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "ipam.provide: more than %d distinct options", DHCP_MAX_PROVIDE);
	if (i == c->n_provide)
		c->n_provide++;
	c->provide[i].code = code;
	c->provide[i].len = (uint8_t)len;
	memcpy(c->provide[i].data, value, len);
	return 0;
}

static int parse_provide(const struct ccni_request *req, json_t *ipam, struct dhcp_conf *c,
			 struct ccni_error *err)
{
	json_t *list = json_object_get(ipam, "provide"), *o;
	size_t i;

	if (list && !json_is_null(list) && !json_is_array(list))
		return ccni_json_type_error(list, "ipam.provide", "a list", err);
	if (json_array_size(list) > 4 * DHCP_MAX_PROVIDE)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "ipam.provide: %zu entries",
				      json_array_size(list));
	json_array_foreach(list, i, o) {
		char where[48];
		const char *value = NULL, *arg = NULL, *from;
		bool present;
		uint8_t code;

		snprintf(where, sizeof(where), "ipam.provide[%zu]", i);
		if (!json_is_object(o))
			return ccni_json_type_error(o, where, "an object", err);
		if (option_of(o, where, &code, &present, err) < 0 ||
		    ccni_json_get_string(o, where, "value", &value, err) < 0 ||
		    ccni_json_get_string(o, where, "fromArg", &arg, err) < 0)
			return -1;
		if (!present) /* as the reference */
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s.option: missing",
					      where);
		if (value && *value && provide_put(c, code, value, where, err) < 0)
			return -1;
		/* fromArg: from CNI_ARGS when the runtime passed it; else nothing */
		from = arg && *arg ? ccni_args_get(&req->args, arg) : NULL;
		if (from) {
			snprintf(where, sizeof(where), "CNI_ARGS %.32s", arg);
			if (provide_put(c, code, from, where, err) < 0)
				return -1;
		}
	}
	return 0;
}

int dhcp_conf_parse(const struct ccni_request *req, struct dhcp_conf *c, struct ccni_error *err)
{
	json_t *ipam = json_object_get(req->config, "ipam");
	const char *sock = NULL;
	long long prio = 0;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(ipam))
		return ccni_json_type_error(ipam, "ipam", "an object", err);
	/* each part on its own: validation reports every bad one */
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(ipam, "ipam", "daemonSocketPath", &sock,
							  err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(ipam, "ipam", "priority", 0, UINT32_MAX, &prio,
						       err)) < 0)
		return -1;
	if (!sock || !*sock)
		sock = DHCP_SOCKET_DEFAULT;
	if (sock[0] != '/' &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "ipam.daemonSocketPath: \"%.200s\" is not an absolute path", sock) < 0)
		return -1;
	/* room for P.lock and the lease files under P.d/ */
	if (strlen(sock) >= DHCP_PATH_MAX &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "ipam.daemonSocketPath: \"%.200s\" is longer than %d bytes", sock,
			    DHCP_PATH_MAX - 1) < 0)
		return -1;
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", sock);
	c->priority = (uint32_t)prio;
	if (CCNI_CONF_TRY(req, err, parse_request(ipam, c, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, parse_provide(req, ipam, c, err)) < 0)
		return -1;
	return 0;
}

/* `ccni validate`: its keys, and the parser above. */
const char *const dhcp_keys[] = {
	"ipam.type", "ipam.daemonSocketPath", "ipam.priority", "ipam.request[].skipDefault",
	"ipam.request[].option", "ipam.provide[].option", "ipam.provide[].value",
	"ipam.provide[].fromArg", NULL,
};

int dhcp_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct dhcp_conf c;

	return dhcp_conf_parse(req, &c, err);
}

size_t dhcp_client_id(const char *id, const char *network, const char *ifname, uint8_t out[255])
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s/%s/%s", id, network, ifname);
	size_t len = n < 0 ? 0 : (size_t)n > 254 ? 254 : (size_t)n;

	/* RFC 2132: a type byte (0: not a hardware address), then the id;
	 * the reference cuts the id at 254 bytes */
	out[0] = 0;
	memcpy(out + 1, buf, len);
	return 1 + len;
}
