/* SPDX-License-Identifier: Apache-2.0 */
/* spawn: stdin/stdout/stderr plumbing, limits, deadline, exit reporting;
 * util: bounded reads, atomic writes, detached processes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/common/spawn.h"
#include "lib/common/util.h"

static void test_roundtrip(void **state)
{
	char *argv[] = { "cat", NULL };
	struct util_spawn s = { .path = "/bin/cat", .argv = argv, .in = "hello", .in_len = 5,
				.out_max = 100, .err_max = 100 };
	struct util_spawn_result r;

	(void)state;
	assert_int_equal(util_spawn_run(&s, &r), 0);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, "hello");
	util_spawn_result_free(&r);
}

static void test_big_stdin_and_stderr(void **state)
{
	char *argv[] = { "sh", "-c", "wc -c; echo oops >&2; exit 3", NULL };
	size_t n = 3 * 1024 * 1024;
	char *big = malloc(n);
	struct util_spawn s = { .path = "/bin/sh", .argv = argv, .in = big, .in_len = n,
				.out_max = 100, .err_max = 3 };
	struct util_spawn_result r;
	char how[64];

	(void)state;
	memset(big, 'x', n);
	assert_int_equal(util_spawn_run(&s, &r), 0);
	assert_int_equal(atoi(r.out), (int)n);
	assert_string_equal(r.err, "oop"); /* bounded */
	assert_int_equal(WEXITSTATUS(r.status), 3);
	assert_string_equal(util_spawn_describe(r.status, how, sizeof(how)), "exited with status 3");
	util_spawn_result_free(&r);
	free(big);
}

static void test_timeout_and_signal(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 10", NULL };
	char *argv2[] = { "sh", "-c", "kill -SEGV $$", NULL };
	struct util_spawn s = { .path = "/bin/sh", .argv = argv, .out_max = 10, .timeout_ms = 100 };
	struct util_spawn_result r;
	unsigned long long t = util_now_ns();
	char how[64];

	(void)state;
	assert_int_equal(util_spawn_run(&s, &r), 0);
	assert_true(r.timed_out);
	assert_true(util_now_ns() - t < 3000000000ULL);
	util_spawn_result_free(&r);
	s.argv = argv2;
	s.timeout_ms = 0;
	assert_int_equal(util_spawn_run(&s, &r), 0);
	assert_true(WIFSIGNALED(r.status));
	assert_non_null(strstr(util_spawn_describe(r.status, how, sizeof(how)), "signal 11"));
	util_spawn_result_free(&r);
}

static void test_output_limit(void **state)
{
	char *argv[] = { "sh", "-c", "yes", NULL };
	struct util_spawn s = { .path = "/bin/sh", .argv = argv, .out_max = 1000 };
	struct util_spawn_result r;

	(void)state;
	assert_int_equal(util_spawn_run(&s, &r), 0);
	assert_true(r.out_truncated);
	assert_true(r.out_len <= 1000);
	util_spawn_result_free(&r);
	/* A program that cannot start: an error, or (under valgrind, whose
	 * clone differs) a child that exits 127. */
	s.path = "/nonexistent/binary";
	if (util_spawn_run(&s, &r) == 0) {
		assert_true(WIFEXITED(r.status));
		assert_int_equal(WEXITSTATUS(r.status), 127);
		util_spawn_result_free(&r);
	}
}

static void test_util_files(void **state)
{
	char dir[] = "/tmp/ccni-util.XXXXXX", path[64], link[64];
	size_t len;
	char *data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/f", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	{
		char d[64];

		snprintf(d, sizeof(d), "%.*s", (int)(strrchr(path, '/') - path), path);
		assert_int_equal(util_mkdir_p(d, 0700), 0);
		assert_int_equal(util_mkdir_p(d, 0700), 0);
	}
	assert_int_equal(util_write_file_atomic(path, "abc", 3, 0600, true), 0);
	data = util_read_file(path, 10, &len, true);
	assert_string_equal(data, "abc");
	free(data);
	assert_null(util_read_file(path, 2, &len, true));
	assert_int_equal(errno, EFBIG);
	assert_int_equal(symlink(path, link), 0);
	assert_null(util_read_file(link, 10, &len, true)); /* not followed */
	data = util_read_file(link, 10, &len, false);
	assert_string_equal(data, "abc");
	free(data);
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* A FIFO (or a device) where a file was expected: refused at once, never
 * waited on (an open for reading of a FIFO blocks until a writer comes). */
static void test_util_read_refuses_what_is_not_a_regular_file(void **state)
{
	char dir[] = "/tmp/ccni-util.XXXXXX", fifo[64], big[64], why[96];
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(big, sizeof(big), "%s/big", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(util_read_file(fifo, 10, &len, true));
	assert_int_equal(errno, UTIL_ENOTREG);
	assert_null(util_read_file(fifo, 10, &len, false));
	assert_int_equal(errno, UTIL_ENOTREG);
	assert_null(util_read_file("/dev/null", 10, &len, false));
	assert_int_equal(errno, UTIL_ENOTREG);
	assert_null(util_read_file(dir, 10, &len, false));
	assert_int_equal(errno, UTIL_ENOTREG);
	assert_string_equal(util_read_why(UTIL_ENOTREG, 10, why, sizeof(why)), "not a regular file");
	/* larger than the bound: refused from its size, before any read */
	assert_int_equal(util_write_file_atomic(big, "0123456789", 10, 0600, false), 0);
	assert_null(util_read_file(big, 9, &len, true));
	assert_int_equal(errno, EFBIG);
	assert_string_equal(util_read_why(EFBIG, 64 << 20, why, sizeof(why)),
			    "larger than the limit of 67108864 bytes (64 MiB)");
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(unlink(big), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A detached process: stdio on /dev/null, only the kept descriptors open,
 * not the caller's child (nothing to reap), and the caller does not wait. */
static void test_fork_detached(void **state)
{
	int rep[2], other[2], gate[2];
	char buf[256] = { 0 };
	ssize_t n;

	(void)state;
	/* with the suite's stdin closed a pipe would take fd 0, which the
	 * detached child points at /dev/null: fill 0-2 first */
	int fd;
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	assert_int_equal(pipe(rep), 0);
	assert_int_equal(pipe(other), 0);
	assert_int_equal(pipe(gate), 0);
	pid_t me = getpid();
	int rc = util_fork_detached(rep[1], gate[0]);

	if (rc == 0) {
		char line[256], target[64] = "";
		ssize_t l = readlink("/proc/self/fd/1", target, sizeof(target) - 1);
		char c;

		if (l > 0)
			target[l] = '\0';
		/* blocks until the caller lets go: the caller must not wait */
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		snprintf(line, sizeof(line), "%s %d %d %d", target, fcntl(other[0], F_GETFD) < 0,
			 fcntl(rep[0], F_GETFD) < 0, getppid() != me);
		if (write(rep[1], line, strlen(line)) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(rc, 1);
	/* back at once, with nothing to reap */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	close(rep[1]);
	close(gate[0]);
	char c = 0;
	assert_int_equal(write(gate[1], &c, 1), 1);
	close(gate[1]);
	n = read(rep[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	/* stdout is /dev/null; the other pipe and the report's read end are
	 * closed there; its parent is not this process */
	assert_string_equal(buf, "/dev/null 1 1 1");
	close(rep[0]);
	close(other[0]);
	close(other[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_big_stdin_and_stderr),
		cmocka_unit_test(test_timeout_and_signal),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_util_files),
		cmocka_unit_test(test_util_read_refuses_what_is_not_a_regular_file),
		cmocka_unit_test(test_fork_detached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
