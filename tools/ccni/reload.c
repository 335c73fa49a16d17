/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reload.c — ccni reload: after `nft flush ruleset` or a firewall reload,
 * put back the firewall state (ipMasq, macspoofchk, port mappings,
 * firewall accepts) of every cached attachment, from the cache, without
 * touching links or addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "tools/ccni/cli.h"

/* The cache entry's CNI_ARGS pairs [[k, v], ...] as "k=v;k=v" (malloc'd,
 * NULL when there are none). */
static char *args_text(json_t *pairs)
{
	char *out = NULL;
	size_t i;
	json_t *p;

	json_array_foreach(pairs, i, p) {
		const char *k = json_string_value(json_array_get(p, 0));
		const char *v = json_string_value(json_array_get(p, 1));
		char *t;

		if (!k || !v)
			continue;
		if (asprintf(&t, "%s%s%s=%s", out ? out : "", out ? ";" : "", k, v) < 0) {
			free(out);
			return NULL;
		}
		free(out);
		out = t;
	}
	return out;
}

/* One attachment; its failure is reported and counted, the others go on. */
static int reload_one(struct ccni_runtime *rt, const struct ccni_network *net, json_t *e)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_free_ char *args = args_text(json_object_get(e, "cniArgs"));
	struct ccni_attachment att = {
		.container_id = json_string_value(json_object_get(e, "containerId")),
		.netns = json_string_value(json_object_get(e, "netns")),
		.ifname = json_string_value(json_object_get(e, "ifName")),
		.args = args,
		.capability_args = json_object_get(e, "capabilityArgs"),
	};

	if (ccni_reapply(rt, net, &att, &err) == 0)
		return 0;
	fprintf(stderr, "ccni reload: %s %s %s: %s%s%s\n", ccni_network_name(net),
		att.container_id ? att.container_id : "?", att.ifname ? att.ifname : "eth0",
		err.msg ? err.msg : "", err.details ? ": " : "", err.details ? err.details : "");
	ccni_error_clear(&err);
	return -1;
}

/* Every cached attachment of the network `name`; the count done, or -1
 * when the network cannot be loaded. *failed counts the failures. */
static int reload_network(struct ccni_runtime *rt, const char *name, json_t *entries,
			  int *failed, struct ccni_error *err)
{
	_cleanup_(ccni_network_freep) struct ccni_network *net = NULL;
	size_t i;
	json_t *e;
	int n = 0;

	if (ccni_network_load(rt, name, &net, err) < 0)
		return -1;
	json_array_foreach(entries, i, e) {
		const char *nn = json_string_value(json_object_get(e, "networkName"));

		if (!nn || !streq(nn, name))
			continue;
		if (reload_one(rt, net, e) < 0)
			(*failed)++;
		else
			n++;
	}
	return n;
}

int cli_reload(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *entries = NULL, *done = json_object();
	int failed = 0, total = 0;
	size_t i;
	json_t *e;

	(void)cmd;
	if (!done || cli_runtime(c, &rt, &err) < 0 ||
	    ccni_cache_list(rt, argc > 0 ? argv[0] : NULL, &entries, &err) < 0)
		return cli_fail(c, &err);
	/* each network once, in the order its first entry comes */
	json_array_foreach(entries, i, e) {
		const char *nn = json_string_value(json_object_get(e, "networkName"));
		int n;

		if (!nn || json_object_get(done, nn))
			continue;
		json_object_set_new(done, nn, json_true());
		n = reload_network(rt, nn, entries, &failed, &err);
		if (n < 0) {
			fprintf(stderr, "ccni reload: %s: %s\n", nn, err.msg ? err.msg : "");
			ccni_error_clear(&err);
			failed++;
			continue;
		}
		total += n;
		if (!c->json)
			printf("%s: %d attachment%s reloaded\n", nn, n, n == 1 ? "" : "s");
	}
	if (c->json) {
		json_t *j = json_pack("{s:i,s:i}", "reloaded", total, "failed", failed);

		cli_print_json(j);
		json_decref(j);
	}
	return failed ? 1 : 0;
}
