/* SPDX-License-Identifier: Apache-2.0 */
/* exec.h — the parts of `ccni exec`: its namespaces and files (exec-ns.c),
 * and what a killed exec leaves for `ccni gc` (exec-gc.c). */
#ifndef CCNI_EXEC_H
#define CCNI_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/ccni.h>

#define EXEC_NETNS_DIR "/run/netns"
#define EXEC_FILES_DIR "/run/ccni/exec"
#define EXEC_ID_PREFIX "ccni-exec-"

/* A new network namespace bound at path (as `ip netns add` makes them),
 * with lo up. */
int exec_netns_create(const char *path, struct ccni_error *err);
void exec_netns_remove(const char *path);

/* Write DIR/hosts (localhost and each address of the results, under this
 * host's name) and, when a result has DNS, DIR/resolv.conf. *resolv says
 * whether it was written. */
int exec_files_write(const char *dir, json_t *const *results, size_t n, bool *resolv,
		     struct ccni_error *err);
void exec_files_remove(const char *dir);
/* In the program's process: a private mount namespace (nothing propagates
 * back to the host's) in which DIR's files are /etc/hosts and
 * /etc/resolv.conf. 0, or -1 with errno and *what naming the step. */
int exec_files_mount(const char *dir, bool resolv, const char **what);

/* "ccni-exec-PID-START": ccni's pid and its start time, so that a later
 * `ccni gc` can tell whether this very process is still alive. malloc'd. */
char *exec_id_new(void);
/* An attachment `ccni exec` made whose ccni is gone and whose namespace no
 * process uses any more (or is gone). */
bool exec_attachment_stale(const char *container_id, const char *netns);
/* Remove the namespaces and files of every stale exec that no cache entry
 * refers to any more. */
void exec_gc_sweep(struct ccni_runtime *rt);

#endif
