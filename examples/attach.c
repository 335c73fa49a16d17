/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach.c — embedding libccni: attach a network namespace to a network
 * from the conf dir, print the result, and (with -d) detach it again.
 * Usage: attach NETWORK NETNS_PATH CONTAINER_ID [-d]
 * Environment: NETCONFPATH, CNI_PATH, CNI_CACHE_DIR as for ccni.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/ccni.h>

int main(int argc, char **argv)
{
	struct ccni_runtime_opts opts = {
		.conf_dir = getenv("NETCONFPATH"),
		.plugin_path = getenv("CNI_PATH"),
		.cache_dir = getenv("CNI_CACHE_DIR"),
	};
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_runtime *rt = NULL;
	struct ccni_network *net = NULL;
	json_t *result = NULL;
	int rc = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: %s NETWORK NETNS CONTAINER_ID [-d]\n", argv[0]);
		return 2;
	}
	struct ccni_attachment att = { .container_id = argv[3], .netns = argv[2], .ifname = "eth0" };

	if (ccni_runtime_new(&opts, &rt, &err) < 0 || ccni_network_load(rt, argv[1], &net, &err) < 0)
		goto out;
	if (argc > 4 && strcmp(argv[4], "-d") == 0) {
		rc = ccni_del(rt, net, &att, &err) < 0;
	} else if (ccni_add(rt, net, &att, &result, &err) == 0) {
		char *text = json_dumps(result, JSON_INDENT(2));

		printf("%s\n", text);
		free(text);
		json_decref(result);
		rc = 0;
	}
out:
	if (err.code)
		fprintf(stderr, "attach: %s (code %d)\n", err.msg, err.code);
	ccni_error_clear(&err);
	ccni_network_free(net);
	ccni_runtime_free(rt);
	return rc;
}
