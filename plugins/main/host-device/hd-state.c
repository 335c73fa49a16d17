/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hd-state.c — what a moved device was on the host (its name, MTU, whether
 * it was up, its indexes), one JSON file per attachment:
 * DIR/NETWORK/CONTAINERID:IFNAME.json, tagged inside with the network, the
 * container id and the ifname. ADD writes it once the device is in the
 * container, DEL reads it to put the device back as it was and removes it,
 * GC removes those of attachments the runtime no longer has (by their tag,
 * "ccniAttachment", net/tag.h), and temporary files whose writer died. The device's
 * own alias keeps its host name too (the reference's record, which a
 * reference DEL reads); this file adds what the alias cannot hold, and
 * lets a device that the kernel gave back to the host when the container's
 * namespace went be found and renamed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/tag.h"
#include "plugins/main/host-device/hd.h"

#define STATE_MAX 4096

static char *state_path(const char *dir, const char *network, const char *cid, const char *ifname)
{
	return util_asprintf("%s/%s/%s:%s.json", dir, network, cid, ifname);
}

int hd_state_write(const char *dir, const struct ccni_request *req, const struct hd_state *s,
		   struct ccni_error *err)
{
	_cleanup_free_ char *path = state_path(dir, req->name, req->container_id, req->ifname);
	_cleanup_free_ char *netdir = util_asprintf("%s/%s", dir, req->name);
	_cleanup_free_ char *text = NULL;
	char tag[TAG_MAX];
	json_t *j;

	tag_of(req->name, req->container_id, req->ifname, tag);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:i,s:i}", "ccniAttachment", tag, "network",
		      req->name, "containerID", req->container_id, "ifname", req->ifname, "device",
		      s->device, "mtu", (json_int_t)s->mtu, "up", s->up, "ifindex",
		      (json_int_t)s->ifindex, "hostIfindex", (json_int_t)s->host_ifindex);

	if (j)
		text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!path || !netdir || !text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_mkdir_p(netdir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot make %s", netdir);
	if (util_write_file_atomic(path, text, strlen(text), 0600, false) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot write %s", path);
	return 0;
}

/* A record's text (path relative to dirfd, AT_FDCWD: none): never through
 * a symlink, only a regular file, never blocking on a FIFO planted there.
 * NULL with errno (ENOENT: none). */
static char *read_record(int dirfd, const char *path)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	size_t len;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return NULL;
	}
	return util_read_fd(fd, STATE_MAX, &len);
}

static int decode(const char *path, const char *text, struct hd_state *s, json_t **out,
		  struct ccni_error *err)
{
	json_t *j = json_loads(text, 0, NULL);
	const char *dev = NULL;
	json_int_t mtu = 0, idx = 0, hidx = 0;
	int up = 0;

	memset(s, 0, sizeof(*s));
	if (!j || json_unpack(j, "{s:s,s:I,s:b,s:I,s:I}", "device", &dev, "mtu", &mtu, "up", &up,
			      "ifindex", &idx, "hostIfindex", &hidx) < 0 ||
	    !ccni_ifname_valid(dev) || mtu < 0 || mtu > UINT32_MAX || idx < 0 || idx > INT32_MAX ||
	    hidx < 0 || hidx > INT32_MAX) {
		json_decref(j);
		return ccni_error_set(err, CCNI_ERR_DECODE, "%s: not a host-device record", path);
	}
	snprintf(s->device, sizeof(s->device), "%s", dev);
	s->mtu = (unsigned)mtu;
	s->up = up;
	s->ifindex = (int)idx;
	s->host_ifindex = (int)hidx;
	if (out)
		*out = j;
	else
		json_decref(j);
	return 0;
}

int hd_state_read(const char *dir, const char *network, const char *cid, const char *ifname,
		  struct hd_state *s, struct ccni_error *err)
{
	_cleanup_free_ char *path = state_path(dir, network, cid, ifname);
	_cleanup_free_ char *text = NULL;

	if (!path)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!(text = read_record(AT_FDCWD, path)))
		return errno == ENOENT ? 1 :
		       ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot read %s", path);
	return decode(path, text, s, NULL, err);
}

int hd_state_remove(const char *dir, const char *network, const char *cid, const char *ifname,
		    struct ccni_error *err)
{
	_cleanup_free_ char *path = state_path(dir, network, cid, ifname);

	if (!path)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (unlink(path) < 0 && errno != ENOENT)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot remove %s", path);
	return 0;
}

/* One record in the network's directory: a stale one goes, after fn. */
static int gc_one(int dirfd, const char *name, const struct ccni_request *req,
		  void (*fn)(const struct hd_state *s, const char *ifname, void *arg), void *arg,
		  struct ccni_error *err)
{
	_cleanup_free_ char *text = read_record(dirfd, name);
	struct hd_state s;
	json_t *j = NULL;
	int rc = 0;

	if (!text)
		return errno == ENOENT ? 0 : ccni_error_errno(err, CCNI_ERR_IO, errno,
							      "cannot read record %s", name);
	if (decode(name, text, &s, &j, err) < 0)
		return -1;
	if (tag_is_stale(json_string_value(json_object_get(j, "ccniAttachment")), req->name,
			 req->valid_attachments)) {
		const char *ifname = json_string_value(json_object_get(j, "ifname"));

		fn(&s, ifname ? ifname : "", arg);
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			rc = ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot remove record %s", name);
	}
	json_decref(j);
	return rc;
}

DEFINE_CLEANUP(DIR *, closedir)

int hd_state_gc(const char *dir, const struct ccni_request *req,
		void (*fn)(const struct hd_state *s, const char *ifname, void *arg), void *arg,
		struct ccni_error *err)
{
	_cleanup_free_ char *netdir = util_asprintf("%s/%s", dir, req->name);
	_cleanup_(closedirp) DIR *d = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct dirent *de;
	int rc = 0;

	if (!netdir)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!(d = opendir(netdir)))
		return errno == ENOENT ? 0 : ccni_error_errno(err, CCNI_ERR_IO, errno,
							      "cannot read %s", netdir);
	/* every record is tried; the first failure is reported */
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (util_tmp_is_orphan(de->d_name))
			unlinkat(dirfd(d), de->d_name, 0);
		else if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0 &&
			 gc_one(dirfd(d), de->d_name, req, fn, arg, rc < 0 ? &e : err) < 0)
			rc = -1;
		ccni_error_clear(&e);
	}
	return rc;
}
