/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c — `ccni exec`: a daemonless way to run one program on CNI
 * networks. Create a named netns, attach it to each network, run CMD inside
 * it as our child, and when CMD ends (or we get SIGINT/SIGTERM, passed on to
 * CMD) detach and remove the netns.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/cli.h"

#define NETNS_RUN_DIR "/run/netns"

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* A new network namespace bound at path (as `ip netns add` makes them). */
static int netns_create(const char *path, struct ccni_error *err)
{
	int fd, status;
	pid_t pid;

	if (util_mkdir_p(NETNS_RUN_DIR, 0755) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot create", NETNS_RUN_DIR);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot create", path);
	close(fd);
	pid = fork();
	if (pid < 0) {
		unlink(path);
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "fork");
	}
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(path);
		return ccni_error_set(err, CCNI_ERR_IO,
				      "%s: cannot create a network namespace (are you root?)", path);
	}
	return 0;
}

static void netns_remove(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* "8080:80/tcp" or "127.0.0.1:8080:80" into a portMappings entry. */
static json_t *port_mapping(const char *spec, struct ccni_error *err)
{
	char buf[128], *proto, *parts[3];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	proto = strchr(buf, '/');
	if (proto)
		*proto++ = '\0';
	for (char *p = buf, *s; n < 3 && (s = strsep(&p, ":"));)
		parts[n++] = s;
	if (n < 2 || atoi(parts[n - 2]) <= 0 || atoi(parts[n - 2]) > 65535 ||
	    atoi(parts[n - 1]) <= 0 || atoi(parts[n - 1]) > 65535) {
		ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
			       "--port %s: expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp|sctp]", spec);
		return NULL;
	}
	return json_pack("{s:i,s:i,s:s,s:s}", "hostPort", atoi(parts[n - 2]), "containerPort",
			 atoi(parts[n - 1]), "protocol", proto ? proto : "tcp", "hostIP",
			 n == 3 ? parts[0] : "");
}

int cli_exec(struct cli *c, const char *cmd, int argc, char **argv)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_runtime *rt = NULL;
	struct ccni_network *nets[CLI_MAX_LIST] = { 0 };
	char ifnames[CLI_MAX_LIST][16];
	_cleanup_json_ json_t *caps = json_object(), *ports = json_array();
	char path[128], cid[64];
	size_t n_nets = c->n_nets ? c->n_nets : 1, attached = 0;
	struct sigaction sa = { .sa_handler = forward }, old_int, old_term;
	int status = 0, rc = 1, nsfd = -1;
	bool made = false;

	(void)cmd;
	if (argc < 1) {
		fprintf(stderr, "ccni exec: a command is required: ccni exec [--net NAME] -- CMD ARGS\n");
		return 2;
	}
	snprintf(cid, sizeof(cid), "ccni-exec-%d-%lx", (int)getpid(), (unsigned long)time(NULL));
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, cid);
	for (size_t i = 0; i < c->n_ports; i++) {
		json_t *m = port_mapping(c->ports[i], &err);

		if (!m)
			return cli_fail(c, &err);
		json_array_append_new(ports, m);
	}
	if (json_array_size(ports))
		json_object_set(caps, "portMappings", ports);
	if (cli_runtime(c, &rt, &err) < 0)
		return cli_fail(c, &err);
	for (size_t i = 0; i < n_nets; i++)
		if (ccni_network_load(rt, c->n_nets ? c->nets[i] : NULL, &nets[i], &err) < 0)
			goto out;
	if (netns_create(path, &err) < 0)
		goto out;
	made = true;
	for (size_t i = 0; i < n_nets; i++) {
		struct ccni_attachment a = { .container_id = cid, .netns = path,
					     .capability_args = caps };
		_cleanup_json_ json_t *res = NULL;

		snprintf(ifnames[i], sizeof(ifnames[i]), "%.12s%u", c->ifname ? c->ifname : "eth",
			 (unsigned)(i % 100));
		if (n_nets == 1 && c->ifname)
			snprintf(ifnames[i], sizeof(ifnames[i]), "%s", c->ifname);
		a.ifname = ifnames[i];
		if (ccni_add(rt, nets[i], &a, &res, &err) < 0)
			goto out;
		attached++;
		if (c->json)
			cli_print_json(res);
	}
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "%s: cannot open", path);
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fflush(stdout);
	child_pid = fork();
	if (child_pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		if (setns(nsfd, CLONE_NEWNET) < 0) {
			fprintf(stderr, "ccni exec: setns: %s\n", strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "ccni exec: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (child_pid < 0) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "fork");
		goto out;
	}
	while (waitpid((pid_t)child_pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	if (nsfd >= 0)
		close(nsfd);
	while (attached-- > 0) {
		struct ccni_attachment a = { .container_id = cid, .netns = path,
					     .ifname = ifnames[attached], .capability_args = caps };
		struct ccni_error e = CCNI_ERROR_INIT;

		if (ccni_del(rt, nets[attached], &a, &e) < 0) {
			fprintf(stderr, "ccni exec: detaching %s: %s\n", ifnames[attached], e.msg);
			ccni_error_clear(&e);
		}
	}
	if (made)
		netns_remove(path);
	for (size_t i = 0; i < n_nets; i++)
		ccni_network_free(nets[i]);
	ccni_runtime_free(rt);
	if (ccni_error_is_set(&err))
		return cli_fail(c, &err);
	return rc;
}
