/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c — `ccni exec`: a daemonless way to run one program on CNI
 * networks, as a container runtime would run it. Create a named netns (lo
 * up), attach it to each network (eth0, eth1, ...; --ip and --mac through
 * the ips and mac capabilities, --port through portMappings), run CMD in it
 * as our child with /etc/hosts and /etc/resolv.conf from the results in a
 * mount namespace of its own, pass on the signals we get, and when CMD
 * ends detach, remove the netns and exit with CMD's status. What a killed
 * ccni leaves is for `ccni gc` (exec-gc.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/cli.h"
#include "tools/ccni/exec.h"

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };

static volatile sig_atomic_t child_pid, stop_sig;

/* A signal someone sent us goes to CMD. One the terminal sent went to CMD
 * too (same process group): not twice. Before CMD runs, INT/TERM/HUP/QUIT
 * stop the attaching instead of killing ccni half way. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child_pid > 0) {
		if (si->si_code != SI_KERNEL)
			kill((pid_t)child_pid, sig);
	} else if (sig != SIGUSR1 && sig != SIGUSR2 && sig != SIGWINCH) {
		stop_sig = sig;
	}
}

struct exec_state {
	struct cli *c;
	struct ccni_runtime *rt;
	struct ccni_network *nets[CLI_MAX_LIST];
	json_t *caps[CLI_MAX_LIST];
	json_t *results[CLI_MAX_LIST];
	char ifnames[CLI_MAX_LIST][16];
	size_t n_nets, attached;
	char *id, netns[128], files[128];
	bool netns_made, resolv;
	struct sigaction old[ARRAY_SIZE(forwarded)];
};

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

/* The capability arguments of network i: the ports, and the --ip and
 * --mac given after its --net. */
static int net_caps(struct exec_state *s, size_t i, json_t *ports, struct ccni_error *err)
{
	json_t *caps = s->caps[i] = json_object(), *ips = json_array();
	struct cli *c = s->c;

	if (json_array_size(ports))
		json_object_set(caps, "portMappings", ports);
	for (size_t k = 0; k < c->n_ips; k++) {
		struct ccni_ipnet n;
		struct ccni_ip ip;

		if (c->ips[k].net != i)
			continue;
		if (ccni_ip_parse(c->ips[k].value, &ip) < 0 && ccni_ipnet_parse(c->ips[k].value, &n) < 0) {
			json_decref(ips);
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "--ip %s: not an IP address (ADDR or ADDR/PREFIX)",
					      c->ips[k].value);
		}
		json_array_append_new(ips, json_string(c->ips[k].value));
	}
	if (json_array_size(ips))
		json_object_set(caps, "ips", ips);
	json_decref(ips);
	for (size_t k = 0; k < c->n_macs; k++) {
		uint8_t mac[6];

		if (c->macs[k].net != i)
			continue;
		if (ccni_mac_parse(c->macs[k].value, mac) < 0)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "--mac %s: not a MAC address (xx:xx:xx:xx:xx:xx)",
					      c->macs[k].value);
		json_object_set_new(caps, "mac", json_string(c->macs[k].value));
	}
	return 0;
}

static int prepare(struct exec_state *s, struct ccni_error *err)
{
	struct cli *c = s->c;
	_cleanup_json_ json_t *ports = json_array();

	for (size_t i = 0; i < c->n_ports; i++) {
		json_t *m = port_mapping(c->ports[i], err);

		if (!m)
			return -1;
		json_array_append_new(ports, m);
	}
	for (size_t i = 0; i < s->n_nets; i++) {
		if (net_caps(s, i, ports, err) < 0 ||
		    ccni_network_load(s->rt, c->n_nets ? c->nets[i] : NULL, &s->nets[i], err) < 0)
			return -1;
		snprintf(s->ifnames[i], sizeof(s->ifnames[i]), "%.12s%u", c->ifname ? c->ifname : "eth",
			 (unsigned)(i % 100));
		if (s->n_nets == 1 && c->ifname)
			snprintf(s->ifnames[i], sizeof(s->ifnames[i]), "%s", c->ifname);
	}
	s->id = exec_id_new();
	if (!s->id)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	snprintf(s->netns, sizeof(s->netns), "%s/%s", EXEC_NETNS_DIR, s->id);
	snprintf(s->files, sizeof(s->files), "%s/%s", EXEC_FILES_DIR, s->id);
	return 0;
}

/* The namespace, each network, the program's files. Stops early when
 * asked to (a signal before the program ran). */
static int attach(struct exec_state *s, struct ccni_error *err)
{
	/* The files' directory first: `ccni gc` finds a killed exec by it. */
	if (util_mkdir_p(s->files, 0755) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot create", s->files);
	if (exec_netns_create(s->netns, err) < 0)
		return -1;
	s->netns_made = true;
	for (size_t i = 0; i < s->n_nets && !stop_sig; i++) {
		struct ccni_attachment a = { .container_id = s->id, .netns = s->netns,
					     .ifname = s->ifnames[i], .args = getenv("CNI_ARGS"),
					     .capability_args = s->caps[i] };

		if (ccni_add(s->rt, s->nets[i], &a, &s->results[i], err) < 0)
			return -1;
		s->attached++;
		if (s->c->json)
			cli_print_json(s->results[i]);
	}
	if (stop_sig)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "stopped by signal %d before the program ran",
				      (int)stop_sig);
	return exec_files_write(s->files, s->results, s->attached, &s->resolv, err);
}

static void child(struct exec_state *s, char **argv)
{
	const char *what = "setns";
	int nsfd = open(s->netns, O_RDONLY | O_CLOEXEC);
	sigset_t none;

	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &s->old[i], NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0 ||
	    exec_files_mount(s->files, s->resolv, &what) < 0) {
		fprintf(stderr, "ccni exec: %s: %s\n", what, strerror(errno));
		_exit(127);
	}
	close(nsfd);
	execvp(argv[0], argv);
	fprintf(stderr, "ccni exec: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* CMD's exit status, as a shell gives it (128 + N when killed by N). */
static int run(struct exec_state *s, char **argv, struct ccni_error *err)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "fork");
	if (pid == 0)
		child(s, argv);
	child_pid = pid;
	if (stop_sig) /* came between the last check and child_pid */
		kill(pid, stop_sig);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void detach(struct exec_state *s)
{
	while (s->attached-- > 0) {
		size_t i = s->attached;
		struct ccni_attachment a = { .container_id = s->id, .netns = s->netns,
					     .ifname = s->ifnames[i], .args = getenv("CNI_ARGS"),
					     .capability_args = s->caps[i] };
		struct ccni_error e = CCNI_ERROR_INIT;

		if (ccni_del(s->rt, s->nets[i], &a, &e) < 0) {
			fprintf(stderr, "ccni exec: detaching %s: %s\n", s->ifnames[i], e.msg);
			ccni_error_clear(&e);
		}
	}
	if (s->netns_made)
		exec_netns_remove(s->netns);
	if (s->id)
		exec_files_remove(s->files);
	for (size_t i = 0; i < s->n_nets; i++) {
		ccni_network_free(s->nets[i]);
		json_decref(s->caps[i]);
		json_decref(s->results[i]);
	}
	free(s->id);
	ccni_runtime_free(s->rt);
}

int cli_exec(struct cli *c, const char *cmd, int argc, char **argv)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct exec_state s = { .c = c, .n_nets = c->n_nets ? c->n_nets : 1 };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	int rc = 1;

	(void)cmd;
	if (argc < 1) {
		fprintf(stderr, "ccni exec: a command is required: ccni exec [--net NAME] -- CMD ARGS\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, &s.old[i]);
	if (cli_runtime(c, &s.rt, &err) == 0 && prepare(&s, &err) == 0 && attach(&s, &err) == 0)
		rc = run(&s, argv, &err);
	detach(&s);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &s.old[i], NULL);
	if (ccni_error_is_set(&err))
		return cli_fail(c, &err);
	return rc;
}
