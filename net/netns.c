/* SPDX-License-Identifier: Apache-2.0 */
/* netns.c — see netns.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "net/netns.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#define TMPFS_MAGIC_ 0x01021994

int netns_open(const char *path, int *fd, struct ccni_error *err)
{
	struct statfs sfs;
	_cleanup_close_ int f = open(path, O_RDONLY | O_CLOEXEC);

	if (f < 0) {
		if (errno == ENOENT)
			return ccni_error_set(err, CCNI_ERR_UNKNOWN_CONTAINER,
					      "CNI_NETNS: \"%s\" does not exist", path);
		return ccni_error_errno(err, CCNI_ERR_INVALID_NETNS, errno,
					"CNI_NETNS: cannot open \"%s\"", path);
	}
	/* nsfs (a /run/netns bind mount, /proc/PID/ns/net), or tmpfs as
	 * some runtimes' placeholders are; the ioctl decides. */
	if (fstatfs(f, &sfs) < 0 || (sfs.f_type != NSFS_MAGIC && sfs.f_type != TMPFS_MAGIC_) ||
	    ioctl(f, NS_GET_NSTYPE) != CLONE_NEWNET)
		return ccni_error_set(err, CCNI_ERR_INVALID_NETNS,
				      "CNI_NETNS: \"%s\" is not a network namespace", path);
	*fd = TAKE_FD(f);
	return 0;
}

int netns_run(int nsfd, int (*fn)(void *data, struct ccni_error *err), void *data,
	      struct ccni_error *err)
{
	_cleanup_close_ int self = -1;
	int rc;

	if (nsfd < 0)
		return fn(data, err);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open our own netns");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot enter the netns");
	rc = fn(data, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* We cannot come back: stop rather than act in the wrong netns. */
		fprintf(stderr, "ccni: cannot return to the original netns: %s\n", strerror(errno));
		abort();
	}
	return rc;
}
