/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz what every plugin reads of a request: the config (its own keys,
 * runtimeConfig, args.cni, prevResult, cni.dev/valid-attachments) and
 * CNI_ARGS, through the SDK's own request path (ccni_plugin_run: the
 * environment, stdin, version checks, prevResult's decoding, the error or
 * result JSON) into each plugin's config parser. No kernel work: the verbs
 * here parse and stop.
 *
 * An input is text:
 *   PLUGIN\nCOMMAND\nCNI_ARGS\nCONFIG
 * PLUGIN names one of the parsers below (anything else: the first byte
 * picks one), COMMAND is ADD, DEL, CHECK, GC or STATUS (anything else:
 * ADD). Invariants: a failed parse sets a CNI code and a message; nothing
 * leaks or reads out of bounds (ASan), nothing is undefined (UBSan).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "plugins/ipam/dhcp/dhcp.h"
#include "plugins/ipam/host-local/hl.h"
#include "plugins/ipam/static/static.h"
#include "plugins/main/bridge/bridge.h"
#include "plugins/main/dummy/dummy.h"
#include "plugins/main/host-device/hd.h"
#include "plugins/main/ipvlan/ipvlan.h"
#include "plugins/main/macvlan/macvlan.h"
#include "plugins/main/ptp/ptp.h"
#include "plugins/main/tap/tap.h"
#include "plugins/main/vlan/vlan.h"
#include "plugins/meta/bandwidth/bandwidth.h"
#include "plugins/meta/firewall/firewall.h"
#include "plugins/meta/portmap/portmap.h"
#include "plugins/meta/sbr/sbr.h"
#include "plugins/meta/tuning/tuning.h"
#include "plugins/meta/vrf/vrf.h"

static int p_bridge(const struct ccni_request *q, struct ccni_error *e)
{
	struct bridge_conf c;

	return bridge_conf_parse(q, &c, e);
}

static int p_ptp(const struct ccni_request *q, struct ccni_error *e)
{
	struct ptp_conf c;

	return ptp_conf_parse(q, &c, e);
}

static int p_host_local(const struct ccni_request *q, struct ccni_error *e)
{
	struct hl_config c;
	int rc = hl_config_parse(q, &c, e);

	hl_config_free(&c);
	return rc;
}

static int p_static(const struct ccni_request *q, struct ccni_error *e)
{
	struct ccni_result *r = NULL;
	int rc = static_conf_parse(q, &r, e);

	ccni_result_free(r);
	return rc;
}

static int p_dhcp(const struct ccni_request *q, struct ccni_error *e)
{
	struct dhcp_conf c;

	return dhcp_conf_parse(q, &c, e);
}

static int p_portmap(const struct ccni_request *q, struct ccni_error *e)
{
	static struct portmap_conf c;

	return portmap_conf_parse(q, &c, e);
}

static int p_firewall(const struct ccni_request *q, struct ccni_error *e)
{
	struct firewall_conf c;

	return firewall_conf_parse(q, &c, e);
}

static int p_bandwidth(const struct ccni_request *q, struct ccni_error *e)
{
	struct bandwidth_limits c;

	return bandwidth_conf_parse(q, &c, e);
}

static int p_tuning(const struct ccni_request *q, struct ccni_error *e)
{
	struct tuning_conf c;
	int rc = tuning_conf_parse(q, &c, e);

	tuning_conf_clear(&c); /* also after a failure, as its callers do */
	return rc;
}

static int p_sbr(const struct ccni_request *q, struct ccni_error *e)
{
	struct sbr_conf c;

	return sbr_conf_parse(q, &c, e);
}

/* The one-link plugins share struct attach_link. */
#define LINK_PARSER(id)                                                          \
	static int p_##id(const struct ccni_request *q, struct ccni_error *e)     \
	{                                                                         \
		struct attach_link l;                                             \
                                                                                  \
		return id##_conf_parse(q, &l, e);                                 \
	}
LINK_PARSER(macvlan)
LINK_PARSER(ipvlan)
LINK_PARSER(vlan)
LINK_PARSER(dummy)

/* host-device's ADD and CHECK also read /sys (of the device names the
 * input gives, which its parser has bounded to sysfs names). */
static int p_host_device(const struct ccni_request *q, struct ccni_error *e)
{
	struct hd_conf c;

	return hd_conf_parse(q, &c, e);
}

static int p_tap(const struct ccni_request *q, struct ccni_error *e)
{
	struct tap_conf c;

	return tap_conf_parse(q, &c, e);
}

static int p_vrf(const struct ccni_request *q, struct ccni_error *e)
{
	struct vrf_conf c;

	return vrf_conf_parse(q, &c, e);
}

/* A plugin added to ccni gets a line here and a seed in the corpus. */
static const struct {
	const char *name;
	int (*parse)(const struct ccni_request *q, struct ccni_error *e);
} parsers[] = {
	{ "bridge", p_bridge },	      { "ptp", p_ptp },		  { "host-local", p_host_local },
	{ "portmap", p_portmap },     { "firewall", p_firewall }, { "bandwidth", p_bandwidth },
	{ "tuning", p_tuning },	      { "sbr", p_sbr },		  { "static", p_static },
	{ "dhcp", p_dhcp },	      { "macvlan", p_macvlan },	  { "ipvlan", p_ipvlan },
	{ "vlan", p_vlan },	      { "dummy", p_dummy },	  { "host-device", p_host_device },
	{ "tap", p_tap },	      { "vrf", p_vrf },
};
#define N_PARSERS (sizeof(parsers) / sizeof(parsers[0]))

static int (*current)(const struct ccni_request *q, struct ccni_error *e);

static int verb(const struct ccni_request *q, struct ccni_result **out, struct ccni_error *e)
{
	if (current(q, e) < 0) {
		if (!e->code || !e->msg)
			abort();
		return -1;
	}
	/* ADD must give a result: prevResult's, or an empty one, so that the
	 * SDK's encoding runs too */
	if (q->command == CCNI_CMD_ADD)
		*out = q->prev_result ? ccni_result_copy(q->prev_result) :
					ccni_result_new(q->cni_version);
	return 0;
}

static const struct ccni_plugin fuzz_plugin = {
	.name = "fuzz", .add = verb, .del = verb, .check = verb, .gc = verb, .status = verb,
};

/* The next line of [*p, end) as a string in buf (cut to its size). */
static const char *line(const uint8_t **p, const uint8_t *end, char *buf, size_t len)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);

	if (n >= len)
		n = len - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl ? nl + 1 : end;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	const uint8_t *p = data, *end = data + size;
	char name[32], cmd[16], args[4096], env_cmd[32], env_args[4200];
	char *envp[] = { env_cmd, "CNI_CONTAINERID=ctr1", "CNI_NETNS=/nonexistent/netns",
			 "CNI_IFNAME=eth0", "CNI_PATH=/nonexistent", env_args, NULL };
	const char *const cmds[] = { "ADD", "DEL", "CHECK", "GC", "STATUS" };

	if (in < 0 && ((in = memfd_create("stdin", MFD_CLOEXEC)) < 0 ||
		       (out = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0))
		abort();
	if (size == 0)
		return 0;
	current = parsers[data[0] % N_PARSERS].parse;
	line(&p, end, name, sizeof(name));
	for (size_t i = 0; i < N_PARSERS; i++)
		if (strcmp(name, parsers[i].name) == 0)
			current = parsers[i].parse;
	line(&p, end, cmd, sizeof(cmd));
	snprintf(env_cmd, sizeof(env_cmd), "CNI_COMMAND=ADD");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			snprintf(env_cmd, sizeof(env_cmd), "CNI_COMMAND=%s", cmds[i]);
	line(&p, end, args, sizeof(args));
	snprintf(env_args, sizeof(env_args), "CNI_ARGS=%s", args);
	if (ftruncate(in, 0) < 0 || pwrite(in, p, (size_t)(end - p), 0) != end - p ||
	    lseek(in, 0, SEEK_SET) != 0)
		abort();
	ccni_plugin_run(&fuzz_plugin, envp, in, out);
	return 0;
}
