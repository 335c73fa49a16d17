/* SPDX-License-Identifier: Apache-2.0 */
/* sysctl.c — net.* sysctls through /proc/sys, in the caller's netns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/sysctl.h"

bool sysctl_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < 5 || n > 200 || (strncmp(key, "net.", 4) != 0 && strncmp(key, "net/", 4) != 0))
		return false;
	if (strstr(key, "..") || strstr(key, "//") || key[n - 1] == '/' || key[n - 1] == '.')
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._-/:", *p)))
			return false;
	return true;
}

static int key_path(const char *key, char *path, size_t len, struct ccni_error *err)
{
	size_t off;

	if (!sysctl_key_valid(key))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "sysctl \"%.64s\": only net.* keys without \"..\" are allowed", key);
	off = (size_t)snprintf(path, len, "/proc/sys/");
	/* Dots separate components unless the key is already a path (an
	 * interface name may hold dots: net/ipv4/conf/eth0.100/...). */
	for (const char *p = key; *p && off + 1 < len; p++)
		path[off++] = strchr(key, '/') ? *p : (*p == '.' ? '/' : *p);
	path[off] = '\0';
	return 0;
}

int sysctl_set(const char *key, const char *value, struct ccni_error *err)
{
	char path[256];
	_cleanup_close_ int fd = -1;

	if (key_path(key, path, sizeof(path), err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || util_write_all(fd, value, strlen(value)) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "sysctl %s = %s", key, value);
	return 0;
}

int sysctl_get(const char *key, char *buf, size_t len, struct ccni_error *err)
{
	char path[256];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (key_path(key, path, sizeof(path), err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || (n = read(fd, buf, len - 1)) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "sysctl %s", key);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}
