/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-store.c — the daemon's leases on disk: P.d/NAME.json per bound
 * lease (NAME: a hash of container id, network and interface), written
 * to a temp file and renamed over, never through a symlink; read back
 * when a daemon starts, so one that was killed or upgraded resumes
 * renewing what its predecessor held. Times are kept as wall-clock
 * milliseconds; in memory they are on the daemon's monotonic clock.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ccni/ip.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"
#include "plugins/ipam/dhcp/dhcp-packet.h"

#define FILE_MAX (64 * 1024)
#define FOREVER (INT64_MAX / 4)

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *time_out(int64_t t, int64_t now)
{
	return json_integer(t >= FOREVER ? -1 : wall_ms() + (t - now));
}

static int64_t time_in(json_t *v, int64_t now)
{
	json_int_t t = json_integer_value(v);

	return t < 0 ? FOREVER : now + ((int64_t)t - wall_ms());
}

static json_t *addr_out(uint32_t a)
{
	char b[INET_ADDRSTRLEN];

	return json_string(inet_ntop(AF_INET, &a, b, sizeof(b)));
}

static json_t *lease_json(const struct lease *l, int64_t now)
{
	char mac[18], smac[18];
	json_t *j = json_pack(
		"{s:i,s:s,s:s,s:s,s:s,s:o,s:s,s:I,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:b}", "version", 1,
		"containerID", l->id, "network", l->network, "ifName", l->ifname, "netns", l->netns,
		"clientID", dhcp_json_hex(l->client_id, l->client_id_len), "mac",
		ccni_mac_format(l->mac, mac), "priority", (json_int_t)l->priority, "address",
		addr_out(l->ip), "server", addr_out(l->server_id), "serverMAC",
		ccni_mac_format(l->server_mac, smac), "renewAt", time_out(l->t1, now), "rebindAt",
		time_out(l->t2, now), "expiresAt", time_out(l->expire, now), "ack",
		dhcp_json_hex(l->ack, l->ack_len), "lost", l->lost);

	if (j && dhcp_json_put_options(j, l->request, l->n_request, l->provide, l->n_provide) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int store_open(struct dhcpd *d, struct ccni_error *err)
{
	struct stat st;

	dhcp_path(d->o.socket_path, ".d", d->dir);
	if (mkdir(d->dir, 0700) < 0 && errno != EEXIST)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot make %s", d->dir);
	d->dir_fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->dir_fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open %s", d->dir);
	/* leases steer which addresses we claim: only ours may write them */
	if (fstat(d->dir_fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022))
		return ccni_error_set(err, CCNI_ERR_IO,
				      "%s: not owned by us or writable by others", d->dir);
	return 0;
}

int store_save(struct dhcpd *d, const struct lease *l)
{
	_cleanup_json_ json_t *j = lease_json(l, dhcpd_now());
	_cleanup_free_ char *text = j ? json_dumps(j, JSON_INDENT(1)) : NULL;
	char tmp[DHCP_LEASE_NAME_LEN + 8];
	int fd;

	if (!text) {
		dhcpd_log(d, "%s: cannot write its lease: out of memory", l->name);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".%s.tmp", l->name);
	unlinkat(d->dir_fd, tmp, 0); /* left by a daemon that was killed */
	fd = openat(d->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0 ||
	    renameat(d->dir_fd, tmp, d->dir_fd, l->name) < 0) {
		dhcpd_log(d, "%s/%s: cannot write its lease: %s", d->dir, l->name, strerror(errno));
		if (fd >= 0)
			unlinkat(d->dir_fd, tmp, 0);
		return -1;
	}
	return 0;
}

void store_remove(struct dhcpd *d, const struct lease *l)
{
	if (unlinkat(d->dir_fd, l->name, 0) < 0 && errno != ENOENT)
		dhcpd_log(d, "%s/%s: cannot remove: %s", d->dir, l->name, strerror(errno));
}

static int fill_options(struct lease *l, json_t *j)
{
	ssize_t n;

	if (lease_options(l, j) < 0)
		return -1;
	n = dhcp_json_unhex(json_object_get(j, "clientID"), l->client_id, sizeof(l->client_id));
	if (n <= 0)
		return -1;
	l->client_id_len = (size_t)n;
	return 0;
}

static int fill_lease(struct lease *l, json_t *j, int64_t now)
{
	const char *mac = json_string_value(json_object_get(j, "mac"));
	const char *smac = json_string_value(json_object_get(j, "serverMAC"));
	struct ccni_ip a, s;
	uint8_t area[DHCP_FRAME_MAX];
	ssize_t n;

	if (fill_options(l, j) < 0 || !mac || !smac || ccni_mac_parse(mac, l->mac) < 0 ||
	    ccni_mac_parse(smac, l->server_mac) < 0 ||
	    ccni_ip_parse(json_string_value(json_object_get(j, "address")) ?: "", &a) < 0 ||
	    ccni_ip_parse(json_string_value(json_object_get(j, "server")) ?: "", &s) < 0 ||
	    a.family != AF_INET || s.family != AF_INET)
		return -1;
	memcpy(&l->ip, a.addr, 4);
	memcpy(&l->server_id, s.addr, 4);
	l->priority = (uint32_t)json_integer_value(json_object_get(j, "priority"));
	l->t1 = time_in(json_object_get(j, "renewAt"), now);
	l->t2 = time_in(json_object_get(j, "rebindAt"), now);
	l->expire = time_in(json_object_get(j, "expiresAt"), now);
	l->lost = json_is_true(json_object_get(j, "lost"));
	n = dhcp_json_unhex(json_object_get(j, "ack"), area, sizeof(area));
	if (n < 0 || !(l->ack = malloc((size_t)n + 1)))
		return -1;
	memcpy(l->ack, area, (size_t)n);
	l->ack_len = (size_t)n;
	l->bound = true;
	return 0;
}

/* One file: a lease again, or logged and left alone. */
static void load_one(struct dhcpd *d, const char *name, int64_t now)
{
	_cleanup_close_ int fd = openat(d->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *j = NULL;
	const char *id, *net, *ifn, *ns;
	char want[DHCP_LEASE_NAME_LEN];
	struct lease *l;
	struct stat st;
	size_t len;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(text = util_read_fd(fd, FILE_MAX, &len)) || !(j = json_loadb(text, len, 0, NULL))) {
		dhcpd_log(d, "%s/%s: not a lease file; left alone", d->dir, name);
		return;
	}
	id = json_string_value(json_object_get(j, "containerID"));
	net = json_string_value(json_object_get(j, "network"));
	ifn = json_string_value(json_object_get(j, "ifName"));
	ns = json_string_value(json_object_get(j, "netns"));
	if (id && net && ifn)
		dhcp_lease_name(id, net, ifn, want);
	if (!id || !net || !ifn || !ns || !streq(want, name) || lease_find(d, name)) {
		dhcpd_log(d, "%s/%s: not a lease of ours; left alone", d->dir, name);
		return;
	}
	l = lease_add(d, id, net, ifn, ns);
	if (!l || fill_lease(l, j, now) < 0) {
		dhcpd_log(d, "%s/%s: a malformed lease; left alone", d->dir, name);
		if (l)
			lease_drop(d, l);
		return;
	}
	client_resume(d, l, now);
}

int store_load(struct dhcpd *d, int64_t now)
{
	int fd = dup(d->dir_fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int n = 0;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' && len > 4 && streq(e->d_name + len - 4, ".tmp")) {
			unlinkat(d->dir_fd, e->d_name, 0);
		} else if (len == DHCP_LEASE_NAME_LEN - 1 && streq(e->d_name + len - 5, ".json") &&
			   strspn(e->d_name, "0123456789abcdef") == len - 5) {
			load_one(d, e->d_name, now);
			n++;
		}
	}
	closedir(dir);
	return n;
}
