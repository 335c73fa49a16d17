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
#include "lib/runtime/internal.h"

#define CACHE_MAX (4 * 1024 * 1024)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

void *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	unsigned v = 0;
	int bits = 0;
	unsigned char *out = malloc(n / 4 * 3 + 3);

	if (!out)
		return NULL;
	for (; *s && *s != '='; s++) {
		const char *c = strchr(b64, *s);

		if (!c || !*s) {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static bool part_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

char *cache_path(struct ccni_runtime *rt, const char *network, const char *cid,
		 const char *ifname)
{
	if (!part_ok(network) || !part_ok(cid) || !part_ok(ifname))
		return NULL;
	return util_asprintf("%s/results/%s-%s-%s", rt->cache_dir, network, cid, ifname);
}

int cache_lock(struct ccni_runtime *rt, const char *network, bool exclusive,
	       struct ccni_error *err)
{
	_cleanup_free_ char *dir = util_asprintf("%s/locks", rt->cache_dir);
	_cleanup_free_ char *path = util_asprintf("%s/locks/%s", rt->cache_dir, network);
	int fd;

	if (!dir || !path)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_mkdir_p(dir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot create %s", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot open %s", path);
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			close(fd);
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot lock %s", path);
		}
	}
	return fd;
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

int cache_write(struct ccni_runtime *rt, const struct ccni_network *net,
		const struct ccni_attachment *att, json_t *result, struct ccni_error *err)
{
	_cleanup_free_ char *path = NULL, *dir = NULL, *conf = NULL, *text = NULL;
	_cleanup_json_ json_t *entry = NULL;
	const char *name = ccni_network_name(net);
	json_t *pairs;

	path = cache_path(rt, name, att->container_id, att->ifname);
	dir = util_asprintf("%s/results", rt->cache_dir);
	conf = b64_encode(net->bytes, net->len);
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
	rt_trace(rt, "cache: wrote %s (%zu bytes)", path, strlen(text));
	return 0;
}

int cache_read(struct ccni_runtime *rt, const char *network, const char *cid,
	       const char *ifname, json_t **entry, struct ccni_error *err)
{
	_cleanup_free_ char *path = cache_path(rt, network, cid, ifname);
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
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot read %s", path);
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

int cache_remove(struct ccni_runtime *rt, const char *network, const char *cid,
		 const char *ifname)
{
	_cleanup_free_ char *path = cache_path(rt, network, cid, ifname);

	if (!path)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	rt_trace(rt, "cache: removed %s", path);
	return 0;
}

int ccni_cache_get(struct ccni_runtime *rt, const char *network, const char *container_id,
		   const char *ifname, json_t **entry, struct ccni_error *err)
{
	if (cache_read(rt, network, container_id, ifname ? ifname : "eth0", entry, err) < 0)
		return -1;
	if (!*entry)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "cache: no attachment of %s on network %s", container_id, network);
	return 0;
}

int ccni_cache_list(struct ccni_runtime *rt, const char *network, json_t **entries,
		    struct ccni_error *err)
{
	_cleanup_free_ char *dir = util_asprintf("%s/results", rt->cache_dir);
	DIR *d;
	struct dirent *de;

	*entries = json_array();
	if (!dir || !*entries)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 :
		       ccni_error_errno(err, CCNI_ERR_IO, errno, "cache: cannot list %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *data = NULL;
		json_t *e, *n;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		path = util_asprintf("%s/%s", dir, de->d_name);
		if (!path || !(data = util_read_file(path, CACHE_MAX, &len, true)))
			continue;
		e = json_loadb(data, len, 0, NULL);
		n = json_object_get(e, "networkName");
		if (!json_is_object(e) || !json_is_string(n) ||
		    (network && !streq(json_string_value(n), network))) {
			json_decref(e);
			continue;
		}
		json_array_append_new(*entries, e);
	}
	closedir(d);
	return 0;
}
