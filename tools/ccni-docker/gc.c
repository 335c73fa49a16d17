/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gc.c — what a crash left, collected when the daemon starts:
 *
 * - an endpoint joined to a sandbox that no longer exists (dockerd died,
 *   the container with it): its chain is DELeted as Leave would;
 * - an endpoint record never joined or left long ago (its DeleteEndpoint
 *   was lost): dropped, and its address released below;
 * - an address record whose endpoint was deleted (its ReleaseAddress was
 *   lost), or still pending long after RequestAddress;
 * - a "docker-pending-" reservation in host-local's store with no record
 *   (the daemon died between reserving and recording).
 *
 * A sandbox may legitimately be missing for a moment after Join (runc has
 * not made the namespace yet), a pending address lives until the
 * CreateEndpoint that follows it, and Join or DeleteEndpoint follow an
 * endpoint's creation or Leave: all are left alone for GRACE_S.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"

#define GRACE_S 60

static void collect_endpoint(struct cd *cd, const char *id)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct cd_endpoint ep;

	if (state_endpoint_load(cd, id, &ep, &err) != 0) {
		if (ccni_error_is_set(&err))
			cd_log("start: %s", err.msg);
		ccni_error_clear(&err);
		return;
	}
	if (!streq(ep.state, "joined")) {
		/* created or left: Docker joins or deletes right after; a record
		 * still there long after is one whose DeleteEndpoint was lost */
		if (state_now() - state_endpoint_mtime(cd, id) >= GRACE_S) {
			state_endpoint_remove(cd, id);
			cd_log("start: endpoint %.12s (%s, on %s) was never deleted; its record is "
			       "dropped", id, ep.state, ep.network);
		}
	} else {
		if (attach_is_netns(ep.sandbox_key) || state_now() - ep.joined_at < GRACE_S) {
			netdrv_remember(cd, &ep);
		} else if (attach_leave(cd, &ep, &err) < 0) {
			cd_log("start: endpoint %.12s: its sandbox %s is gone; %s", ep.id,
			       ep.sandbox_key, err.msg);
		} else {
			snprintf(ep.state, sizeof(ep.state), "left");
			if (state_endpoint_save(cd, &ep, &err) == 0)
				cd_log("start: endpoint %.12s: its sandbox %s is gone; its "
				       "attachment to %s was deleted",
				       ep.id, ep.sandbox_key, ep.network);
		}
	}
	ccni_error_clear(&err);
	state_endpoint_clear(&ep);
}

static bool endpoint_exists(struct cd *cd, const char *id)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct cd_endpoint ep;
	int rc = state_endpoint_load(cd, id, &ep, &err);

	ccni_error_clear(&err);
	state_endpoint_clear(&ep);
	return rc == 0;
}

static void collect_addresses(struct cd *cd, const char *network)
{
	_cleanup_json_ json_t *ips = state_address_list(cd, network);
	struct ccni_error err = CCNI_ERROR_INIT;
	size_t i;
	json_t *v;

	json_array_foreach(ips, i, v) {
		const char *ip = json_string_value(v);
		struct cd_address a;
		bool pending;

		if (state_address_get(cd, network, ip, &a) != 0)
			continue;
		pending = strncmp(a.owner, CD_PENDING, strlen(CD_PENDING)) == 0;
		if (pending ? state_now() - a.mtime < GRACE_S : endpoint_exists(cd, a.owner))
			continue;
		if (ipam_release(cd, network, ip, &err) == 0)
			cd_log("start: released %s of %s (%s)", ip, network,
			       pending ? "never given to an endpoint" : "its endpoint was deleted");
		ccni_error_clear(&err);
	}
}

struct sweep {
	struct cd *cd;
	const char *network;
};

static int pending_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		      const char *id, const char *ifname, void *data)
{
	struct sweep *sw = data;
	struct cd_address a;

	(void)file;
	if (id && strncmp(id, CD_PENDING, strlen(CD_PENDING)) == 0 &&
	    state_address_get(sw->cd, sw->network, file, &a) != 0) {
		hl_store_release_ip(s, id, ifname, ip);
		cd_log("start: released %s of %s (reserved, never recorded)", file, sw->network);
	}
	return 0;
}

/* Pending reservations without a record, in the stores of our networks. */
static void sweep_stores(struct cd *cd)
{
	_cleanup_free_ char *dir = util_asprintf("%s/networks", cd->state_dir);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		struct ccni_error err = CCNI_ERROR_INIT;
		_cleanup_json_ json_t *rec = NULL;
		char id[65];
		struct ccni_ipnet subnet;
		struct cd_pool p;
		struct hl_store st;
		struct sweep sw = { cd, NULL };
		size_t n = strlen(de->d_name);

		if (n < 6 || n > 69 || !streq(de->d_name + n - 5, ".json"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 5), de->d_name);
		if (state_network_load(cd, id, &rec, &err) == 0 &&
		    ccni_ipnet_parse(json_string_value(json_object_get(rec, "pool")) ?: "", &subnet) == 0 &&
		    cnet_pool(cd, json_string_value(json_object_get(rec, "network")), &subnet, &p, &err) == 0 &&
		    hl_store_open(&st, p.data_dir, p.network, &err) == 0) {
			sw.network = p.network;
			hl_store_foreach(&st, pending_cb, &sw, &err);
			hl_store_close(&st);
		}
		ccni_error_clear(&err);
	}
	if (d)
		closedir(d);
}

void gc_orphans(struct cd *cd)
{
	_cleanup_json_ json_t *ids = state_endpoint_list(cd), *nets = state_address_list(cd, NULL);
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) collect_endpoint(cd, json_string_value(v));
	json_array_foreach(nets, i, v) collect_addresses(cd, json_string_value(v));
	sweep_stores(cd);
}
