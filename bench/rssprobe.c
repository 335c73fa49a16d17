/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rssprobe — run a program and report its peak resident set size.
 *
 *   rssprobe EXE ARGV0      (stdin, stdout, stderr and the environment pass through)
 *
 * A child's ru_maxrss also counts the memory its parent had when the child
 * was forked (the exec records the old address space's high-water mark),
 * so a plugin spawned straight from a benchmark would carry the
 * benchmark's own size. This launcher is linked statically and is tiny:
 * the program it forks and execs starts from next to nothing, and the peak
 * is the program's own. It prints "rssprobe-maxrss-kb N" as the last line
 * of stderr and exits with the program's status.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct rusage ru;
	int st = 0;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: rssprobe EXE ARGV0\n");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[2], NULL };

		execve(argv[1], args, environ);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
		return 125;
	fprintf(stderr, "\nrssprobe-maxrss-kb %ld\n", ru.ru_maxrss);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
