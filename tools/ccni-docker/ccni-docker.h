/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni-docker.h — what the daemon's files share: the daemon's settings and
 * runtime, the request handlers of the two Docker plugin APIs, the CNI
 * network helpers, the attach/detach core, the on-disk records and the
 * orphan collection. Nothing here is installed.
 */
#ifndef CCNI_DOCKER_H
#define CCNI_DOCKER_H

#include <pthread.h>
#include <stdbool.h>
#include <jansson.h>

#include <ccni/ccni.h>

#include "plugins/ipam/host-local/hl.h"

#define CD_ADDRESS_SPACE "ccni"
#define CD_IFNAME "eth0"            /* CNI_IFNAME of every Docker attachment */
#define CD_PENDING "docker-pending-" /* owner of an address not yet given to an endpoint */
#define CD_DEFAULT_SOCKET "/run/docker/plugins/ccni.sock"
#define CD_DEFAULT_STATE_DIR "/var/lib/ccni-docker"
#define CD_DEFAULT_TIMEOUT_MS 20000

struct cd_pool_mark; /* ipam.c: pools handed out for an empty Pool request */
struct cd_sb_routes; /* netdrv.c: the static routes given to each sandbox */

/* The daemon. Read-only after start except what `lock` guards. */
struct cd {
	const char *socket;
	const char *conf_dir;
	const char *cni_path;
	const char *cache_dir;
	const char *state_dir;
	int timeout_ms;
	struct ccni_runtime *rt;
	int host_netns;           /* our (dockerd's) network namespace */
	pthread_mutex_t lock;     /* guards marks and routes */
	struct cd_pool_mark *marks;
	struct cd_sb_routes *routes;
};

/* A request handler: req is the decoded body (an empty object for empty
 * bodies); *resp gets the reply object. 0 or -1 with err set. */
typedef int (*cd_handler_fn)(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err);
/* The handler of "/Interface.Method", or NULL. */
cd_handler_fn cd_route(const char *path);
/* Answer one request: status and body text (malloc'd). */
char *cd_dispatch(struct cd *cd, const char *path, const char *body, size_t len, int *status);

/* netdrv.c / ipam.c: the two APIs. */
cd_handler_fn netdrv_route(const char *method);
cd_handler_fn ipam_route(const char *method);
struct cd_endpoint;
/* Note the static routes a joined endpoint gave its sandbox (at start). */
void netdrv_remember(struct cd *cd, const struct cd_endpoint *ep);

/* A CNI network's host-local range set that backs one Docker pool. */
struct cd_pool {
	char network[256];         /* CNI network name */
	char data_dir[4096];       /* host-local's dataDir */
	struct hl_rangeset set;    /* the ranges whose subnet is the pool */
	int set_index;             /* its index among host-local's range sets */
	struct ccni_ipnet subnet;
	struct ccni_ip gateway;
};

/* cnet.c: CNI networks. */
int cnet_load(struct cd *cd, const char *name, struct ccni_network **net, struct ccni_error *err);
/* The pool of network `name` for subnet (NULL: the first IPv4 range set's). */
int cnet_pool(struct cd *cd, const char *name, const struct ccni_ipnet *subnet,
	      struct cd_pool *pool, struct ccni_error *err);
/* The network of the conf dir whose host-local range has this subnet
 * (exactly one must). */
int cnet_find_by_subnet(struct cd *cd, const struct ccni_ipnet *subnet, char *name, size_t len,
			struct ccni_error *err);
/* The network as an endpoint runs it: host-local's "ipam" replaced by the
 * static plugin's, holding the endpoint's address. Compact JSON text. */
char *cnet_endpoint_conf(const struct ccni_network *net, const struct ccni_ipnet *addr,
			 struct ccni_error *err);
/* "ccni/NETWORK/SUBNET" and back. */
char *cnet_pool_id(const char *network, const struct ccni_ipnet *subnet);
int cnet_parse_pool_id(const char *id, char *network, size_t len, struct ccni_ipnet *subnet,
		       struct ccni_error *err);

/* An endpoint record (state.c), the truth about one Docker attachment. */
struct cd_endpoint {
	char id[65];
	char network_id[65];
	char network[256];        /* CNI network */
	char address[64];         /* "10.88.0.5/16" */
	char mac[18];
	char state[16];           /* "created", "joined", "left" */
	char sandbox_key[4096];
	char src_name[16];        /* the link handed to Docker */
	char host_veth[16];       /* the host side, when the chain made a veth */
	int host_veth_index;
	long long joined_at;      /* wall clock seconds */
	json_t *conf;             /* the network as the endpoint runs it (object) */
	json_t *caps;             /* capability arguments (object or NULL) */
	json_t *routes;           /* the static routes given to Docker (array or NULL) */
	char *args;               /* CNI_ARGS */
};

void state_endpoint_clear(struct cd_endpoint *ep);
/* 0, 1 when there is none, -1 on error. */
int state_endpoint_load(struct cd *cd, const char *id, struct cd_endpoint *ep,
			struct ccni_error *err);
int state_endpoint_save(struct cd *cd, const struct cd_endpoint *ep, struct ccni_error *err);
int state_endpoint_remove(struct cd *cd, const char *id);
/* When the record was last written (wall clock seconds, 0 when none). */
long long state_endpoint_mtime(struct cd *cd, const char *id);
/* Every endpoint id on disk (array of strings). */
json_t *state_endpoint_list(struct cd *cd);

/* Network records: {"NetworkID","network","pool","gateway"}. */
int state_network_save(struct cd *cd, const char *id, json_t *rec, struct ccni_error *err);
/* 0, 1 when there is none, -1 on error. */
int state_network_load(struct cd *cd, const char *id, json_t **rec, struct ccni_error *err);
int state_network_remove(struct cd *cd, const char *id);

/* Address records: which Docker owner holds an address of a CNI network,
 * and in which host-local dataDir (the reservation in host-local's store
 * says the same; this record is what makes it Docker's, so ReleaseAddress
 * never frees another runtime's address). */
struct cd_address {
	char owner[80];
	char data_dir[4096];
	long long mtime;
};
int state_address_set(struct cd *cd, const char *network, const char *ip,
		      const struct cd_address *a, struct ccni_error *err);
/* 0 with *a filled, 1 when there is none. */
int state_address_get(struct cd *cd, const char *network, const char *ip, struct cd_address *a);
int state_address_remove(struct cd *cd, const char *network, const char *ip);
/* Every address record of a network (array of ip strings); NULL: the
 * networks that have records. */
json_t *state_address_list(struct cd *cd, const char *network);


int state_init(struct cd *cd, struct ccni_error *err);
/* Write a file atomically (unique temp name, rename); 0 or -1 (errno). */
int state_write(const char *path, const char *text);
bool state_id_valid(const char *id);
long long state_now(void);

/* attach.c: run the chain for a Join, undo it at Leave. */
int attach_join(struct cd *cd, struct cd_endpoint *ep, json_t **result, struct ccni_error *err);
int attach_leave(struct cd *cd, struct cd_endpoint *ep, struct ccni_error *err);
/* Is path a mounted network namespace? */
bool attach_is_netns(const char *path);
/* Remove the link handed to Docker if it is back in our namespace. */
void attach_drop_src(struct cd *cd, const struct cd_endpoint *ep);

/* ipam.c: hand a pending address to its endpoint (CreateEndpoint), and
 * release a Docker-owned address (a no-op for any other owner). */
int ipam_claim(struct cd *cd, const char *network, const char *ip, const char *endpoint,
	       struct ccni_error *err);
int ipam_release(struct cd *cd, const char *network, const char *ip, struct ccni_error *err);
/* The pool handed out for an empty Pool request is now a network's. */
void ipam_unmark(struct cd *cd, const char *pool_id);

/* gc.c: collect what a crash left, at start. */
void gc_orphans(struct cd *cd);

/* Time this thread's request spent running CNI chains (for the log). */
extern __thread unsigned long long cd_chain_ns;
/* Logging to stderr with a timestamp. */
void cd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
