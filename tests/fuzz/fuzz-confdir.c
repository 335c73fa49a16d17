/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz conf-dir loading: the input is split at NUL bytes into up to four
 * files (a.conflist, b.conf, c.json, and NAME/d.conf for aggregation) in a
 * private directory, then loaded by name and as the default network.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/util.h"

static char dir[64];

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	util_write_file_atomic(path, p, n, 0600, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a.conflist", "b.conf", "c.json", "net/d.conf" };
	struct ccni_runtime_opts o = { 0 };
	struct ccni_runtime *rt = NULL;
	struct ccni_network *net = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	size_t start = 0, k = 0;
	char sub[96];

	if (!dir[0]) {
		/* on tmpfs: an execution costs no disk I/O */
		snprintf(dir, sizeof(dir), "/dev/shm/ccni-fuzz-confdir.%d", (int)getpid());
		mkdir(dir, 0700);
		snprintf(sub, sizeof(sub), "%s/net", dir);
		mkdir(sub, 0700);
	}
	for (size_t i = 0; i <= size && k < 4; i++) {
		if (i == size || data[i] == 0) {
			put(names[k++], data + start, i - start);
			start = i + 1;
		}
	}
	for (; k < 4; k++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, names[k]);
		unlink(sub);
	}
	o.conf_dir = dir;
	o.cache_dir = dir;
	if (ccni_runtime_new(&o, &rt, &e) == 0) {
		if (ccni_network_load(rt, "net", &net, &e) == 0)
			ccni_network_free(net);
		ccni_error_clear(&e);
		if (ccni_network_load(rt, NULL, &net, &e) == 0)
			ccni_network_free(net);
		ccni_runtime_free(rt);
	}
	ccni_error_clear(&e);
	return 0;
}
