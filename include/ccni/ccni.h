/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/ccni.h — the runtime API (libccni): load network configurations,
 * attach and detach containers by running plugin chains, and keep the
 * result cache in libcni's on-disk format.
 *
 * Ownership rules, once for the whole header:
 * - Every `struct ccni_x *` returned through an out-parameter is owned by the
 *   caller and released with its ccni_x_free(); strings passed in are copied
 *   or only read during the call, never kept.
 * - json_t values returned are new references (json_decref them); json_t
 *   values passed in are borrowed.
 * - Every fallible function returns 0 or a negative number, and then fills
 *   `err` (release with ccni_error_clear()).
 *
 * Threads: one struct ccni_runtime may be used from many threads at once;
 * struct ccni_network is read-only after loading and may be shared too.
 */
#ifndef CCNI_CCNI_H
#define CCNI_CCNI_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/conf.h>
#include <ccni/error.h>
#include <ccni/result.h>
#include <ccni/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCNI_DEFAULT_CONF_DIR "/etc/cni/net.d"
#define CCNI_DEFAULT_CACHE_DIR "/var/lib/cni"

/* Called for every step when tracing is on (CCNI_TRACE=1 or opts.trace). */
typedef void (*ccni_trace_fn)(void *data, const char *line);

struct ccni_runtime_opts {
	const char *plugin_path; /* ':'-separated CNI_PATH; NULL: "/opt/cni/bin" */
	const char *conf_dir;    /* NULL: CCNI_DEFAULT_CONF_DIR */
	const char *cache_dir;   /* NULL: CCNI_DEFAULT_CACHE_DIR */
	int timeout_ms;          /* per plugin run; <= 0: no limit */
	bool trace;              /* also on when CCNI_TRACE=1 in the environment */
	ccni_trace_fn trace_fn;  /* NULL: lines go to stderr */
	void *trace_data;
};

struct ccni_runtime;
struct ccni_network;
struct ccni_attachment;

int ccni_runtime_new(const struct ccni_runtime_opts *opts, struct ccni_runtime **out,
		     struct ccni_error *err);
void ccni_runtime_free(struct ccni_runtime *rt);
/* For a cleanup attribute (see ccni_result_freep in ccni/result.h). */
static inline void ccni_runtime_freep(struct ccni_runtime **rt)
{
	ccni_runtime_free(*rt);
}

/* Load the network `name` from the conf dir (.conflist first, then .conf
 * and .json, each in lexical order), with 1.1.0 aggregation of the plugin
 * objects in the folder named after the network. name NULL: the default
 * network (the first valid file). */
int ccni_network_load(struct ccni_runtime *rt, const char *name, struct ccni_network **out,
		      struct ccni_error *err);
int ccni_network_load_file(struct ccni_runtime *rt, const char *path,
			   struct ccni_network **out, struct ccni_error *err);
int ccni_network_from_bytes(struct ccni_runtime *rt, const char *data, size_t len,
			    struct ccni_network **out, struct ccni_error *err);
void ccni_network_free(struct ccni_network *net);
static inline void ccni_network_freep(struct ccni_network **net)
{
	ccni_network_free(*net);
}
const char *ccni_network_name(const struct ccni_network *net);
/* The version chosen for the network (cniVersions/cniVersion). */
const char *ccni_network_version(const struct ccni_network *net);
size_t ccni_network_n_plugins(const struct ccni_network *net);
/* Plugin object i (borrowed). */
json_t *ccni_network_plugin(const struct ccni_network *net, size_t i);
/* The config plugin object `plugin` of net gets on stdin for an ADD of att,
 * as compact JSON text (malloc'd): the object with the network's name and
 * cniVersion, and runtimeConfig from the capabilities it declares that
 * att->capability_args has (att may be NULL). NULL when memory runs out. */
char *ccni_network_plugin_config(const struct ccni_network *net, json_t *plugin,
				 const struct ccni_attachment *att);
const char *ccni_network_source(const struct ccni_network *net);

/* One attachment: a container's interface on a network. */
struct ccni_attachment {
	const char *container_id;
	const char *netns;
	const char *ifname;       /* NULL: "eth0" */
	const char *args;         /* CNI_ARGS text "K=V;K=V", may be NULL */
	json_t *capability_args;  /* {"portMappings": [...], ...} or NULL */
};

/* ADD the chain; *result (may be NULL) gets the final result JSON. */
int ccni_add(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, json_t **result, struct ccni_error *err);
int ccni_check(struct ccni_runtime *rt, const struct ccni_network *net,
	       const struct ccni_attachment *att, struct ccni_error *err);
int ccni_del(struct ccni_runtime *rt, const struct ccni_network *net,
	     const struct ccni_attachment *att, struct ccni_error *err);
int ccni_status(struct ccni_runtime *rt, const struct ccni_network *net,
		struct ccni_error *err);
/*
 * GC, as libcni does it: DEL of every cached attachment of the network that
 * is not in valid (with its cached result, CNI_ARGS and capability
 * arguments), then, for 1.1.0 networks, GC of each plugin with
 * "cni.dev/valid-attachments". valid: array of {"containerID","ifname"};
 * NULL: as libcni with no arguments (every cached attachment is deleted and
 * plugins get no list). Cache entries that cannot be read (not a regular
 * file, corrupt, an interrupted write's leftover) are removed unless named
 * for a valid attachment. The network's exclusive lock is held throughout,
 * so an ADD in flight is waited for, never collected. Skipped with
 * disableGC. Goes on past a failure and returns the first.
 */
int ccni_gc(struct ccni_runtime *rt, const struct ccni_network *net, json_t *valid,
	    struct ccni_error *err);
/* GC with the cache as the truth: the valid attachments are the cached
 * ones, read once under the lock (what `ccni gc NET` does). */
int ccni_gc_cached(struct ccni_runtime *rt, const struct ccni_network *net,
		   struct ccni_error *err);
/* The same, but a cached attachment is valid only when keep(entry, data)
 * says so (entry: its cache entry, borrowed), e.g. to collect attachments
 * whose owner is known to be gone. */
typedef bool (*ccni_gc_keep_fn)(json_t *entry, void *data);
int ccni_gc_cached_keep(struct ccni_runtime *rt, const struct ccni_network *net,
			ccni_gc_keep_fn keep, void *data, struct ccni_error *err);

/* Re-apply the firewall state (ipMasq, macspoofchk, port mappings, firewall
 * accepts) of a cached attachment from its cached result, without touching
 * links or addresses: for after `nft flush ruleset` or a firewall reload.
 * Idempotent. Only ccni's own plugins take part (the command, REAPPLY, is
 * not the spec's); others are skipped. Code 107 without a cached result. */
int ccni_reapply(struct ccni_runtime *rt, const struct ccni_network *net,
		 const struct ccni_attachment *att, struct ccni_error *err);

/* The cached attachment (libcni's cache entry as JSON), or code 107. */
int ccni_cache_get(struct ccni_runtime *rt, const char *network, const char *container_id,
		   const char *ifname, json_t **entry, struct ccni_error *err);
/* Every cache entry (array of entry objects); network NULL: all networks. */
int ccni_cache_list(struct ccni_runtime *rt, const char *network, json_t **entries,
		    struct ccni_error *err);

/* VERSION of a plugin binary: {"cniVersion", "supportedVersions"}. */
int ccni_plugin_info(struct ccni_runtime *rt, const char *type, json_t **info,
		     struct ccni_error *err);

#ifdef __cplusplus
}
#endif
#endif
