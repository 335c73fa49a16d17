/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.h — run a program without a shell, feed it stdin, collect bounded
 * stdout/stderr, enforce a deadline, and report how it ended (with its
 * resource usage). Used by delegation, the runtime and the iptables backends.
 * Internal.
 */
#ifndef CCNI_SPAWN_H
#define CCNI_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

struct util_spawn {
	const char *path;   /* the executable (absolute or relative path, no lookup) */
	char *const *argv;  /* NULL: { path, NULL } */
	char *const *envp;  /* NULL: the caller's environment */
	const void *in;     /* stdin bytes (may be NULL) */
	size_t in_len;
	size_t out_max;     /* bytes of stdout kept; more is an error (E2BIG) */
	size_t err_max;     /* bytes of stderr kept (the rest is dropped) */
	bool inherit_stderr; /* pass our stderr through instead of capturing */
	int timeout_ms;     /* <= 0: none. On expiry the child is killed (SIGKILL). */
};

struct util_spawn_result {
	char *out;       /* NUL-terminated, owned */
	size_t out_len;
	char *err;       /* NUL-terminated, owned (empty when inherited) */
	size_t err_len;
	int status;      /* as from waitpid */
	bool timed_out;
	bool out_truncated;
	struct rusage usage;
};

/* Run to completion. Returns 0 when the program ran (whatever its exit
 * status), or -1 with errno when it could not be started. */
int util_spawn_run(const struct util_spawn *s, struct util_spawn_result *r);
void util_spawn_result_free(struct util_spawn_result *r);
/* "exited with status 3", "was killed by signal 11 (Segmentation fault)". */
const char *util_spawn_describe(int status, char *buf, size_t len);

#endif
