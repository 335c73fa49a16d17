/* SPDX-License-Identifier: Apache-2.0 */
/* util.c — file and string helpers shared by every room of ccni. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ccni/error.h>

#include "cleanup.h"
#include "util.h"

char *util_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *util_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

char *util_read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				errno = EFBIG;
				return NULL;
			}
			/* doubling, up to one byte past max (to see that there is more) */
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				return NULL;
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			return NULL;
		}
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return TAKE_PTR(buf);
}

char *util_read_file(const char *path, size_t max, size_t *len, bool nofollow)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
						    (nofollow ? O_NOFOLLOW : 0));
	struct stat st;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = UTIL_ENOTREG;
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG; /* refused before anything is read */
		return NULL;
	}
	return util_read_fd(fd, max, len);
}

int util_read_error(struct ccni_error *err, const char *path, size_t max)
{
	int e = errno;
	char why[96];

	ccni_error_set(err, e == EFBIG ? CCNI_ERR_INVALID_CONFIG : CCNI_ERR_IO,
		       "%s: cannot read: %s", path, util_read_why(e, max, why, sizeof(why)));
	if (err)
		err->errnum = e;
	return -1;
}

const char *util_read_why(int errnum, size_t max, char *buf, size_t len)
{
	if (errnum == UTIL_ENOTREG)
		snprintf(buf, len, "not a regular file");
	else if (errnum == EFBIG && max >= 1024 * 1024 && max % (1024 * 1024) == 0)
		snprintf(buf, len, "larger than the limit of %zu bytes (%zu MiB)", max,
			 max / (1024 * 1024));
	else if (errnum == EFBIG)
		snprintf(buf, len, "larger than the limit of %zu bytes", max);
	else
		snprintf(buf, len, "%s", strerror(errnum));
	return buf;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory of path, in buf ("." or "/" when it has none). */
static const char *dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return buf;
}

static int fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	_cleanup_close_ int dfd = open(dir_of(path, dir, sizeof(dir)),
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return -1;
	return fsync(dfd);
}

int util_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			   bool durable)
{
	_cleanup_free_ char *tmp = util_asprintf("%s.tmp.%d", path, (int)getpid());

	if (!tmp)
		return -1;
	return util_write_file_atomic_as(path, tmp, buf, len, mode, durable);
}

/* The temp file's content written into an unnamed file of path's
 * directory (O_TMPFILE), then given the name tmp: a writer killed before
 * that leaves nothing at all, one killed after leaves a whole file (what its
 * owner's DEL or GC reads to know whose it is), never a part of one. -1
 * with errno EOPNOTSUPP (or the kernel's EISDIR/EINVAL for an old
 * filesystem) when the directory cannot hold unnamed files. */
static int write_unnamed(const char *path, const char *tmp, const void *buf, size_t len,
			 mode_t mode, bool durable)
{
	char dir[PATH_MAX], proc[64];
	_cleanup_close_ int fd = open(dir_of(path, dir, sizeof(dir)),
				      O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return -1;
	if (util_write_all(fd, buf, len) < 0 || (durable && fsync(fd) < 0))
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 2; tries++) {
		rc = linkat(fd, "", AT_FDCWD, tmp, AT_EMPTY_PATH);
		if (rc < 0 && errno == ENOENT) /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH */
			rc = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
		if (rc == 0 || errno != EEXIST)
			break;
		/* a leftover of a crashed writer (one with our pid, or the
		 * previous owner of a fixed name): replace it */
		unlink(tmp);
	}
	return rc;
}

/* The same with a named temp file, for a directory that cannot hold
 * unnamed ones. */
static int write_named(const char *tmp, const void *buf, size_t len, mode_t mode, bool durable)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0 && errno == EEXIST) {
		unlink(tmp); /* a crashed writer's leftover, as above */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return -1;
	if (util_write_all(fd, buf, len) < 0 || (durable && fsync(fd) < 0)) {
		int e = errno;

		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int util_write_file_atomic_as(const char *path, const char *tmp, const void *buf, size_t len,
			      mode_t mode, bool durable)
{
	int rc = write_unnamed(path, tmp, buf, len, mode, durable);

	if (rc < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		rc = write_named(tmp, buf, len, mode, durable);
	if (rc < 0)
		return -1;
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return durable ? fsync_parent(path) : 0;
}

int util_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

unsigned long long util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

void util_std_fds_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) < 0)
			return;
}

int util_fork_detached(int keep_a, int keep_b)
{
	int st, lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 1 : -1;
	}
	if (fork() != 0)
		_exit(0); /* the grandchild goes on, or fork failed: exit 0 either way */
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3 && nul >= 0; i++)
		dup2(nul, i);
	/* close 3.. but lo and hi (either may be -1) */
	if (lo < 3)
		lo = hi, hi = -1;
	if (lo < 3) {
		close_range(3, ~0U, 0);
	} else {
		if (lo > 3)
			close_range(3, (unsigned)lo - 1, 0);
		if (hi > lo) {
			if (hi > lo + 1)
				close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
			lo = hi;
		}
		close_range((unsigned)lo + 1, ~0U, 0);
	}
	return 0;
}

bool util_tmp_is_orphan(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	char *end;
	long pid;

	if (!t || !t[5])
		return false;
	errno = 0;
	pid = strtol(t + 5, &end, 10);
	if (*end || errno || pid <= 0 || pid > 4194304)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void *util_array_grow(void *array, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return array;
	if (c < *cap || c > SIZE_MAX / size || !(p = realloc(array, c * size)))
		return NULL;
	*cap = c;
	return p;
}
