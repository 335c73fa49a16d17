/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-ipc.c — the plugin's side of the plugin <-> daemon protocol, and
 * starting the daemon when nothing answers. One connection per call: the
 * request as JSON, the writing side shut, the reply as JSON until the
 * daemon closes.
 *
 * Starting (P.lock, flock): a plugin that finds no daemon takes the lock,
 * looks again, and only then starts one, so racing ADDs start exactly one.
 * A daemon that exits when idle takes the lock too (without waiting), and
 * a connection it never accepted is closed unanswered: the plugin then
 * tries once more, and finds the socket gone or starts a new daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/dhcp/dhcp.h"

#define REPLY_TIMEOUT_MS (300 * 1000) /* the daemon answers within its -timeout */
#define START_TIMEOUT_MS (10 * 1000)

extern char **environ;

static int connect_to(const char *path, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

/* P.lock, made (with P's directory, 0700) when make is set. -1 when it
 * does not exist and make is not set. */
static int open_lock(const char *sock, bool make, struct ccni_error *err)
{
	char path[DHCP_FILE_MAX], dir[DHCP_FILE_MAX];
	int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (make ? O_CREAT : 0);
	int fd;
	struct stat st;

	dhcp_path(sock, ".lock", path);
	fd = open(path, flags, 0600);
	if (fd < 0 && errno == ENOENT && make) {
		snprintf(dir, sizeof(dir), "%s", sock);
		*strrchr(dir, '/') = '\0';
		if (*dir && util_mkdir_p(dir, 0700) < 0)
			return ccni_error_errno(err, CCNI_ERR_IO, errno,
						"ipam.daemonSocketPath: cannot make %s", dir);
		fd = open(path, flags, 0600);
	}
	if (fd < 0)
		return errno == ENOENT && !make ? -1 :
		       ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ccni_error_set(err, CCNI_ERR_IO, "%s is not a regular file", path);
	}
	return fd;
}

static int lock(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The grandchild: a new session, stdio on /dev/null, the ready pipe as
 * fd 3 and nothing else open (the runtime's pipes must see EOF when the
 * plugin exits), signals as at boot, then the daemon. */
static void exec_daemon(const char *exe, const char *sock, int ready)
{
	char *argv[] = { "dhcp", "daemon", "-socketpath", (char *)sock, "-autostart", NULL };
	char *env[8] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin" };
	int n = 1, nul, hi = fcntl(ready, F_DUPFD_CLOEXEC, 10);
	sigset_t none;

	for (char **e = environ; *e && n < 7; e++)
		if (!strncmp(*e, "ASAN_OPTIONS=", 13) || !strncmp(*e, "UBSAN_OPTIONS=", 14) ||
		    !strncmp(*e, "LSAN_OPTIONS=", 13))
			env[n++] = *e;
	env[n] = NULL;
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && nul >= 0; i++)
		dup2(nul, i);
	if (hi < 0 || dup2(hi, 3) < 0)
		_exit(126);
	close_range(4, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (chdir("/") < 0)
		_exit(126);
	umask(077);
	execve(exe, argv, env);
	dprintf(3, "cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

/* Read until EOF (or, with line, a newline), at most cap bytes, within
 * timeout_ms: the count, -1 with errno, or -2 on timeout. */
static ssize_t read_within(int fd, char *buf, size_t cap, int timeout_ms, bool line)
{
	struct pollfd p = { fd, POLLIN, 0 };
	unsigned long long end = util_now_ns() + (unsigned long long)timeout_ms * 1000000ULL;
	size_t n = 0;

	while (n < cap && !(line && memchr(buf, '\n', n))) {
		long long left = (long long)(end - util_now_ns()) / 1000000;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -2;
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Read the daemon's first line: "ok", or why it could not start. */
static int wait_ready(int fd, const char *sock, struct ccni_error *err)
{
	char buf[512];
	ssize_t n = read_within(fd, buf, sizeof(buf) - 1, START_TIMEOUT_MS, true);

	if (n == -2)
		return ccni_error_set(err, CCNI_ERR_PLUGIN_UNAVAILABLE,
				      "dhcp daemon on %s did not get ready within %d s", sock,
				      START_TIMEOUT_MS / 1000);
	buf[n < 0 ? 0 : n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (streq(buf, "ok"))
		return 0;
	if (!*buf)
		return ccni_error_set(err, CCNI_ERR_PLUGIN_UNAVAILABLE,
				      "dhcp daemon on %s exited before it was ready (see %s.d/daemon.log)",
				      sock, sock);
	return ccni_error_set(err, CCNI_ERR_PLUGIN_UNAVAILABLE,
			      "dhcp daemon on %s could not start: %s", sock, buf);
}

static int start_daemon(const char *sock, struct ccni_error *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int p[2], st, rc;
	pid_t pid;

	if (n <= 0)
		return ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, errno,
					"dhcp daemon: cannot find our own executable");
	exe[n] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, errno,
					"dhcp daemon: cannot make a pipe");
	pid = fork();
	if (pid == 0) {
		pid_t g;

		setsid();
		g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);
		exec_daemon(exe, sock, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, errno,
					"dhcp daemon: cannot fork");
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rc = wait_ready(p[0], sock, err);
	close(p[0]);
	return rc;
}

int dhcp_ipc_send(int fd, json_t *msg)
{
	_cleanup_free_ char *text = json_dumps(msg, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0, off = 0;

	if (!text || len > DHCP_IPC_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	/* MSG_NOSIGNAL: a peer that went away is an error, not SIGPIPE */
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* 0, -1, or 2 when the daemon closed without answering. */
static int read_reply(int fd, const char *sock, json_t **out, struct ccni_error *err)
{
	_cleanup_free_ char *buf = malloc(DHCP_IPC_MAX + 1);
	ssize_t n;
	json_error_t je;

	if (!buf)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	n = read_within(fd, buf, DHCP_IPC_MAX, REPLY_TIMEOUT_MS, false);
	if (n == -2)
		return ccni_error_set(err, CCNI_ERR_TIMEOUT,
				      "dhcp daemon on %s gave no answer within %d s", sock,
				      REPLY_TIMEOUT_MS / 1000);
	if ((n < 0 && errno == ECONNRESET) || n == 0)
		return 2; /* closed unanswered */
	if (n < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "dhcp daemon on %s", sock);
	if (n == DHCP_IPC_MAX)
		return ccni_error_set(err, CCNI_ERR_IO, "dhcp daemon on %s: reply too long", sock);
	if (n >= 5 && !memcmp(buf, "HTTP/", 5))
		return ccni_error_set(err, CCNI_ERR_PLUGIN_UNAVAILABLE,
				      "the daemon on %s is not ccni's (the reference's dhcp daemon?): "
				      "stop it, ccni's plugin starts its own",
				      sock);
	*out = json_loadb(buf, (size_t)n, 0, &je);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ccni_error_set(err, CCNI_ERR_IO, "dhcp daemon on %s: reply is not JSON: %s",
				      sock, je.text);
	}
	return 0;
}

/* Connect, starting the daemon when allowed and needed. 0, 1 (nobody
 * answers, start not allowed) or -1. */
static int reach(const char *sock, bool start, int *fd, struct ccni_error *err)
{
	_cleanup_close_ int lockfd = -1;
	int rc = connect_to(sock, fd);

	if (rc != -ENOENT && rc != -ECONNREFUSED)
		goto out;
	if (!start)
		return 1;
	lockfd = open_lock(sock, true, err);
	if (lockfd < 0)
		return -1;
	if (lock(lockfd, LOCK_EX) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s.lock", sock);
	rc = connect_to(sock, fd);
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		if (start_daemon(sock, err) < 0)
			return -1;
		rc = connect_to(sock, fd);
	}
out:
	if (rc < 0)
		return ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, -rc,
					"cannot reach the dhcp daemon on %s", sock);
	return 0;
}

/* One exchange; 2 when the daemon closed without answering. */
static int exchange(const char *sock, json_t *req, bool start, json_t **reply,
		    struct ccni_error *err)
{
	_cleanup_close_ int fd = -1;
	int rc = reach(sock, start, &fd, err);

	if (rc != 0)
		return rc;
	if (dhcp_ipc_send(fd, req) < 0 || shutdown(fd, SHUT_WR) < 0) {
		if (errno == EPIPE || errno == ECONNRESET)
			return 2;
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "dhcp daemon on %s: cannot send",
					sock);
	}
	return read_reply(fd, sock, reply, err);
}

int dhcp_ipc_call(const char *sock, json_t *req, bool start, json_t **reply,
		  struct ccni_error *err)
{
	_cleanup_json_ json_t *r = NULL;
	json_t *e;
	int rc = exchange(sock, req, start, &r, err);

	/* a daemon that was leaving as we came: once more (a daemon never
	 * closes a connection it took without answering) */
	if (rc == 2) {
		ccni_error_clear(err);
		rc = exchange(sock, req, start, &r, err);
	}
	if (rc == 2)
		return ccni_error_set(err, CCNI_ERR_IO,
				      "dhcp daemon on %s closed the connection without an answer "
				      "(see its log)",
				      sock);
	if (rc != 0)
		return rc;
	e = json_object_get(r, "error");
	if (e) {
		if (ccni_error_from_json(e, err) < 0)
			ccni_error_set(err, CCNI_ERR_IO, "dhcp daemon on %s: malformed error", sock);
		return -1;
	}
	*reply = TAKE_PTR(r);
	return 0;
}

int dhcp_ipc_can_start(const char *sock, struct ccni_error *err)
{
	_cleanup_close_ int lockfd = open_lock(sock, true, err);

	if (lockfd < 0)
		return -1;
	if (access("/proc/self/exe", X_OK) < 0)
		return ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, errno,
					"cannot run our own executable to start the dhcp daemon");
	return 0;
}

json_t *dhcp_json_hex(const uint8_t *p, size_t n)
{
	_cleanup_free_ char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * n] = '\0';
	return json_string(s);
}

ssize_t dhcp_json_unhex(json_t *v, uint8_t *out, size_t cap)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;

	if (!s || n % 2 || n / 2 > cap || strspn(s, "0123456789abcdefABCDEF") != n)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return (ssize_t)(n / 2);
}

int dhcp_json_put_options(json_t *obj, const uint8_t *request, int n_request,
			  const struct dhcp_option *provide, int n_provide)
{
	json_t *req = json_array(), *prov = json_array();

	for (int i = 0; req && i < n_request; i++)
		json_array_append_new(req, json_integer(request[i]));
	for (int i = 0; prov && i < n_provide; i++)
		json_array_append_new(prov, json_pack("{s:i,s:o}", "code", provide[i].code, "value",
						      dhcp_json_hex(provide[i].data, provide[i].len)));
	if (!req || !prov || json_object_set_new(obj, "request", req) < 0 ||
	    json_object_set_new(obj, "provide", prov) < 0)
		return -1;
	return 0;
}

int dhcp_json_get_options(json_t *obj, uint8_t *request, int *n_request,
			  struct dhcp_option *provide, int *n_provide)
{
	json_t *v;
	size_t i;

	*n_request = *n_provide = 0;
	json_array_foreach(json_object_get(obj, "request"), i, v) {
		json_int_t code = json_integer_value(v);

		if (*n_request == DHCP_MAX_REQUEST || code <= 0 || code >= 255)
			return -1;
		request[(*n_request)++] = (uint8_t)code;
	}
	json_array_foreach(json_object_get(obj, "provide"), i, v) {
		struct dhcp_option *o = &provide[*n_provide];
		json_int_t code = json_integer_value(json_object_get(v, "code"));
		ssize_t n;

		if (*n_provide == DHCP_MAX_PROVIDE || code <= 0 || code >= 255)
			return -1;
		n = dhcp_json_unhex(json_object_get(v, "value"), o->data, sizeof(o->data));
		if (n < 0)
			return -1;
		o->code = (uint8_t)code;
		o->len = (uint8_t)n;
		(*n_provide)++;
	}
	return 0;
}
