/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c — the result cache, in libcni's layout and JSON so that caches
 * written by containerd, CRI-O or Podman are read and vice versa:
 * CACHE_DIR/results/NETWORK-CONTAINERID-IFNAME holding
 * {"kind":"cniCacheV1","containerId","config"(base64),"ifName","networkName",
 *  "netns","cniArgs":[[k,v]],"capabilityArgs",{..},"result":{..}}.
 * Writes are atomic (temp file + rename).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/args.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/common/base64.h"
#include "lib/runtime/cache.h"

/* An entry holds the config in base64 (4/3 of its size) and a result, each
 * bounded by CCNI_CONF_MAX_SIZE. */
#define CACHE_MAX (3 * (size_t)CCNI_CONF_MAX_SIZE)

static bool part_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

char *cache_path(const struct cache *c, const char *network, const char *cid,
		 const char *ifname)
{
	if (!part_ok(network) || !part_ok(cid) || !part_ok(ifname))
		return NULL;
	return util_asprintf("%s/results/%s-%s-%s", c->dir, network, cid, ifname);
}

/* Open (making it) and flock one lock file: never blocks in open (a FIFO
 * put there), never follows a link. The fd, or -1 with err set. */
static int lock_file(const char *path, bool exclusive, struct ccni_error *err)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);

	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ccni_error_set(err, CCNI_ERR_IO, "cache: %s is not a regular file", path);
	}
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			close(fd);
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot lock %s", path);
		}
	}
	return fd;
}

/* flock lets shared holders in while an exclusive one waits: with ADDs
 * always in flight a GC would wait for ever. Everyone passes a gate first
 * (locks/.gate-NETWORK; no network is named with a leading dot), shared
 * for an instant by ADD, DEL and CHECK, exclusive by GC until it holds the
 * network's lock: the operations in flight end, new ones wait behind the
 * GC. Both take the gate before the lock, so none waits on another in a
 * circle. */
int cache_lock(const struct cache *c, const char *network, bool exclusive,
	       struct ccni_error *err)
{
	_cleanup_free_ char *dir = util_asprintf("%s/locks", c->dir);
	_cleanup_free_ char *path = util_asprintf("%s/locks/%s", c->dir, network);
	_cleanup_free_ char *gate = util_asprintf("%s/locks/.gate-%s", c->dir, network);
	_cleanup_close_ int gate_fd = -1;

	if (!part_ok(network))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "cache: invalid network name \"%.64s\"", network ? network : "");
	if (!dir || !path || !gate)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_mkdir_p(dir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot create %s", dir);
	if ((gate_fd = lock_file(gate, exclusive, err)) < 0)
		return -1;
	return lock_file(path, exclusive, err);
}

static json_t *args_pairs(const char *text)
{
	struct ccni_args args = { 0 };
	struct ccni_error e = CCNI_ERROR_INIT;
	json_t *arr = json_array();

	if (!arr || !text || !*text)
		return arr;
	if (ccni_args_parse(text, &args, &e) == 0)
		for (size_t i = 0; i < args.n; i++)
			json_array_append_new(arr, json_pack("[ss]", args.pairs[i].key,
							      args.pairs[i].value));
	ccni_args_free(&args);
	ccni_error_clear(&e);
	return arr;
}

int cache_write(const struct cache *c, const char *name, const char *config,
		size_t config_len, const struct ccni_attachment *att, json_t *result,
		struct ccni_error *err)
{
	_cleanup_free_ char *path = NULL, *dir = NULL, *conf = NULL, *text = NULL;
	_cleanup_json_ json_t *entry = NULL;
	json_t *pairs;

	path = cache_path(c, name, att->container_id, att->ifname);
	dir = util_asprintf("%s/results", c->dir);
	conf = b64_encode(config, config_len);
	if (!path || !dir || !conf)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "cache: invalid entry name or no memory");
	entry = json_object();
	json_object_set_new(entry, "kind", json_string("cniCacheV1"));
	json_object_set_new(entry, "containerId", json_string(att->container_id));
	json_object_set_new(entry, "config", json_string(conf));
	json_object_set_new(entry, "ifName", json_string(att->ifname));
	json_object_set_new(entry, "networkName", json_string(name));
	if (att->netns && *att->netns)
		json_object_set_new(entry, "netns", json_string(att->netns));
	pairs = args_pairs(att->args);
	if (json_array_size(pairs))
		json_object_set_new(entry, "cniArgs", pairs);
	else
		json_decref(pairs);
	if (att->capability_args && json_object_size(att->capability_args))
		json_object_set(entry, "capabilityArgs", att->capability_args);
	if (result)
		json_object_set(entry, "result", result);
	text = json_dumps(entry, JSON_COMPACT);
	if (!text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "cache: cannot encode the entry");
	if (util_mkdir_p(dir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot create %s", dir);
	/* Atomic (rename) but not fsync'ed, as libcni writes it: an entry cut
	 * short by a power loss is read as missing, and DEL goes on without
	 * prevResult, so durability is not worth two disk flushes per ADD. */
	if (util_write_file_atomic(path, text, strlen(text), 0600, false) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot write %s", path);
	trace_step(c->trace, "cache", NULL, "wrote %s (%zu bytes)", path, strlen(text));
	return 0;
}

int cache_read(const struct cache *c, const char *network, const char *cid, const char *ifname,
	       json_t **entry, struct ccni_error *err)
{
	_cleanup_free_ char *path = cache_path(c, network, cid, ifname);
	_cleanup_free_ char *data = NULL;
	json_error_t jerr;
	size_t len = 0;

	*entry = NULL;
	if (!path)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "cache: invalid network \"%s\", container id or ifname", network);
	data = util_read_file(path, CACHE_MAX, &len, true);
	if (!data) {
		if (errno == ENOENT)
			return 0;
		util_read_error(err, path, CACHE_MAX);
		return ccni_error_prefix(err, "cache");
	}
	*entry = json_loadb(data, len, 0, &jerr);
	if (!*entry || !json_is_object(*entry)) {
		json_decref(*entry);
		*entry = NULL;
		return ccni_error_set(err, CCNI_ERR_DECODE, "cache: %s is corrupt (%s)", path,
				      len ? jerr.text : "empty file");
	}
	return 0;
}

int cache_remove(const struct cache *c, const char *network, const char *cid,
		 const char *ifname)
{
	_cleanup_free_ char *path = cache_path(c, network, cid, ifname);

	if (!path)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	trace_step(c->trace, "cache", NULL, "removed %s", path);
	return 0;
}

static bool has_prefix(const char *network, const char *name)
{
	size_t n = strlen(network);

	return strncmp(name, network, n) == 0 && name[n] == '-';
}

/* Is an unreadable results/NAME the network's? It starts with "NETWORK-",
 * but so does an entry of a network "NETWORK-x": when one such network
 * holds a lock file here, the file is not this network's to collect. */
static bool unreadable_is_ours(const struct cache *c, const char *network, const char *name)
{
	const char *rest = name + strlen(network) + 1;

	for (const char *dash = strchr(rest, '-'); dash; dash = strchr(dash + 1, '-')) {
		_cleanup_free_ char *lock = util_asprintf("%s/locks/%.*s", c->dir,
							  (int)(dash - name), name);

		if (!lock || access(lock, F_OK) == 0)
			return false;
	}
	return true;
}

/* One file of results/: appended to entries when it is an entry of the
 * network (any network when NULL), to unreadable when it is not readable
 * as an entry but named for the network. */
static void list_one(const struct cache *c, const char *dir, const char *name,
		     const char *network, json_t *entries, json_t *unreadable)
{
	_cleanup_free_ char *path = util_asprintf("%s/%s", dir, name);
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_t *e = NULL;
	const char *why = NULL, *net;
	json_error_t jerr;
	char buf[96];
	size_t len = 0;

	if (!path || (network && !has_prefix(network, name)))
		return;
	if (strstr(name, ".tmp."))
		why = "a temporary file left by an interrupted write";
	else if (!(data = util_read_file(path, CACHE_MAX, &len, true)))
		why = util_read_why(errno, CACHE_MAX, buf, sizeof(buf));
	else if (!(e = json_loadb(data, len, 0, &jerr)) || !json_is_object(e))
		why = len ? "not a JSON object" : "empty";
	else if (!(net = json_string_value(json_object_get(e, "networkName"))))
		why = "no networkName";
	if (why) {
		if (network && unreadable && unreadable_is_ours(c, network, name))
			json_array_append_new(unreadable, json_pack("{s:s,s:s}", "file", name, "why", why));
		return;
	}
	if (!network || streq(net, network))
		json_array_append_new(entries, TAKE_PTR(e));
}

int cache_list(const struct cache *c, const char *network, json_t **entries,
	       json_t **unreadable, struct ccni_error *err)
{
	_cleanup_free_ char *dir = util_asprintf("%s/results", c->dir);
	DIR *d;
	struct dirent *de;

	*entries = json_array();
	if (unreadable)
		*unreadable = json_array();
	if (!dir || !*entries || (unreadable && !*unreadable))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 :
		       ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot list %s", dir);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			list_one(c, dir, de->d_name, network, *entries,
				 unreadable ? *unreadable : NULL);
	closedir(d);
	return 0;
}

int cache_remove_file(const struct cache *c, const char *name)
{
	_cleanup_free_ char *path = NULL;

	if (!part_ok(name) || !(path = util_asprintf("%s/results/%s", c->dir, name)))
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	trace_step(c->trace, "cache", NULL, "removed %s", path);
	return 0;
}
