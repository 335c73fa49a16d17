/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec-ns.c — what makes `ccni exec` look like a container to its program:
 * a named network namespace with lo up, and /etc/hosts and
 * /etc/resolv.conf from the attachment results, seen only by the program
 * (a private mount namespace; the host's files are never touched).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/result.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni/exec.h"

#define FILE_MAX 65536

/* In the new namespace: lo up, as every container runtime leaves it. */
static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

int exec_netns_create(const char *path, struct ccni_error *err)
{
	int fd, status;
	pid_t pid;

	if (util_mkdir_p(EXEC_NETNS_DIR, 0755) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot create", EXEC_NETNS_DIR);
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
		if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0 ||
		    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		exec_netns_remove(path);
		return ccni_error_set(err, CCNI_ERR_IO,
				      "%s: cannot create a network namespace (are you root?)", path);
	}
	return 0;
}

void exec_netns_remove(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

struct text {
	char buf[FILE_MAX];
	size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len > sizeof(t->buf))
		t->len = sizeof(t->buf);
}

static bool listed(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

/* Every result's DNS in one, each value once, in the results' order. */
static int merge_dns(struct ccni_result *const *r, size_t n, struct ccni_dns *d)
{
	for (size_t i = 0; i < n; i++) {
		const struct ccni_dns *s = &r[i]->dns;

		for (size_t k = 0; k < s->n_nameservers; k++)
			if (!listed(d->nameservers, d->n_nameservers, s->nameservers[k]) &&
			    ccni_strv_append(&d->nameservers, &d->n_nameservers, s->nameservers[k]) < 0)
				return -1;
		for (size_t k = 0; k < s->n_search; k++)
			if (!listed(d->search, d->n_search, s->search[k]) &&
			    ccni_strv_append(&d->search, &d->n_search, s->search[k]) < 0)
				return -1;
		for (size_t k = 0; k < s->n_options; k++)
			if (!listed(d->options, d->n_options, s->options[k]) &&
			    ccni_strv_append(&d->options, &d->n_options, s->options[k]) < 0)
				return -1;
		if (s->domain && !d->domain && !(d->domain = strdup(s->domain)))
			return -1;
	}
	return 0;
}

/* resolv.conf: the results' nameservers (the host's when they name none),
 * search (or domain) and options. */
static void resolv_text(const struct ccni_dns *d, struct text *t)
{
	if (d->n_nameservers == 0) {
		_cleanup_free_ char *host = util_read_file("/etc/resolv.conf", FILE_MAX, NULL, false);
		char *save = NULL;

		for (char *l = host ? strtok_r(host, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
			if (!strncmp(l, "nameserver", 10))
				put(t, "%s\n", l);
	}
	for (size_t i = 0; i < d->n_nameservers; i++)
		put(t, "nameserver %s\n", d->nameservers[i]);
	/* "domain" and "search" exclude each other (resolv.conf(5)). */
	if (d->n_search) {
		put(t, "search");
		for (size_t i = 0; i < d->n_search; i++)
			put(t, " %s", d->search[i]);
		put(t, "\n");
	} else if (d->domain) {
		put(t, "domain %s\n", d->domain);
	}
	if (d->n_options) {
		put(t, "options");
		for (size_t i = 0; i < d->n_options; i++)
			put(t, " %s", d->options[i]);
		put(t, "\n");
	}
}

static void hosts_text(struct ccni_result *const *r, size_t n, const char *domain, struct text *t)
{
	char host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	put(t, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r[i]->n_ips; k++) {
			char a[CCNI_IP_STRLEN];

			ccni_ip_format(&r[i]->ips[k].address.ip, a);
			if (domain)
				put(t, "%s\t%s.%s %s\n", a, host, domain, host);
			else
				put(t, "%s\t%s\n", a, host);
		}
}

static int write_file(const char *dir, const char *name, const struct text *t,
		      struct ccni_error *err)
{
	_cleanup_free_ char *path = util_asprintf("%s/%s", dir, name);

	if (!path)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_write_file_atomic(path, t->buf, t->len, 0644, false) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot write", path);
	return 0;
}

static void results_free(struct ccni_result **r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ccni_result_free(r[i]);
}

int exec_files_write(const char *dir, json_t *const *results, size_t n, bool *resolv,
		     struct ccni_error *err)
{
	struct ccni_result *r[64] = { 0 };
	struct ccni_dns d = { 0 };
	static struct text t;
	int rc = -1;

	*resolv = false;
	if (n > ARRAY_SIZE(r))
		n = ARRAY_SIZE(r);
	for (size_t i = 0; i < n; i++)
		if (ccni_result_decode(results[i], NULL, &r[i], err) < 0)
			goto out;
	if (util_mkdir_p(dir, 0755) < 0) {
		ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot create", dir);
		goto out;
	}
	if (merge_dns(r, n, &d) < 0) {
		ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		goto out;
	}
	t.len = 0;
	hosts_text(r, n, d.domain, &t);
	if (write_file(dir, "hosts", &t, err) < 0)
		goto out;
	if (d.n_nameservers || d.n_search || d.n_options || d.domain) {
		t.len = 0;
		resolv_text(&d, &t);
		if (write_file(dir, "resolv.conf", &t, err) < 0)
			goto out;
		*resolv = true;
	}
	rc = 0;
out:
	ccni_dns_clear(&d);
	results_free(r, n);
	return rc;
}

void exec_files_remove(const char *dir)
{
	static const char *const names[] = { "hosts", "resolv.conf" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = util_asprintf("%s/%s", dir, names[i]);

		if (p)
			unlink(p);
	}
	rmdir(dir);
}

static int bind_file(const char *src, const char *dst)
{
	struct stat st;

	/* Nothing to cover when the host has no such file. */
	if (stat(dst, &st) < 0)
		return 0;
	return mount(src, dst, "none", MS_BIND, NULL);
}

int exec_files_mount(const char *dir, bool resolv, const char **what)
{
	char src[256];

	*what = "unshare(CLONE_NEWNS)";
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	/* Our mounts stay ours: nothing propagates back to the host. */
	*what = "making / a slave mount";
	if (mount("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0)
		return -1;
	*what = "/etc/hosts";
	snprintf(src, sizeof(src), "%s/hosts", dir);
	if (bind_file(src, "/etc/hosts") < 0)
		return -1;
	*what = "/etc/resolv.conf";
	snprintf(src, sizeof(src), "%s/resolv.conf", dir);
	if (resolv && bind_file(src, "/etc/resolv.conf") < 0)
		return -1;
	return 0;
}
