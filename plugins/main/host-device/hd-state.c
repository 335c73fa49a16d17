/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hd-state.c — what a moved device was on the host (its name, MTU, whether
 * it was up, its indexes), one JSON file per attachment:
 * DIR/NETWORK/CONTAINERID:IFNAME.json, tagged inside with the network, the
 * container id and the ifname. ADD writes it once the device is in the
 * container, DEL reads it to put the device back as it was and removes it,
 * GC removes those of attachments the runtime no longer has. The device's
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
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i,s:b,s:i,s:i}", "network", req->name,
			      "containerID", req->container_id, "ifname", req->ifname, "device",
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

/* A record's text: never through a symlink, only a regular file, never
 * blocking on a FIFO planted there. NULL with errno (ENOENT: none). */
static char *read_record(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
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
	if (!(text = read_record(path)))
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

/* Is (cid, ifname) among the runtime's valid attachments? */
static bool valid(json_t *list, const char *cid, const char *ifname)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *n = json_string_value(json_object_get(v, "ifname"));

		if (c && n && strcmp(c, cid) == 0 && strcmp(n, ifname) == 0)
			return true;
	}
	return false;
}

/* One record in the network's directory: stale ones go. */
static int gc_one(const char *path, const struct ccni_request *req,
		  void (*fn)(const struct hd_state *s, const char *ifname, void *arg), void *arg, struct ccni_error *err)
{
	_cleanup_free_ char *text = read_record(path);
	const char *cid, *ifname, *net;
	struct hd_state s;
	json_t *j = NULL;
	int rc = 0;

	if (!text)
		return errno == ENOENT ? 0 : ccni_error_errno(err, CCNI_ERR_IO, errno,
							      "cannot read %s", path);
	if (decode(path, text, &s, &j, err) < 0)
		return -1;
	cid = json_string_value(json_object_get(j, "containerID"));
	ifname = json_string_value(json_object_get(j, "ifname"));
	net = json_string_value(json_object_get(j, "network"));
	if (cid && ifname && net && strcmp(net, req->name) == 0 &&
	    !valid(req->valid_attachments, cid, ifname)) {
		fn(&s, ifname, arg);
		if (unlink(path) < 0 && errno != ENOENT)
			rc = ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot remove %s", path);
	}
	json_decref(j);
	return rc;
}

int hd_state_gc(const char *dir, const struct ccni_request *req,
		void (*fn)(const struct hd_state *s, const char *ifname, void *arg), void *arg, struct ccni_error *err)
{
	_cleanup_free_ char *netdir = util_asprintf("%s/%s", dir, req->name);
	struct ccni_error e = CCNI_ERROR_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (!netdir)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (!(d = opendir(netdir)))
		return errno == ENOENT ? 0 : ccni_error_errno(err, CCNI_ERR_IO, errno,
							      "cannot read %s", netdir);
	/* every record is tried; the first failure is reported */
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *path = NULL;

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || !strchr(de->d_name, ':'))
			continue;
		if (!(path = util_asprintf("%s/%s", netdir, de->d_name)))
			continue;
		if (gc_one(path, req, fn, arg, rc < 0 ? &e : err) < 0)
			rc = -1;
		ccni_error_clear(&e);
	}
	closedir(d);
	return rc;
}
