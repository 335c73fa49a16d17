/* SPDX-License-Identifier: Apache-2.0 */
/* nft: the keeper that takes the last reference of nf_tables sockets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/nftset.h"

/* A descriptor given to nftset_close outlives the process that closed it
 * (the keeper holds it) and is let go of after that process has ended. */
static void keeper_holds_then_lets_go(void **state)
{
	int p[2], st;
	pid_t pid;
	struct pollfd pf;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		nftset_close(p[1]);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* every writer gone within 30 s: the keeper ended on its own */
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	assert_int_equal(poll(&pf, 1, 30000), 1);
	assert_true(pf.revents & POLLHUP);
	close(p[0]);
}

/* Without a keeper to give it to (a bad descriptor), nothing happens. */
static void bad_descriptor_is_ignored(void **state)
{
	(void)state;
	nftset_close(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeper_holds_then_lets_go),
		cmocka_unit_test(bad_descriptor_is_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
