/* SPDX-License-Identifier: Apache-2.0 */
/* util.h — small helpers shared by every room of ccni. Internal. */
#ifndef CCNI_UTIL_H
#define CCNI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <sys/types.h>

/* strdup that accepts NULL (returns NULL). */
char *util_strdup0(const char *s);
/* malloc'd printf; NULL when memory runs out. */
char *util_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Read all of fd, at most max bytes (more is an error: errno EFBIG), in a
 * buffer at most twice the input. NUL-terminated; *len gets the length.
 * NULL with errno on failure. */
char *util_read_fd(int fd, size_t max, size_t *len);
/* errno of util_read_file for a path that is not a regular file (a FIFO,
 * a device, a socket, a directory): opening one could block, and reading
 * one could never end. */
#define UTIL_ENOTREG EMEDIUMTYPE
/* Read a regular file (O_NOFOLLOW on the last component when nofollow).
 * The open never blocks (O_NONBLOCK) and anything but a regular file is
 * refused (errno UTIL_ENOTREG); more than max bytes is EFBIG. */
char *util_read_file(const char *path, size_t max, size_t *len, bool nofollow);
/* Why a util_read_file failed, for a message: "not a regular file", "larger
 * than the limit of N bytes", or strerror(errnum). Written into buf. */
const char *util_read_why(int errnum, size_t max, char *buf, size_t len);
struct ccni_error;
/* Fill err for a util_read_file(path, max) that failed with errno: code 7
 * when it is larger than max (a config or result over the bound), 5
 * otherwise; "PATH: cannot read: WHY". Returns -1. */
int util_read_error(struct ccni_error *err, const char *path, size_t max);
/* Write all of buf to fd, retrying on EINTR/short writes. 0 or -1 (errno). */
int util_write_all(int fd, const void *buf, size_t len);
/* Write a file atomically: temp file in the same directory, rename over
 * the target; readers see the old or the new content, never a part. With
 * durable, the file and the directory are also fsync'ed (survives power
 * loss). The target is never followed if it is a symlink (rename replaces
 * the link itself). 0 or -1 (errno). */
int util_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			   bool durable);
/* The same with the temp file named tmp (in path's directory), for a writer
 * that is alone on path: it holds a lock, or path is one attachment's and
 * the spec forbids parallel operations on one container. A crash's leftover
 * then has a name its next owner knows, and removes without a listing.
 * The content is written into an unnamed file (O_TMPFILE) that gets the name
 * tmp only when whole: a crash leaves no temp file, or a whole one. */
int util_write_file_atomic_as(const char *path, const char *tmp, const void *buf, size_t len,
			      mode_t mode, bool durable);
/* mkdir -p with mode for the components it creates. 0 or -1 (errno). */
int util_mkdir_p(const char *path, mode_t mode);
/* Room for one more element in an array of n elements of `size` bytes with
 * capacity *cap (doubled when full): the array, maybe moved, or NULL when
 * out of memory (the array then stays as it was). */
void *util_array_grow(void *array, size_t n, size_t *cap, size_t size);
/* Is name a temporary file util_write_file_atomic leaves when its process
 * dies before the rename ("FILE.tmp.PID"), of a process no longer alive?
 * (A live process's is being written: left alone.) */
bool util_tmp_is_orphan(const char *name);
/* Monotonic clock in nanoseconds. */
unsigned long long util_now_ns(void);
/* Fork a detached process for work nobody should wait for (the kernel's
 * slow freeing after a deletion). Returns 0 in it: its stdin, stdout and
 * stderr are /dev/null (a runtime reading the caller's output sees EOF when
 * the caller exits), every other descriptor but keep_a and keep_b (-1:
 * none) is closed, SIGPIPE is ignored, and it must end with _exit. Returns
 * 1 in the caller, -1 when it cannot fork. The process is a grandchild:
 * nobody has to reap it. */
int util_fork_detached(int keep_a, int keep_b);

/* Points whichever of stdin, stdout and stderr is closed at /dev/null, so
 * that no pipe or socket opened later takes fd 0-2 and is then clobbered
 * by a child's dup2 onto them (a caller started with a closed stdin, as
 * some supervisors do). Called first by every program's main. */
void util_std_fds_open(void);

#endif
