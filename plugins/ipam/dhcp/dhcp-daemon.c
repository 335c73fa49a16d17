/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-daemon.c — `dhcp daemon`: the long-running process that holds the
 * leases. It listens on the socket systemd hands it (socket activation:
 * LISTEN_FDS), or binds the socket path itself (a stale socket of a killed
 * daemon is replaced, a live one refused); reads back the leases on disk;
 * then serves plugins and renews leases in one poll loop. Started by hand
 * or by systemd it stays in the foreground and logs to stderr, as the
 * reference; started by the plugin (-autostart) it is already detached,
 * logs to P.d/daemon.log and leaves after holding no lease for a minute.
 * SIGTERM leaves the leases on disk for the next daemon to resume.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"

#define AUTOSTART_IDLE_MS 60000
#define LOG_MAX (1024 * 1024) /* then daemon.log becomes daemon.log.1 */
#define READY_FD 3

int64_t dhcpd_now(void)
{
	struct timespec ts;

	/* counts suspend: a lease runs out while the machine sleeps too */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appending, never through a symlink. */
static FILE *log_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (!f && fd >= 0)
		close(fd);
	return f;
}

static void log_rotate(struct dhcpd *d)
{
	char old[PATH_MAX + 4];

	if (d->log == stderr || !*d->o.logfile || ftell(d->log) < LOG_MAX)
		return;
	snprintf(old, sizeof(old), "%s.1", d->o.logfile);
	fclose(d->log);
	rename(d->o.logfile, old);
	d->log = log_file(d->o.logfile);
	if (!d->log)
		d->log = stderr;
}

/* SIGHUP: the log file again (a log rotation moved it away). */
static void log_reopen(struct dhcpd *d)
{
	FILE *f;

	if (d->log == stderr || !*d->o.logfile)
		return;
	f = log_file(d->o.logfile);
	if (!f)
		return;
	fclose(d->log);
	d->log = f;
}

void dhcpd_log(struct dhcpd *d, const char *fmt, ...)
{
	char when[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (!d->log)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime_r(&ts.tv_sec, &tm));
	fprintf(d->log, "%s.%03ld dhcp[%d]: ", when, ts.tv_nsec / 1000000, (int)getpid());
	va_start(ap, fmt);
	vfprintf(d->log, fmt, ap);
	va_end(ap);
	fputc('\n', d->log);
	fflush(d->log);
	log_rotate(d);
}

static int open_log(struct dhcpd *d, struct ccni_error *err)
{
	if (!*d->o.logfile && d->o.autostart)
		snprintf(d->o.logfile, sizeof(d->o.logfile), "%s/daemon.log", d->dir);
	if (!*d->o.logfile) {
		d->log = stderr;
		return 0;
	}
	d->log = log_file(d->o.logfile);
	if (!d->log)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "-logfile %s", d->o.logfile);
	return 0;
}

/* systemd socket activation: one stream socket as fd 3. 1 when used. */
static int from_systemd(struct dhcpd *d, struct ccni_error *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	struct sockaddr_un sa = { 0 };
	socklen_t len = sizeof(sa);

	if (d->o.autostart || !pid || !fds || atol(pid) != (long)getpid())
		return 0;
	if (atoi(fds) != 1)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "too many (%s) FDs passed through socket activation", fds);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	d->listen_fd = 3;
	/* the socket's own path, so that the lease files go beside it (a
	 * unit need not repeat it as -socketpath) */
	if (getsockname(3, (struct sockaddr *)&sa, &len) == 0 && sa.sun_family == AF_UNIX &&
	    sa.sun_path[0] == '/' && len > offsetof(struct sockaddr_un, sun_path))
		snprintf(d->o.socket_path, sizeof(d->o.socket_path), "%.*s",
			 (int)(len - offsetof(struct sockaddr_un, sun_path)), sa.sun_path);
	fcntl(3, F_SETFD, FD_CLOEXEC);
	fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK);
	return 1;
}

/* Is a daemon listening there? A path that is not a socket is refused. */
static int check_path(const char *path, struct ccni_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ccni_error_errno(err, CCNI_ERR_IO, errno, "%s", path);
	if (!S_ISSOCK(st.st_mode))
		return ccni_error_set(err, CCNI_ERR_IO, "%s exists and is not a socket", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return ccni_error_set(err, CCNI_ERR_IO, "a dhcp daemon already listens on %s", path);
	if (unlink(path) < 0 && errno != ENOENT) /* a dead daemon's */
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot remove the stale %s", path);
	return 0;
}

static int bind_socket(struct dhcpd *d, struct ccni_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[DHCP_PATH_MAX], lock[DHCP_FILE_MAX];
	_cleanup_close_ int lockfd = -1;
	mode_t old;
	int rc;

	snprintf(dir, sizeof(dir), "%s", d->o.socket_path);
	*strrchr(dir, '/') = '\0';
	if (*dir && util_mkdir_p(dir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot make %s", dir);
	/* by hand: the plugins' lock, so none starts a second daemon meanwhile
	 * (an autostarted daemon's starter holds it already) */
	if (!d->o.autostart) {
		dhcp_path(d->o.socket_path, ".lock", lock);
		lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (lockfd >= 0)
			flock(lockfd, LOCK_EX);
	}
	if (check_path(d->o.socket_path, err) < 0)
		return -1;
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->o.socket_path);
	old = umask(077); /* the socket is root's only */
	rc = bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(d->listen_fd, 256) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot listen on %s",
					d->o.socket_path);
	d->own_socket = true;
	return 0;
}

static int write_pidfile(struct dhcpd *d, struct ccni_error *err)
{
	char pid[24];
	int n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	char auto_pid[DHCP_FILE_MAX + 16];

	if (d->o.autostart && !*d->o.pidfile) {
		snprintf(auto_pid, sizeof(auto_pid), "%s/daemon.pid", d->dir);
		util_write_file_atomic(auto_pid, pid, (size_t)n, 0600, false);
	}
	if (!*d->o.pidfile)
		return 0;
	if (d->o.pidfile[0] != '/')
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "Error writing pidfile \"%s\": path not absolute", d->o.pidfile);
	if (util_write_file_atomic(d->o.pidfile, pid, (size_t)n, 0644, false) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "Error writing pidfile \"%s\"",
					d->o.pidfile);
	return 0;
}

static int setup(struct dhcpd *d, struct ccni_error *err)
{
	sigset_t set;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "signalfd");
	rc = from_systemd(d, err);
	if (rc < 0 || (rc == 0 && bind_socket(d, err) < 0))
		return -1;
	if (store_open(d, err) < 0 || open_log(d, err) < 0 || write_pidfile(d, err) < 0)
		return -1;
	rc = store_load(d, dhcpd_now());
	dhcpd_log(d, "listening on %s%s; %d lease(s) resumed", d->o.socket_path,
		  d->own_socket ? "" : " (socket activation)", rc < 0 ? 0 : rc);
	return 0;
}

/* Leave when idle: no lease, no plugin connected, for -idle-exit. Under
 * the plugins' lock taken without waiting (a plugin may be starting us
 * again), and only with no connection waiting to be accepted. */
static bool idle_done(struct dhcpd *d, int64_t now, int *lockfd)
{
	char lock[DHCP_FILE_MAX];
	struct pollfd p = { d->listen_fd, POLLIN, 0 };

	if (d->o.idle_exit_ms <= 0 || d->n_leases || d->conns) {
		d->idle_since = 0;
		return false;
	}
	if (!d->idle_since)
		d->idle_since = now;
	if (now - d->idle_since < d->o.idle_exit_ms)
		return false;
	dhcp_path(d->o.socket_path, ".lock", lock);
	*lockfd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (*lockfd >= 0 && flock(*lockfd, LOCK_EX | LOCK_NB) < 0) {
		close(*lockfd);
		*lockfd = -1;
		d->idle_since = now - d->o.idle_exit_ms + 1000; /* again in a second */
		return false;
	}
	if (poll(&p, 1, 0) > 0) { /* a plugin came meanwhile: serve it */
		if (*lockfd >= 0)
			close(*lockfd);
		*lockfd = -1;
		d->idle_since = 0;
		return false;
	}
	dhcpd_log(d, "no lease held for %lld s: leaving", (long long)d->o.idle_exit_ms / 1000);
	return true;
}

static int next_timeout(struct dhcpd *d, int64_t now)
{
	int64_t t = now + 3600 * 1000;

	for (struct lease *l = d->leases; l; l = l->lnext)
		if (l->next && l->next < t)
			t = l->next;
	for (struct conn *c = d->conns; c; c = c->next)
		if (!c->waiting && c->deadline && c->deadline < t)
			t = c->deadline;
	if (d->o.idle_exit_ms > 0 && d->idle_since && d->idle_since + d->o.idle_exit_ms < t)
		t = d->idle_since + d->o.idle_exit_ms;
	return t <= now ? 0 : (int)(t - now);
}

static void run_timers(struct dhcpd *d, int64_t now)
{
	struct lease *l, *next;

	/* a timer may drop its own lease, never another */
	for (l = d->leases; l; l = next) {
		next = l->lnext;
		if (l->next && l->next <= now)
			client_timer(d, l, now);
	}
}

struct pollset {
	struct pollfd *fds;
	void **who;
	size_t n, cap;
};

static int ps_add(struct pollset *ps, int fd, void *who)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct pollfd *f = realloc(ps->fds, cap * sizeof(*f));
		void **w = f ? realloc(ps->who, cap * sizeof(*w)) : NULL;

		if (f)
			ps->fds = f;
		if (!w)
			return -1;
		ps->who = w;
		ps->cap = cap;
	}
	ps->fds[ps->n] = (struct pollfd){ fd, POLLIN, 0 };
	ps->who[ps->n++] = who;
	return 0;
}

/* 1: leave (a signal, or idle). */
static int one_round(struct dhcpd *d, struct pollset *ps, size_t *n_leases, int *lockfd)
{
	int64_t now = dhcpd_now();
	struct signalfd_siginfo si;
	size_t n_conns;

	run_timers(d, now);
	serve_expire_conns(d, now);
	if (idle_done(d, now, lockfd))
		return 1;
	ps->n = 0;
	if (ps_add(ps, d->listen_fd, NULL) < 0 || ps_add(ps, d->sig_fd, NULL) < 0)
		return dhcpd_log(d, "out of memory"), 1;
	for (struct lease *l = d->leases; l; l = l->lnext)
		if (l->link.fd >= 0)
			ps_add(ps, l->link.fd, l);
	*n_leases = ps->n - 2;
	for (struct conn *c = d->conns; c; c = c->next)
		if (!c->waiting)
			ps_add(ps, c->fd, c);
	n_conns = ps->n - 2 - *n_leases;
	if (poll(ps->fds, ps->n, next_timeout(d, now)) < 0 && errno != EINTR)
		return dhcpd_log(d, "poll: %s", strerror(errno)), 1;
	now = dhcpd_now();
	if (ps->fds[1].revents && read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGHUP)
			return dhcpd_log(d, "signal %u: leaving; the leases stay on disk", si.ssi_signo), 1;
		log_reopen(d);
	}
	/* the leases' packets first: a plugin's DEL may drop a lease below */
	for (size_t i = 2; i < 2 + *n_leases; i++)
		if (ps->fds[i].revents)
			client_input(d, ps->who[i], now);
	for (size_t i = 2 + *n_leases; i < 2 + *n_leases + n_conns; i++)
		if (ps->fds[i].revents)
			serve_conn(d, ps->who[i], now);
	if (ps->fds[0].revents)
		serve_accept(d, now);
	return 0;
}

static void teardown(struct dhcpd *d)
{
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->own_socket)
		unlink(d->o.socket_path);
	if (*d->o.pidfile)
		unlink(d->o.pidfile);
	while (d->leases) { /* memory only: the files stay */
		struct lease *l = d->leases;

		dhcp_link_close(&l->link);
		lease_drop(d, l);
	}
	while (d->conns)
		serve_expire_conns(d, INT64_MAX);
}

static void report_ready(struct dhcpd *d, const struct ccni_error *err)
{
	if (!d->o.autostart)
		return;
	if (err)
		dprintf(READY_FD, "%s\n", err->msg);
	else
		dprintf(READY_FD, "ok\n");
	close(READY_FD);
}

int dhcp_daemon_main(int argc, char **argv)
{
	struct dhcpd *d = calloc(1, sizeof(*d));
	struct ccni_error e = CCNI_ERROR_INIT;
	struct pollset ps = { 0 };
	char path[DHCP_PATH_MAX], full[2 * PATH_MAX];
	size_t nl;
	int status = 0, lockfd = -1;

	if (!d)
		return 1;
	d->listen_fd = d->sig_fd = d->dir_fd = -1;
	if (dhcp_flags_parse(&d->o, argc - 2, argv + 2, &status) < 0) {
		free(d);
		return status;
	}
	if (d->o.idle_exit_ms < 0)
		d->o.idle_exit_ms = d->o.autostart ? AUTOSTART_IDLE_MS : 0;
	if (d->o.timeout_ms <= 0 || d->o.resendmax_ms <= 0) {
		fprintf(stderr, "-timeout and -resendmax must be more than 0\n");
		free(d);
		return 2;
	}
	/* as the reference: the prefix goes in front of the socket path too */
	snprintf(path, sizeof(path), "%s", *d->o.socket_path ? d->o.socket_path : DHCP_SOCKET_DEFAULT);
	snprintf(full, sizeof(full), "%s%s", d->o.hostprefix, path);
	if (strlen(full) >= DHCP_PATH_MAX || full[0] != '/') {
		fprintf(stderr, "-socketpath %s: not an absolute path of at most %d bytes\n", full,
			DHCP_PATH_MAX - 1);
		free(d);
		return 2;
	}
	memcpy(d->o.socket_path, full, strlen(full) + 1);
	srandom((unsigned)(getpid() ^ time(NULL)));
	if (setup(d, &e) < 0) {
		report_ready(d, &e);
		if (d->log)
			dhcpd_log(d, "%s", e.msg);
		else
			fprintf(stderr, "%s\n", e.msg);
		ccni_error_clear(&e);
		status = 1;
	} else {
		report_ready(d, NULL);
		while (one_round(d, &ps, &nl, &lockfd) == 0)
			;
	}
	teardown(d);
	if (d->log && d->log != stderr)
		fclose(d->log);
	free(ps.fds);
	free(ps.who);
	free(d);
	if (lockfd >= 0)
		close(lockfd);
	return status;
}
