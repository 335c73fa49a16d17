/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni-docker — a Docker (legacy, v1) network and IPAM plugin that puts
 * `docker run` containers on CNI networks through libccni. This file: the
 * options, start-up (state, orphan collection, the socket), and serving
 * connections, one thread each, until SIGTERM/SIGINT. Runs in the
 * foreground and logs to stderr, as a systemd service does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"
#include "tools/ccni-docker/http.h"

#define MAX_CONNECTIONS 256
#define DRAIN_S 60

static const char usage[] =
	"Usage: ccni-docker [OPTIONS]\n"
	"\n"
	"Docker network and IPAM driver for CNI networks: docker run containers\n"
	"join a CNI network (its plugins run through libccni) and share its\n"
	"host-local address pool with every other CNI runtime on the node.\n"
	"\n"
	"  --socket PATH      listen here (default " CD_DEFAULT_SOCKET ")\n"
	"  --conf-dir DIR     CNI network configs (default $NETCONFPATH or /etc/cni/net.d)\n"
	"  --cni-path PATH    plugin directories, ':'-separated (default $CNI_PATH or\n"
	"                     /opt/cni/bin)\n"
	"  --cache-dir DIR    libcni's result cache (default $CNI_CACHE_DIR or /var/lib/cni)\n"
	"  --state-dir DIR    the daemon's records (default " CD_DEFAULT_STATE_DIR ")\n"
	"  --timeout MS       kill a CNI plugin running longer than MS ms (default 20000)\n"
	"  -h, --help         this text\n"
	"\n"
	"  docker network create -d ccni --ipam-driver ccni --subnet SUBNET \\\n"
	"      --opt cni.network=NAME --ipam-opt cni.network=NAME NAME\n"
	"\n"
	"See ccni-docker(8).\n";

struct conn_arg {
	struct cd *cd;
	int fd;
};

static atomic_int active;   /* connections being served */
static atomic_int busy;     /* requests being handled */
static int stop_pipe[2] = { -1, -1 };

static char *handle(void *data, const struct http_request *req, int *status)
{
	char *out;

	atomic_fetch_add(&busy, 1);
	out = cd_dispatch(data, req->path, req->body, req->body_len, status);
	atomic_fetch_sub(&busy, 1);
	return out;
}

static void *serve(void *arg)
{
	struct conn_arg *c = arg;

	http_serve(c->fd, stop_pipe[0], handle, c->cd);
	close(c->fd);
	free(c);
	atomic_fetch_sub(&active, 1);
	return NULL;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int parse_args(struct cd *cd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },  { "conf-dir", required_argument, NULL, 'c' },
		{ "cni-path", required_argument, NULL, 'p' }, { "cache-dir", required_argument, NULL, 'C' },
		{ "state-dir", required_argument, NULL, 'S' }, { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },           { 0 },
	};
	int o;

	cd->socket = CD_DEFAULT_SOCKET;
	cd->conf_dir = env_or("NETCONFPATH", CCNI_DEFAULT_CONF_DIR);
	cd->cni_path = env_or("CNI_PATH", "/opt/cni/bin");
	cd->cache_dir = env_or("CNI_CACHE_DIR", CCNI_DEFAULT_CACHE_DIR);
	cd->state_dir = CD_DEFAULT_STATE_DIR;
	cd->timeout_ms = CD_DEFAULT_TIMEOUT_MS;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (o) {
		case 's': cd->socket = optarg; break;
		case 'c': cd->conf_dir = optarg; break;
		case 'p': cd->cni_path = optarg; break;
		case 'C': cd->cache_dir = optarg; break;
		case 'S': cd->state_dir = optarg; break;
		case 't':
			cd->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || cd->timeout_ms <= 0) {
				fprintf(stderr, "ccni-docker: --timeout %s: expected milliseconds > 0\n",
					optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ccni-docker: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Listen on the socket path, replacing a socket left by an earlier run. */
static int listen_on(const char *path, struct ccni_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "--socket %s: path too long", path);
	if (slash && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0755);
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "--socket %s exists and is not a socket", path);
		unlink(path);
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot create a socket");
	{
		/* Docker runs as root; nobody else may drive the plugin */
		mode_t old = umask(077);
		int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));

		umask(old);
		if (rc < 0 || listen(fd, 128) < 0) {
			int e = errno;

			close(fd);
			return ccni_error_errno(err, CCNI_ERR_IO, e, "--socket %s: cannot listen", path);
		}
	}
	return fd;
}

static int start(struct cd *cd, struct ccni_error *err)
{
	struct ccni_runtime_opts o = {
		.plugin_path = cd->cni_path,
		.conf_dir = cd->conf_dir,
		.cache_dir = cd->cache_dir,
		.timeout_ms = cd->timeout_ms,
	};

	pthread_mutex_init(&cd->lock, NULL);
	cd->host_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (cd->host_netns < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open /proc/self/ns/net");
	if (ccni_runtime_new(&o, &cd->rt, err) < 0 || state_init(cd, err) < 0)
		return -1;
	if (pipe2(stop_pipe, O_CLOEXEC) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot create a pipe");
	return 0;
}

static void accept_one(struct cd *cd, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	struct conn_arg *c;
	pthread_attr_t attr;
	pthread_t t;

	if (fd < 0)
		return;
	if (atomic_load(&active) >= MAX_CONNECTIONS || !(c = malloc(sizeof(*c)))) {
		cd_log("refusing a connection: %d connections are open", atomic_load(&active));
		close(fd);
		return;
	}
	c->cd = cd;
	c->fd = fd;
	atomic_fetch_add(&active, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	if (pthread_create(&t, &attr, serve, c) != 0) {
		atomic_fetch_sub(&active, 1);
		close(fd);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

/* Serve until a signal; then let requests in flight finish (a Join half
 * done would leave a chain half made), at most DRAIN_S seconds. */
static void run(struct cd *cd, int lfd)
{
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (p[0].revents & POLLIN)
			accept_one(cd, lfd);
	}
	close(lfd);
	unlink(cd->socket);
	cd_log("stopping: %d requests in flight", atomic_load(&busy));
	if (write(stop_pipe[1], "x", 1) < 0)
		cd_log("cannot wake the idle connections");
	for (int i = 0; i < DRAIN_S * 10 && atomic_load(&busy) > 0; i++)
		usleep(100 * 1000);
}

int main(int argc, char **argv)
{
	struct cd cd = { 0 };
	struct ccni_error err = CCNI_ERROR_INIT;
	int rc, lfd;

	util_std_fds_open();
	rc = parse_args(&cd, argc, argv);

	if (rc)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	if (start(&cd, &err) < 0 || (lfd = listen_on(cd.socket, &err)) < 0) {
		fprintf(stderr, "ccni-docker: %s\n", err.msg);
		return 1;
	}
	/* Before serving: a restarted daemon answers from disk (Docker does
	 * not activate a plugin twice), after cleaning what a crash left. */
	gc_orphans(&cd);
	cd_log("listening on %s (CNI networks in %s, plugins in %s, state in %s)", cd.socket,
	       cd.conf_dir, cd.cni_path, cd.state_dir);
	run(&cd, lfd);
	cd_log("stopped");
	/* Threads of idle connections may still be unwinding; the process
	 * exits under them rather than freeing what they use. */
	return 0;
}
