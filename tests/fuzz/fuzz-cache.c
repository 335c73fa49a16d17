/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the result cache's reading: the input is split at the first NUL
 * byte into two files of a private cache dir, the entry of an attachment
 * (results/n-c-eth0) and another file named for the network; then the
 * entry is read as DEL and CHECK read it, and the network's entries are
 * listed as GC lists them (with the unreadable ones).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/util.h"
#include "lib/runtime/cache.h"

static char dir[64];

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/results/%s", dir, name);
	util_write_file_atomic(path, p, n, 0600, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	struct cache c = { dir, NULL };
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *entry = NULL, *entries = NULL, *unreadable = NULL;
	char sub[96];

	if (!dir[0]) {
		/* on tmpfs: an execution costs no disk I/O */
		snprintf(dir, sizeof(dir), "/dev/shm/ccni-fuzz-cache.%d", (int)getpid());
		mkdir(dir, 0700);
		snprintf(sub, sizeof(sub), "%s/results", dir);
		mkdir(sub, 0700);
	}
	put("n-c-eth0", data, first);
	put("n-other-eth1", nul ? nul + 1 : data, nul ? size - first - 1 : 0);
	if (cache_read(&c, "n", "c", "eth0", &entry, &e) == 0)
		json_decref(entry);
	ccni_error_clear(&e);
	if (cache_list(&c, "n", &entries, &unreadable, &e) == 0) {
		json_decref(entries);
		json_decref(unreadable);
	}
	ccni_error_clear(&e);
	if (cache_list(&c, NULL, &entries, NULL, &e) == 0)
		json_decref(entries);
	ccni_error_clear(&e);
	return 0;
}
