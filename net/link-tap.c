/* SPDX-License-Identifier: Apache-2.0 */
/* link-tap.c — see link-tap.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sched.h>

#include "lib/common/cleanup.h"
#include "net/link-tap.h"
#include "net/netns.h"

/* The step that failed and its errno. */
struct tap_fail {
	const char *step;
	int errnum;
};

/* Records the step and errno; returns -1. */
static int tap_failed(struct tap_fail *f, const char *step)
{
	f->step = step;
	f->errnum = errno;
	return -1;
}

/* In the tap's namespace: the tun file (it binds the tap to the namespace
 * it is opened in) and the ioctls. 0, or -1 with f. */
static int make_here(const struct link_tap_spec *s, struct tap_fail *f)
{
	struct ifreq ifr = { 0 };
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return tap_failed(f, "open /dev/net/tun");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->name);
	ifr.ifr_flags = IFF_TAP | IFF_TUN_EXCL | (s->multi_queue ? IFF_MULTI_QUEUE : 0) |
			(s->vnet_hdr ? IFF_VNET_HDR : 0) | (s->no_pi ? IFF_NO_PI : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return tap_failed(f, "create (TUNSETIFF)");
	/* From here the tap exists: on failure it goes again (not
	 * persistent, it ends with the file). */
	if (s->set_owner && ioctl(fd, TUNSETOWNER, (unsigned long)s->owner) < 0)
		return tap_failed(f, "set its owner (TUNSETOWNER)");
	if (s->set_group && ioctl(fd, TUNSETGROUP, (unsigned long)s->group) < 0)
		return tap_failed(f, "set its group (TUNSETGROUP)");
	if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		return tap_failed(f, "make it persistent (TUNSETPERSIST)");
	return 0;
}

struct make_args {
	const struct link_tap_spec *s;
	struct tap_fail *f;
};

static int make_in_ns(void *data, struct ccni_error *err)
{
	struct make_args *m = data;

	(void)err;
	return make_here(m->s, m->f);
}

static int take_context(const char *ctx, struct tap_fail *f)
{
	_cleanup_close_ int fd = open("/proc/thread-self/attr/current", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, ctx, strlen(ctx)) != (ssize_t)strlen(ctx))
		return tap_failed(f, "take the SELinux context (/proc/thread-self/attr/current)");
	return 0;
}

/* The labelled case: a child enters the namespace, takes the context and
 * makes the tap; its failure comes back through a pipe. */
static int make_labelled(const struct link_tap_spec *s, struct tap_fail *f)
{
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return tap_failed(f, "make a pipe");
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return tap_failed(f, "fork");
	}
	if (pid == 0) {
		struct tap_fail cf = { 0 };
		int rc = 0;

		close(p[0]);
		if (s->netns_fd >= 0 && setns(s->netns_fd, CLONE_NEWNET) < 0)
			rc = tap_failed(&cf, "enter the namespace");
		if (rc == 0 && (take_context(s->selinux_context, &cf) < 0 || make_here(s, &cf) < 0))
			rc = -1;
		if (rc < 0 && write(p[1], &cf, sizeof(cf)) < 0)
			_exit(2);
		_exit(rc < 0 ? 1 : 0);
	}
	close(p[1]);
	memset(f, 0, sizeof(*f));
	/* the step is a string literal: the same address in the child */
	if (read(p[0], f, sizeof(*f)) != (ssize_t)sizeof(*f))
		memset(f, 0, sizeof(*f));
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!f->step) {
		f->step = "create it in a child process";
		f->errnum = ECHILD;
	}
	return -1;
}

int link_tap_create(const struct link_tap_spec *s, struct ccni_error *err)
{
	struct tap_fail f = { 0 };
	struct make_args m = { s, &f };
	int rc;

	if (s->selinux_context)
		rc = make_labelled(s, &f);
	else if ((rc = netns_run(s->netns_fd, make_in_ns, &m, err)) < 0 && !f.step)
		return -1; /* entering the namespace failed: err says so */
	if (rc == 0)
		return 0;
	return ccni_error_errno(err, CCNI_ERR_NETLINK, f.errnum, "tap %s: %s%s%s%s", s->name, f.step,
				s->selinux_context ? " under SELinux context \"" : "",
				s->selinux_context ? s->selinux_context : "",
				s->selinux_context ? "\"" : "");
}

bool link_tap_selinux_enabled(void)
{
	struct stat st;

	return stat("/sys/fs/selinux/enforce", &st) == 0;
}
