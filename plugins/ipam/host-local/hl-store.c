/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hl-store.c — host-local's state, byte-compatible with the reference so
 * both can share one node: DATA_DIR/NETWORK/<ip> holds "ID\r\nIFNAME",
 * last_reserved_ip.N the last address handed out from range set N, and
 * "lock" is held with flock while the store is used.
 *
 * Beyond the reference: a reservation is written in full to a temp file,
 * flushed, then linked to its address name — link() fails if the name
 * exists, so two allocators never get one address, and a crash never leaves
 * an empty or half-written reservation. Files are opened without following
 * symlinks (openat on the directory, O_NOFOLLOW).
 *
 * Temp files have fixed names (.ccni-reserve, .ccni-last, a record's
 * HASH.tmp): only the lock's holder writes, so one it finds was left by a
 * writer that died, and the next ADD or DEL removes it by name, without a
 * listing. GC also sweeps the older per-process names.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/sha512.h"
#include "lib/common/util.h"
#include "plugins/ipam/host-local/hl.h"

#define LINE_BREAK "\r\n"
#define OWNER_MAX 1024
#define RECORD_MAX 4096
#define TMP_RESERVE ".ccni-reserve"
#define TMP_LAST ".ccni-last"

int hl_store_open(struct hl_store *s, const char *data_dir, const char *name,
		  struct ccni_error *err)
{
	memset(s, 0, sizeof(*s));
	s->dirfd = s->lockfd = s->recfd = -1;
	if (!ccni_name_valid(name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "name: \"%s\" cannot name a directory", name ? name : "");
	s->dir = util_asprintf("%s/%s", data_dir, name);
	s->data_dir = strdup(data_dir);
	s->name = strdup(name);
	if (!s->dir || !s->data_dir || !s->name)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_mkdir_p(s->dir, 0755) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "ipam.dataDir: cannot create %s",
					s->dir);
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->dirfd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "ipam.dataDir: cannot open %s",
					s->dir);
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->lockfd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s/lock: cannot open", s->dir);
	while (flock(s->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s/lock: cannot lock", s->dir);
	/* a writer killed between its temp file and the rename or link */
	unlinkat(s->dirfd, TMP_RESERVE, 0);
	unlinkat(s->dirfd, TMP_LAST, 0);
	return 0;
}

void hl_store_close(struct hl_store *s)
{
	if (s->tmpname[0] && s->dirfd >= 0)
		unlinkat(s->dirfd, s->tmpname, 0);
	if (s->lockfd >= 0)
		close(s->lockfd); /* releases the flock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->recfd >= 0)
		close(s->recfd);
	free(s->dir);
	free(s->data_dir);
	free(s->name);
	memset(s, 0, sizeof(*s));
	s->dirfd = s->lockfd = s->recfd = -1;
}

/* Write "ID\r\nIFNAME" once to a temp file; each reservation links it. */
static int prepare(struct hl_store *s, const char *id, const char *ifname,
		   struct ccni_error *err)
{
	_cleanup_free_ char *text = util_asprintf("%s" LINE_BREAK "%s", id, ifname);
	_cleanup_close_ int fd = -1;

	if (!text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	snprintf(s->tmpname, sizeof(s->tmpname), TMP_RESERVE);
	unlinkat(s->dirfd, s->tmpname, 0);
	fd = openat(s->dirfd, s->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0 || fdatasync(fd) < 0) {
		int e = errno;

		s->tmpname[0] = '\0';
		return ccni_error_errno(err, CCNI_ERR_IO, e, "%s: cannot write a reservation", s->dir);
	}
	return 0;
}

static int write_last(struct hl_store *s, int set_index, const struct ccni_ip *ip)
{
	char name[32], text[CCNI_IP_STRLEN];
	const char *tmp = TMP_LAST;
	_cleanup_close_ int fd = -1;

	snprintf(name, sizeof(name), "last_reserved_ip.%d", set_index);
	ccni_ip_format(ip, text);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0) {
		unlinkat(s->dirfd, tmp, 0);
		return -1;
	}
	return renameat(s->dirfd, tmp, s->dirfd, name);
}

int hl_store_reserve(struct hl_store *s, const char *id, const char *ifname,
		     const struct ccni_ip *ip, int set_index, struct ccni_error *err)
{
	char name[CCNI_IP_STRLEN];

	if (!s->tmpname[0] && prepare(s, id, ifname, err) < 0)
		return -1;
	ccni_ip_format(ip, name);
	if (linkat(s->dirfd, s->tmpname, s->dirfd, name, 0) < 0) {
		if (errno == EEXIST)
			return 0;
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s/%s: cannot reserve", s->dir,
					name);
	}
	/* One inode per reservation: the next one gets its own file. */
	unlinkat(s->dirfd, s->tmpname, 0);
	s->tmpname[0] = '\0';
	write_last(s, set_index, ip);
	return 1;
}

/* Read a reservation's owner as the reference compares it: the content
 * with surrounding white space trimmed is "ID\r\nIFNAME", or "ID" alone in
 * the reference's old format (ifname ""). 0: parsed; -1: unreadable, empty,
 * oversized or corrupt. */
static int read_owner(struct hl_store *s, const char *file, char *id, size_t idlen,
		      char *ifname, size_t iflen)
{
	char buf[OWNER_MAX + 1], *p, *br;
	/* non-blocking, and only a regular file: a FIFO put there must not
	 * hang every later ADD, DEL and GC */
	_cleanup_close_ int fd =
		openat(s->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	size_t l;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	n = read(fd, buf, OWNER_MAX + 1);
	if (n <= 0 || n > OWNER_MAX)
		return -1;
	buf[n] = '\0';
	for (p = buf; *p && strchr(" \t\r\n\v\f", *p); p++)
		;
	for (l = strlen(p); l && strchr(" \t\r\n\v\f", p[l - 1]); l--)
		p[l - 1] = '\0';
	br = strstr(p, LINE_BREAK);
	if (br) {
		*br = '\0';
		if (!ccni_ifname_valid(br + 2) || strlen(br + 2) >= iflen)
			return -1;
		snprintf(ifname, iflen, "%s", br + 2);
	} else {
		ifname[0] = '\0';
	}
	if (!ccni_container_id_valid(p) || strlen(p) >= idlen)
		return -1;
	snprintf(id, idlen, "%s", p);
	return 0;
}

static bool owned(const char *fid, const char *fif, const char *id, const char *ifname)
{
	return streq(fid, id) && (!*fif || streq(fif, ifname));
}

int hl_store_release_ip(struct hl_store *s, const char *id, const char *ifname,
			const struct ccni_ip *ip)
{
	char name[CCNI_IP_STRLEN], fid[OWNER_MAX + 1], fif[64];

	ccni_ip_format(ip, name);
	if (read_owner(s, name, fid, sizeof(fid), fif, sizeof(fif)) < 0 ||
	    !owned(fid, fif, id, ifname))
		return 0;
	return unlinkat(s->dirfd, name, 0) == 0 ? 1 : 0;
}

int hl_store_owner(struct hl_store *s, const struct ccni_ip *ip, char *id, size_t idlen,
		   char *ifname, size_t iflen)
{
	char name[CCNI_IP_STRLEN];

	ccni_ip_format(ip, name);
	if (read_owner(s, name, id, idlen, ifname, iflen) == 0)
		return 1;
	return faccessat(s->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? -1 : 0;
}

int hl_store_transfer(struct hl_store *s, const struct ccni_ip *ip, const char *old_id,
		      const char *old_ifname, const char *id, const char *ifname,
		      struct ccni_error *err)
{
	char name[CCNI_IP_STRLEN], fid[OWNER_MAX + 1], fif[64];

	ccni_ip_format(ip, name);
	if (read_owner(s, name, fid, sizeof(fid), fif, sizeof(fif)) < 0 ||
	    !owned(fid, fif, old_id, old_ifname))
		return 0;
	if (prepare(s, id, ifname, err) < 0)
		return -1;
	if (renameat(s->dirfd, s->tmpname, s->dirfd, name) < 0) {
		int e = errno;

		unlinkat(s->dirfd, s->tmpname, 0);
		s->tmpname[0] = '\0';
		return ccni_error_errno(err, CCNI_ERR_IO, e, "%s/%s: cannot rewrite the reservation",
					s->dir, name);
	}
	s->tmpname[0] = '\0';
	return 1;
}

int hl_store_foreach(struct hl_store *s, hl_store_fn fn, void *data, struct ccni_error *err)
{
	int fd = dup(s->dirfd);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot list", s->dir);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char fid[OWNER_MAX + 1], fif[64];
		struct ccni_ip ip;
		bool ok;

		if (ccni_ip_parse(de->d_name, &ip) < 0)
			continue; /* lock, last_reserved_ip.N, temp files */
		ok = read_owner(s, de->d_name, fid, sizeof(fid), fif, sizeof(fif)) == 0;
		rc = fn(s, de->d_name, &ip, ok ? fid : NULL, ok ? fif : NULL, data);
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc < 0 ? -1 : 0;
}

int hl_store_sweep_temp(struct hl_store *s, struct ccni_error *err)
{
	int fd = dup(s->dirfd), n = 0;
	DIR *d;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot list", s->dir);
	}
	rewinddir(d);
	/* Under the lock no allocator is between writing and linking a temp
	 * file: any one found was left by a crash. */
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".ccni-", 6) == 0 && !streq(de->d_name, s->tmpname) &&
		    unlinkat(s->dirfd, de->d_name, 0) == 0)
			n++;
	closedir(d);
	return n;
}

struct release_all {
	const char *id, *ifname;
	int n;
};

static int release_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		      const char *id, const char *ifname, void *data)
{
	struct release_all *r = data;

	(void)ip;
	if (id && owned(id, ifname, r->id, r->ifname) && unlinkat(s->dirfd, file, 0) == 0)
		r->n++;
	return 0;
}

int hl_store_release_all(struct hl_store *s, const char *id, const char *ifname,
			 struct ccni_error *err)
{
	struct release_all r = { id, ifname, 0 };

	if (hl_store_foreach(s, release_cb, &r, err) < 0)
		return -1;
	return r.n;
}

int hl_store_last(struct hl_store *s, int set_index, struct ccni_ip *ip)
{
	char name[32], buf[CCNI_IP_STRLEN + 2];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(name, sizeof(name), "last_reserved_ip.%d", set_index);
	fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n ")] = '\0';
	return ccni_ip_parse(buf, ip) == 0 ? 0 : 1;
}

/* --- attachment records -------------------------------------------------------- */

/* DATA_DIR/.ccni/NAME, made on first use; -1 when it cannot be. */
static int record_dir(struct hl_store *s, bool create)
{
	_cleanup_free_ char *path = NULL;

	if (s->recfd >= 0)
		return s->recfd;
	path = util_asprintf("%s/.ccni/%s", s->data_dir, s->name);
	if (!path || (create && util_mkdir_p(path, 0755) < 0))
		return -1;
	s->recfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return s->recfd;
}

/* 32 hex digits of SHA-512("ID\r\nIFNAME"). */
static void record_name(const char *id, const char *ifname, char out[64])
{
	_cleanup_free_ char *key = util_asprintf("%s" LINE_BREAK "%s", id, ifname);
	uint8_t h[64];

	out[0] = '\0';
	if (!key)
		return;
	sha512(key, strlen(key), h);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* A record's text: "ID\r\nIFNAME\r\nIP\r\nIP...". *len its size. */
static char *record_read(struct hl_store *s, const char *name, size_t *len)
{
	int dir = record_dir(s, false);
	_cleanup_close_ int fd =
		dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	return util_read_fd(fd, RECORD_MAX, len);
}

int hl_store_record_held(struct hl_store *s, const char *id, const char *ifname,
			 struct ccni_ip *held)
{
	char name[64], *save = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len;
	int line = 0;

	record_name(id, ifname, name);
	if (!(text = record_read(s, name, &len)))
		return 0;
	for (char *t = strtok_r(text, LINE_BREAK, &save); t; t = strtok_r(NULL, LINE_BREAK, &save)) {
		char fid[OWNER_MAX + 1], fif[64];

		/* its addresses count while they are still reserved for it (a DEL
		 * by another tool may have released them) */
		if (line++ < 2 || ccni_ip_parse(t, held) < 0 ||
		    read_owner(s, t, fid, sizeof(fid), fif, sizeof(fif)) < 0 ||
		    !owned(fid, fif, id, ifname))
			continue;
		return 1;
	}
	return 0;
}

int hl_store_record_write(struct hl_store *s, const char *id, const char *ifname,
			  const struct ccni_ip *ips, int n, struct ccni_error *err)
{
	char name[64], b[CCNI_IP_STRLEN];
	_cleanup_free_ char *path = NULL, *tmp = NULL,
			    *text = util_asprintf("%s" LINE_BREAK "%s", id, ifname);

	for (int i = 0; text && i < n; i++) {
		char *t = util_asprintf("%s" LINE_BREAK "%s", text, ccni_ip_format(&ips[i], b));

		free(text);
		text = t;
	}
	record_name(id, ifname, name);
	path = util_asprintf("%s/.ccni/%s/%s", s->data_dir, s->name, name);
	tmp = util_asprintf("%s.tmp", path ? path : "");
	if (!text || !path || !tmp)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (record_dir(s, true) < 0 ||
	    util_write_file_atomic_as(path, tmp, text, strlen(text), 0644, false) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot write", path);
	return 0;
}

void hl_store_record_remove(struct hl_store *s, const char *id, const char *ifname)
{
	int dir = record_dir(s, false);
	char name[64], tmp[72];

	record_name(id, ifname, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if (dir >= 0) {
		unlinkat(dir, name, 0);
		unlinkat(dir, tmp, 0); /* an ADD killed while writing it */
	}
}

int hl_store_record_gc(struct hl_store *s, bool (*valid)(const char *id, const char *ifname,
							 void *arg),
		       void *arg, struct ccni_error *err)
{
	int dir = record_dir(s, false), fd, n = 0;
	DIR *d;
	struct dirent *de;

	if (dir < 0)
		return 0; /* no record ever written */
	if ((fd = dup(dir)) < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s/.ccni/%s: cannot list",
					s->data_dir, s->name);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		char *br, *br2;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		/* a writer that died before its rename left a temp file (under
		 * the lock no writer is at work) */
		if (util_tmp_is_orphan(de->d_name) ||
		    (strlen(de->d_name) > 4 && streq(de->d_name + strlen(de->d_name) - 4, ".tmp"))) {
			n += unlinkat(dir, de->d_name, 0) == 0;
			continue;
		}
		if (!(text = record_read(s, de->d_name, &len)))
			continue;
		br = strstr(text, LINE_BREAK);
		br2 = br ? strstr(br + 2, LINE_BREAK) : NULL;
		if (br2)
			*br2 = '\0';
		if (br)
			*br = '\0';
		if ((!br || !valid(text, br + 2, arg)) && unlinkat(dir, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
