/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-files.c — where the daemon's files are, derived from its socket
 * path P alone, so a plugin and the daemon it starts agree without more
 * config: P.lock (held while a daemon starts, shared while a plugin talks
 * to one), P.d/ (one lease file per attachment, named by a hash of
 * container id, network and interface; daemon.log, daemon.pid).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/common/cleanup.h"
#include "lib/common/sha512.h"
#include "plugins/ipam/dhcp/dhcp.h"

void dhcp_lease_name(const char *id, const char *network, const char *ifname,
		     char out[DHCP_LEASE_NAME_LEN])
{
	struct sha512_ctx c;
	uint8_t h[64];

	sha512_init(&c);
	/* NUL separated: no two attachments give the same input */
	sha512_update(&c, id, strlen(id) + 1);
	sha512_update(&c, network, strlen(network) + 1);
	sha512_update(&c, ifname, strlen(ifname) + 1);
	sha512_final(&c, h);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	snprintf(out + 32, DHCP_LEASE_NAME_LEN - 32, ".json");
}

void dhcp_path(const char *socket_path, const char *suffix, char out[DHCP_FILE_MAX])
{
	snprintf(out, DHCP_FILE_MAX, "%s%s", socket_path, suffix);
}

static bool any_lease(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		found = n == DHCP_LEASE_NAME_LEN - 1 && streq(e->d_name + n - 5, ".json");
	}
	closedir(d);
	return found;
}

bool dhcp_state_has(const char *socket_path, const char *id, const char *network,
		    const char *ifname)
{
	char dir[DHCP_FILE_MAX], path[DHCP_FILE_MAX + DHCP_LEASE_NAME_LEN + 1];
	char name[DHCP_LEASE_NAME_LEN];
	struct stat st;

	dhcp_path(socket_path, ".d", dir);
	if (!id)
		return any_lease(dir);
	dhcp_lease_name(id, network, ifname, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}
