/* SPDX-License-Identifier: Apache-2.0 */
/* hl.h — host-local's parts: config, the on-disk store, the allocator. */
#ifndef CCNI_HOST_LOCAL_H
#define CCNI_HOST_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include <ccni/plugin.h>

#define HL_MAX_SETS 16
#define HL_MAX_RANGES 16
#define HL_MAX_REQUESTED 16
#define HL_DEFAULT_DATA_DIR "/var/lib/cni/networks"

struct hl_range {
	struct ccni_ipnet subnet; /* network address / prefix */
	struct ccni_ip start, end, gateway;
	int index; /* its place in its set in the config, for messages */
};

struct hl_rangeset {
	struct hl_range r[HL_MAX_RANGES];
	int n;
	char where[64]; /* for messages: "ipam.ranges[1]", "runtimeConfig.ipRanges[0]" */
};

struct hl_config {
	const char *name;     /* network name (the directory under dataDir) */
	const char *data_dir;
	const char *resolv_conf;
	struct hl_rangeset sets[HL_MAX_SETS];
	int n_sets;
	struct ccni_route *routes;
	size_t n_routes;
	struct ccni_ip requested[HL_MAX_REQUESTED];
	int n_requested;
};

/* Parse and validate (ranges canonical, no overlaps). Errors name the key. */
int hl_config_parse(const struct ccni_request *req, struct hl_config *c, struct ccni_error *err);
void hl_config_free(struct hl_config *c);
bool hl_range_contains(const struct hl_range *r, const struct ccni_ip *ip);
/* The range of the set holding ip, or NULL. */
const struct hl_range *hl_set_find(const struct hl_rangeset *s, const struct ccni_ip *ip);
/* "10.1.0.0/16 (10.1.0.2-10.1.255.254)" for messages. */
const char *hl_set_text(const struct hl_rangeset *s, char *buf, size_t len);

/* The store: DATA_DIR/NAME/ with one file per address ("ID\r\nIFNAME"),
 * last_reserved_ip.N and a lock file held with flock, as the reference. */
struct hl_store {
	int dirfd;
	int lockfd;
	char *dir;
	char tmpname[64]; /* a written reservation, ready to be linked */
	char *data_dir, *name;
	int recfd; /* DATA_DIR/.ccni/NAME (attachment records), -1 until used */
};

int hl_store_open(struct hl_store *s, const char *data_dir, const char *name,
		  struct ccni_error *err);
void hl_store_close(struct hl_store *s);
/* Reserve ip for id/ifname: 1 reserved, 0 taken, -1 error. Atomic: the
 * content is written to a temp file first and linked into place. */
int hl_store_reserve(struct hl_store *s, const char *id, const char *ifname,
		     const struct ccni_ip *ip, int set_index, struct ccni_error *err);
/* Remove ip's reservation if it belongs to id/ifname: 1 removed, 0 not ours. */
int hl_store_release_ip(struct hl_store *s, const char *id, const char *ifname,
			const struct ccni_ip *ip);
/* The owner of ip's reservation: 1 with id/ifname filled (ifname "" in the
 * reference's old format), 0 when ip is free, -1 when the file is there but
 * unreadable or corrupt. */
int hl_store_owner(struct hl_store *s, const struct ccni_ip *ip, char *id, size_t idlen,
		   char *ifname, size_t iflen);
/* Give ip's reservation held by old_id/old_ifname to id/ifname, replacing
 * the file in one rename (never a moment without a reservation): 1 done,
 * 0 not held by old_id/old_ifname, -1 error. */
int hl_store_transfer(struct hl_store *s, const struct ccni_ip *ip, const char *old_id,
		      const char *old_ifname, const char *id, const char *ifname,
		      struct ccni_error *err);
/* Remove every reservation of id/ifname (a directory scan). Count or -1. */
int hl_store_release_all(struct hl_store *s, const char *id, const char *ifname,
			 struct ccni_error *err);
/* Remove temp files a crashed allocator left (GC). Count or -1. */
int hl_store_sweep_temp(struct hl_store *s, struct ccni_error *err);
/* The record of an attachment's addresses (DATA_DIR/.ccni/NAME/HASH:
 * beside the network's directory, which stays byte for byte the
 * reference's; no network name starts with a dot), which refuses a second
 * ADD of the same container and ifname without a scan of the directory. held: 1 with *held one of the addresses still reserved for
 * it, 0 when it holds none (no record, or a stale one). */
int hl_store_record_held(struct hl_store *s, const char *id, const char *ifname,
			 struct ccni_ip *held);
int hl_store_record_write(struct hl_store *s, const char *id, const char *ifname,
			  const struct ccni_ip *ips, int n, struct ccni_error *err);
void hl_store_record_remove(struct hl_store *s, const char *id, const char *ifname);
/* GC: remove the records valid(id, ifname) does not keep. Count or -1. */
int hl_store_record_gc(struct hl_store *s, bool (*valid)(const char *id, const char *ifname,
							 void *arg),
		       void *arg, struct ccni_error *err);
/* last_reserved_ip.N: 0 and *ip, 1 when none. */
int hl_store_last(struct hl_store *s, int set_index, struct ccni_ip *ip);

/* Callback over every reservation file: name, parsed ip, owner (NULL when
 * the file is empty or corrupt). Return <0 to stop. */
typedef int (*hl_store_fn)(struct hl_store *s, const char *file, const struct ccni_ip *ip,
			   const char *id, const char *ifname, void *data);
int hl_store_foreach(struct hl_store *s, hl_store_fn fn, void *data, struct ccni_error *err);

/* Allocate from one range set (requested: NULL for the next free). */
int hl_allocate(struct hl_store *s, const struct hl_rangeset *set, int set_index,
		const char *id, const char *ifname, const struct ccni_ip *requested,
		struct ccni_ipnet *addr, struct ccni_ip *gw, struct ccni_error *err);

/* `ccni validate` (hl-validate.c). */
extern const char *const hl_keys[];
int hl_validate(const struct ccni_request *req, struct ccni_error *err);

extern const struct ccni_plugin plugin_host_local;

#endif
