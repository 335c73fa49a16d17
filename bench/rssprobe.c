/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rssprobe — run a program and report its peak resident set size and the
 * memory that is its own when it exits.
 *
 *   rssprobe EXE ARGV0      (stdin, stdout, stderr and the environment pass through)
 *
 * A child's ru_maxrss also counts the memory its parent had when the child
 * was forked (the exec records the old address space's high-water mark),
 * so a plugin spawned straight from a benchmark would carry the
 * benchmark's own size. This launcher is linked statically and is tiny:
 * the program it forks and execs starts from next to nothing, and the peak
 * is the program's own.
 *
 * Peak RSS also counts the program's own file pages (its executable and
 * libraries, shared with every other process through the page cache). So
 * the program is traced just enough to stop it as it exits, and the
 * memory that is its own then (Anonymous in /proc/PID/smaps_rollup:
 * heap, stacks, written data; no file's pages) is read too.
 *
 * Prints "rssprobe-maxrss-kb N" and "rssprobe-anon-kb N" as the last
 * lines of stderr and exits with the program's status.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static long anon_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Anonymous: %ld kB", &v) == 1)
			kb += v;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long anon = -1;
	int st = 0;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: rssprobe EXE ARGV0\n");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[2], NULL };

		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execve(argv[1], args, environ); /* stops with SIGTRAP once exec'd */
		_exit(127);
	}
	if (pid < 0)
		return 125;
	/* the exec stop: from here on, stop the program only as it exits */
	if (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st)) {
		ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT);
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
	for (;;) {
		if (wait4(pid, &st, 0, &ru) != pid)
			return 125;
		if (!WIFSTOPPED(st))
			break;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			anon = anon_kb(pid);
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else {
			/* any other stop is a signal for the program: pass it on */
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(st));
		}
	}
	fprintf(stderr, "\nrssprobe-maxrss-kb %ld\nrssprobe-anon-kb %ld\n", ru.ru_maxrss, anon);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
