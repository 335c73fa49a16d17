/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec-gc.c — what a `ccni exec` that was killed (SIGKILL, a crash, a
 * reboot of nothing but the process) leaves behind, for `ccni gc`: its
 * cache entries, its named namespace and its files. An exec's container id
 * names its ccni process and that process's start time, so a later gc
 * knows for sure whether the owner is alive (a recycled pid has another
 * start time). An attachment is stale when the owner is gone and no
 * process uses its namespace any more: a program that outlived its ccni
 * keeps its network until it ends.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/exec.h"

DEFINE_CLEANUP(DIR *, closedir)

/* Field 22 of /proc/PID/stat: the start time in clock ticks since boot. */
static int start_time(long pid, unsigned long long *out)
{
	char path[64];
	_cleanup_free_ char *s = NULL;
	char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	s = util_read_file(path, 4096, NULL, false);
	p = s ? strrchr(s, ')') : NULL; /* the name may hold spaces and ')' */
	if (!p)
		return -1;
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	return sscanf(p + 1, "%llu", out) == 1 ? 0 : -1;
}

char *exec_id_new(void)
{
	unsigned long long t = 0;

	start_time((long)getpid(), &t);
	return util_asprintf(EXEC_ID_PREFIX "%ld-%llu", (long)getpid(), t);
}

/* Is the ccni that made this id running? */
static bool owner_alive(const char *id)
{
	unsigned long long want, now;
	long pid;
	int n = 0;

	if (strncmp(id, EXEC_ID_PREFIX, strlen(EXEC_ID_PREFIX)) ||
	    sscanf(id + strlen(EXEC_ID_PREFIX), "%ld-%llu%n", &pid, &want, &n) != 2 ||
	    id[strlen(EXEC_ID_PREFIX) + (size_t)n] || pid <= 0)
		return true; /* not an exec's id: not ours to judge */
	return start_time(pid, &now) == 0 && now == want;
}

/* Does a task of some process have the namespace at path as its network
 * namespace? (Each thread may have its own: the tasks are what count.) */
static bool netns_in_use(const struct stat *ns)
{
	_cleanup_(closedirp) DIR *proc = opendir("/proc");
	struct dirent *p;

	while (proc && (p = readdir(proc))) {
		char dir[300];
		DIR *tasks;
		struct dirent *t;
		bool used = false;

		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/task", p->d_name);
		tasks = opendir(dir);
		while (tasks && !used && (t = readdir(tasks))) {
			char f[600];
			struct stat st;

			snprintf(f, sizeof(f), "%s/%s/ns/net", dir, t->d_name);
			used = t->d_name[0] != '.' && stat(f, &st) == 0 && st.st_ino == ns->st_ino &&
			       st.st_dev == ns->st_dev;
		}
		if (tasks)
			closedir(tasks);
		if (used)
			return true;
	}
	return false;
}

bool exec_attachment_stale(const char *container_id, const char *netns)
{
	struct stat st;

	if (!container_id || strncmp(container_id, EXEC_ID_PREFIX, strlen(EXEC_ID_PREFIX)) ||
	    owner_alive(container_id))
		return false;
	return !netns || stat(netns, &st) < 0 || !netns_in_use(&st);
}

static bool referenced(json_t *entries, const char *netns)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e) {
		const char *ns = json_string_value(json_object_get(e, "netns"));

		if (ns && streq(ns, netns))
			return true;
	}
	return false;
}

void exec_gc_sweep(struct ccni_runtime *rt)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_json_ json_t *entries = NULL;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *e;

	if (ccni_cache_list(rt, NULL, &entries, &err) < 0) {
		ccni_error_clear(&err);
		return; /* without the cache, nothing is known to be unused */
	}
	d = opendir(EXEC_FILES_DIR);
	while (d && (e = readdir(d))) {
		char ns[300], files[300];

		if (strncmp(e->d_name, EXEC_ID_PREFIX, strlen(EXEC_ID_PREFIX)))
			continue;
		snprintf(ns, sizeof(ns), "%s/%s", EXEC_NETNS_DIR, e->d_name);
		snprintf(files, sizeof(files), "%s/%s", EXEC_FILES_DIR, e->d_name);
		if (!exec_attachment_stale(e->d_name, ns) || referenced(entries, ns))
			continue;
		exec_netns_remove(ns);
		exec_files_remove(files);
	}
}
