/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni — the command-line runtime. cnitool-compatible (add, check, del,
 * status, gc with NETCONFPATH, CNI_PATH, CNI_IFNAME, CNI_ARGS, CAP_ARGS,
 * CNI_CACHE_DIR) and friendlier: list, validate, version, show, exec.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/cli.h"
#include "lib/common/sha512.h"

static const char usage_text[] =
	"Usage: ccni [OPTIONS] COMMAND ARGS...\n"
	"\n"
	"Attach network namespaces to CNI networks, as cnitool does, and more.\n"
	"\n"
	"Commands (cnitool-compatible):\n"
	"  add NET NETNS        attach NETNS to network NET; prints the result JSON\n"
	"  check NET NETNS      check the attachment against the cached result\n"
	"  del NET NETNS        detach NETNS from NET\n"
	"  status NET [NETNS]   is network NET ready for ADDs? (spec 1.1.0)\n"
	"  gc NET [NETNS]       garbage-collect NET's stale attachments (spec 1.1.0)\n"
	"Commands (ccni's own):\n"
	"  list                 networks in the conf dir, their plugins and versions\n"
	"  validate FILE|DIR    every problem of a config file or conf dir\n"
	"  version PLUGIN       the spec versions a plugin binary supports\n"
	"  show NETNS           cached attachments of a netns\n"
	"  reload [NET]         after a firewall flush, put back the firewall state of\n"
	"                       every cached attachment (links and addresses untouched)\n"
	"  exec [--net NAME [--ip ADDR] [--mac MAC]]... [--port H:C[/proto]]... -- CMD ARGS...\n"
	"                       run CMD in a new netns attached to the networks,\n"
	"                       detach and remove it when CMD exits\n"
	"\n"
	"Options:\n"
	"  -i, --ifname NAME    interface name (default: $CNI_IFNAME or eth0)\n"
	"      --json           machine-readable output for list/validate/version/show\n"
	"      --trace          trace every step to stderr (also CCNI_TRACE=1; JSON\n"
	"                       lines with CCNI_TRACE=json)\n"
	"      --timeout MS     kill a plugin running longer than MS milliseconds\n"
	"      --valid CID/IF   gc: an attachment to keep (repeatable); without it,\n"
	"                       gc keeps the attachments in the cache\n"
	"  -h, --help           this text\n"
	"\n"
	"Environment: NETCONFPATH (default /etc/cni/net.d), CNI_PATH (default\n"
	"/opt/cni/bin), CNI_IFNAME, CNI_ARGS (K=V;K=V), CAP_ARGS (JSON object of\n"
	"capability arguments), CNI_CACHE_DIR (default /var/lib/cni), CCNI_TRACE,\n"
	"CNI_CONTAINERID (add/check/del: the container id, instead of the one\n"
	"derived from NETNS as cnitool does).\n"
	"TRACEPARENT, TRACESTATE and BAGGAGE are passed on to every plugin.\n";

static int fail(const struct cli *c, struct ccni_error *err)
{
	if (c->json) {
		_cleanup_json_ json_t *j = ccni_error_to_json(err, NULL);
		_cleanup_free_ char *t = j ? json_dumps(j, JSON_INDENT(4)) : NULL;

		if (t)
			printf("%s\n", t);
	} else {
		fprintf(stderr, "ccni: %s\n", err->msg ? err->msg : ccni_error_code_name(err->code));
		if (err->details)
			fprintf(stderr, "ccni: details: %s\n", err->details);
	}
	ccni_error_clear(err);
	return 1;
}

int cli_fail(const struct cli *c, struct ccni_error *err)
{
	return fail(c, err);
}

void cli_print_json(json_t *j)
{
	_cleanup_free_ char *t = json_dumps(j, JSON_INDENT(4));

	if (t)
		printf("%s\n", t);
}

/* cnitool's container id: "cnitool-" and the hex of the first 10 bytes of
 * SHA-512 of the absolute netns path. */
char *cli_container_id(const char *netns_abs)
{
	uint8_t h[64];
	char *id = malloc(8 + 20 + 1);

	if (!id)
		return NULL;
	sha512(netns_abs, strlen(netns_abs), h);
	strcpy(id, "cnitool-");
	for (int i = 0; i < 10; i++)
		sprintf(id + 8 + i * 2, "%02x", h[i]);
	return id;
}

/* filepath.Abs: make absolute and clean, without resolving links. */
char *cli_abs(const char *p)
{
	char cwd[PATH_MAX];
	_cleanup_free_ char *joined = NULL;
	char *out, *o;

	if (p[0] == '/')
		joined = strdup(p);
	else if (getcwd(cwd, sizeof(cwd)))
		joined = util_asprintf("%s/%s", cwd, p);
	if (!joined || !(out = malloc(strlen(joined) + 2)))
		return NULL;
	o = out;
	for (char *s = joined; *s;) {
		char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > out && *--o != '/')
				;
		} else {
			*o++ = '/';
			memcpy(o, s, n);
			o += n;
		}
		s = *e ? e + 1 : e;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

int cli_runtime(const struct cli *c, struct ccni_runtime **rt, struct ccni_error *err)
{
	struct ccni_runtime_opts o = {
		.plugin_path = getenv("CNI_PATH"),
		.conf_dir = getenv("NETCONFPATH"),
		.cache_dir = getenv("CNI_CACHE_DIR"),
		.timeout_ms = c->timeout_ms,
		.trace = c->trace,
	};

	if (o.plugin_path && !*o.plugin_path)
		o.plugin_path = NULL;
	if (o.conf_dir && !*o.conf_dir)
		o.conf_dir = NULL;
	if (o.cache_dir && !*o.cache_dir)
		o.cache_dir = NULL;
	return ccni_runtime_new(&o, rt, err);
}

static const struct command {
	const char *name;
	int (*fn)(struct cli *c, const char *cmd, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "add", cli_add,
	  "Usage: ccni add [-i IFNAME] [--trace] [--timeout MS] NET NETNS\n\n"
	  "Attach the network namespace at path NETNS (e.g. /run/netns/NAME) to\n"
	  "network NET: run its plugins in order, cache the result, print it (JSON).\n"
	  "The container id is derived from NETNS as cnitool does. CNI_ARGS and\n"
	  "CAP_ARGS (a JSON object of capability arguments) are passed on.\n" },
	{ "check", cli_check,
	  "Usage: ccni check [-i IFNAME] NET NETNS\n\n"
	  "Ask every plugin of NET to check the attachment against the cached result\n"
	  "(spec 0.4.0 and later; skipped when the network sets disableCheck).\n" },
	{ "del", cli_del,
	  "Usage: ccni del [-i IFNAME] NET NETNS\n\n"
	  "Detach NETNS from NET: plugins in reverse order with the cached result as\n"
	  "prevResult; succeeds when the cache entry or the namespace is gone.\n" },
	{ "status", cli_status,
	  "Usage: ccni status NET [NETNS]\n\n"
	  "Ask every plugin of NET whether it can take ADDs now (spec 1.1.0); exit 0\n"
	  "when ready, else the plugin's error (codes 50/51) on stdout.\n" },
	{ "gc", cli_gc,
	  "Usage: ccni gc [--valid CONTAINERID/IFNAME]... NET [NETNS]\n\n"
	  "Garbage-collect NET as libcni does: DEL every cached attachment that is not\n"
	  "valid, then (spec 1.1.0) ask every plugin to release what no valid attachment\n"
	  "holds. Valid attachments are those given with --valid, else those in the\n"
	  "result cache. Runs under the network's exclusive lock: an ADD in progress is\n"
	  "waited for, never collected. Unreadable cache entries are removed. What a\n"
	  "killed ccni exec left (its ccni gone, its namespace unused) is not valid.\n" },
	{ "reload", cli_reload,
	  "Usage: ccni reload [--json] [NET]\n\n"
	  "After 'nft flush ruleset' or a firewall reload: put back the firewall state\n"
	  "(ipMasq, macspoofchk, port mappings, firewall accepts) of every cached\n"
	  "attachment of NET (default: of every network), from the cache, without\n"
	  "touching links or addresses. Idempotent; ccni's own plugins only. Exit 1\n"
	  "when an attachment could not be reloaded (each is named on stderr).\n" },
	{ "list", cli_list,
	  "Usage: ccni list [--json]\n\n"
	  "The networks of the conf dir ($NETCONFPATH): name, file, chosen cniVersion\n"
	  "and plugin types; the first one is the default network.\n" },
	{ "validate", cli_validate,
	  "Usage: ccni validate [--json] FILE|DIR\n\n"
	  "Report every problem of a config file or conf dir as FILE:LINE:COL with the\n"
	  "key at fault: the network's keys, plugins missing from CNI_PATH or not\n"
	  "supporting the chosen cniVersion, every key of ccni's own plugins (their own\n"
	  "parsers run on the config as the runtime sends it, with CAP_ARGS when set;\n"
	  "unknown keys are warnings), and, across a dir, duplicate names, one bridge\n"
	  "with different subnets, overlapping ranges, a shared host-local store.\n"
	  "Exit 1 when there is an error.\n" },
	{ "version", cli_version,
	  "Usage: ccni version [--json] PLUGIN\n\n"
	  "Run PLUGIN (a type found in CNI_PATH, or a path) with CNI_COMMAND=VERSION\n"
	  "and print the spec versions it supports.\n" },
	{ "show", cli_show,
	  "Usage: ccni show [--json] NETNS\n\n"
	  "The cached attachments of NETNS: network, interface, container id and the\n"
	  "addresses of the cached result.\n" },
	{ "exec", cli_exec,
	  "Usage: ccni exec [--net NAME [--ip ADDR]... [--mac MAC]]... [--ifname IF]\n"
	  "                 [--port HOST:CONTAINER[/PROTO]]... -- CMD ARGS...\n\n"
	  "Create a network namespace with lo up, attach it to each NAME (default: the\n"
	  "conf dir's first network) as eth0, eth1, ..., and run CMD inside it as a\n"
	  "child, with /etc/hosts and /etc/resolv.conf from the results (in a mount\n"
	  "namespace of its own). Signals ccni gets go to CMD; when CMD exits, detach\n"
	  "and remove the namespace, and exit with CMD's status. --ip and --mac (for\n"
	  "the --net they follow) pass the ips and mac capability arguments, --port a\n"
	  "portMappings one. What a killed ccni left, ccni gc collects.\n" },
};

static const struct option opts[] = {
	{ "ifname", required_argument, NULL, 'i' },
	{ "json", no_argument, NULL, 'j' },
	{ "trace", no_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "valid", required_argument, NULL, 'V' },
	{ "net", required_argument, NULL, 'n' },
	{ "port", required_argument, NULL, 'p' },
	{ "ip", required_argument, NULL, 'I' },
	{ "mac", required_argument, NULL, 'M' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void push(const char **list, size_t *n, const char *v)
{
	if (*n < CLI_MAX_LIST)
		list[(*n)++] = v;
}

static void push_netarg(const struct cli *c, struct cli_netarg *list, size_t *n)
{
	if (*n < CLI_MAX_LIST)
		list[(*n)++] = (struct cli_netarg){ optarg, c->n_nets ? c->n_nets - 1 : 0 };
}

/* 0: go on; 1: stop with status 0 (help); 2: usage error. */
static int apply_opt(struct cli *c, int o)
{
	switch (o) {
	case 'i': c->ifname = optarg; return 0;
	case 'j': c->json = true; return 0;
	case 't': c->trace = true; return 0;
	case 'T': c->timeout_ms = atoi(optarg); return 0;
	case 'V': push(c->valid, &c->n_valid, optarg); return 0;
	case 'n': push(c->nets, &c->n_nets, optarg); return 0;
	case 'p': push(c->ports, &c->n_ports, optarg); return 0;
	case 'I': push_netarg(c, c->ips, &c->n_ips); return 0;
	case 'M': push_netarg(c, c->macs, &c->n_macs); return 0;
	case 'h': c->help = true; return 0;
	default: fputs(usage_text, stderr); return 2;
	}
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	char *pos[64];
	int n = 0;

	util_std_fds_open();
	/* Options may come anywhere, as with cnitool's cobra; "--" ends them
	 * (exec's command follows it). */
	optind = 1;
	while (optind < argc && n < 63) {
		if (streq(argv[optind], "--")) {
			optind++;
			if (n)
				c.dashdash = n;
			while (optind < argc && n < 63)
				pos[n++] = argv[optind++];
			break;
		}
		if (argv[optind][0] == '-' && argv[optind][1]) {
			int r = apply_opt(&c, getopt_long(argc, argv, "+i:h", opts, NULL));

			if (r)
				return r == 1 ? 0 : 2;
			continue;
		}
		pos[n++] = argv[optind++];
	}
	pos[n] = NULL;
	if (n > 0 && streq(pos[0], "help")) { /* ccni help [COMMAND] */
		c.help = true;
		memmove(pos, pos + 1, (size_t)n-- * sizeof(*pos));
	}
	if (n == 0) {
		fputs(usage_text, c.help ? stdout : stderr);
		return c.help ? 0 : 2;
	}
	c.cmd = pos[0];
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!streq(commands[i].name, c.cmd))
			continue;
		if (c.help) {
			printf("%s\nOptions and environment: ccni --help; manual: man ccni-%s\n",
			       commands[i].help, c.cmd);
			return 0;
		}
		return commands[i].fn(&c, c.cmd, n - 1, pos + 1);
	}
	fprintf(stderr, "ccni: unknown command \"%s\" (see ccni --help)\n", c.cmd);
	return 2;
}
