/* SPDX-License-Identifier: Apache-2.0 */
/* spawn.c — posix_spawn with stdin/stdout/stderr plumbing and a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/spawn.h"
#include "lib/common/util.h"

extern char **environ;

struct buf {
	char *data;
	size_t len, cap, max;
	bool truncated;
};

/* Room for n more bytes (and a NUL), growing by doubling: a large output
 * costs a few copies, not one per read. */
static int buf_reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int buf_read(struct buf *b, int fd, bool drop_excess)
{
	char tmp[16384];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : 0;
	if (b->len + (size_t)n > b->max) {
		b->truncated = true;
		n = (ssize_t)(b->max - b->len);
		if (!drop_excess && n == 0)
			return 1;
	}
	if (n > 0) {
		if (buf_reserve(b, (size_t)n) < 0)
			return -1;
		memcpy(b->data + b->len, tmp, (size_t)n);
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
	return 1;
}

static long long deadline_left_ms(unsigned long long deadline)
{
	unsigned long long now = util_now_ns();

	if (!deadline)
		return -1;
	return now >= deadline ? 0 : (long long)((deadline - now) / 1000000ULL) + 1;
}

int util_spawn_run(const struct util_spawn *s, struct util_spawn_result *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	char *default_argv[2] = { (char *)s->path, NULL };
	struct buf bo = { .max = s->out_max }, be = { .max = s->err_max };
	posix_spawn_file_actions_t fa;
	size_t written = 0;
	unsigned long long deadline = 0;
	pid_t pid;
	int rc, saved;

	memset(r, 0, sizeof(*r));
	/* stdin is a socket so a child that exits early costs us EPIPE, never
	 * a SIGPIPE (send with MSG_NOSIGNAL). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0 || (!s->inherit_stderr && pipe2(errp, O_CLOEXEC) < 0))
		goto fail;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[1], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (!s->inherit_stderr)
		posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	rc = posix_spawn(&pid, s->path, &fa, NULL, s->argv ? s->argv : default_argv,
			 s->envp ? s->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		goto fail;
	}
	close(in[1]);
	close(out[1]);
	in[1] = out[1] = -1;
	if (errp[1] >= 0) {
		close(errp[1]);
		errp[1] = -1;
	}
	if (!s->in_len)
		shutdown(in[0], SHUT_WR);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	if (s->timeout_ms > 0)
		deadline = util_now_ns() + (unsigned long long)s->timeout_ms * 1000000ULL;

	for (;;) {
		struct pollfd p[3];
		int np = 0, io = -1, oo = -1, eo = -1;
		long long left;

		if (written < s->in_len && in[0] >= 0) {
			p[np] = (struct pollfd){ .fd = in[0], .events = POLLOUT };
			io = np++;
		}
		if (out[0] >= 0) {
			p[np] = (struct pollfd){ .fd = out[0], .events = POLLIN };
			oo = np++;
		}
		if (errp[0] >= 0) {
			p[np] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
			eo = np++;
		}
		if (np == 0)
			break;
		left = deadline_left_ms(deadline);
		if (left == 0) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		rc = poll(p, np, left < 0 ? -1 : (int)(left > 1000000 ? 1000000 : left));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			kill(pid, SIGKILL);
			break;
		}
		if (io >= 0 && p[io].revents) {
			ssize_t n = send(in[0], (const char *)s->in + written, s->in_len - written,
					 MSG_NOSIGNAL);

			if (n > 0)
				written += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == s->in_len) {
				shutdown(in[0], SHUT_WR);
				written = s->in_len;
			}
		}
		if (oo >= 0 && p[oo].revents) {
			rc = buf_read(&bo, out[0], false);
			if (rc < 0 || (rc > 0 && bo.truncated)) {
				/* Too much output: stop the child, it is not a CNI result. */
				kill(pid, SIGKILL);
				closep(&out[0]);
				out[0] = -1;
			} else if (rc == 0) {
				close(out[0]);
				out[0] = -1;
			}
		}
		if (eo >= 0 && p[eo].revents) {
			if (buf_read(&be, errp[0], true) <= 0) {
				close(errp[0]);
				errp[0] = -1;
			}
		}
	}
	while (wait4(pid, &r->status, 0, &r->usage) < 0 && errno == EINTR)
		;
	closep(&in[0]);
	closep(&out[0]);
	closep(&errp[0]);
	r->out = bo.data ? bo.data : strdup("");
	r->out_len = bo.len;
	r->out_truncated = bo.truncated;
	r->err = be.data ? be.data : strdup("");
	r->err_len = be.len;
	if (!r->out || !r->err) {
		util_spawn_result_free(r);
		errno = ENOMEM;
		return -1;
	}
	return 0;

fail:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		closep(&in[i]);
		closep(&out[i]);
		closep(&errp[i]);
	}
	errno = saved;
	return -1;
}

void util_spawn_result_free(struct util_spawn_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *util_spawn_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status 0x%x", status);
	return buf;
}
