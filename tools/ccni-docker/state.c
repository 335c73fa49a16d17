/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c — the daemon's records, the only memory it needs across restarts
 * (Docker never replays CreateNetwork or Join, and does not re-activate a
 * plugin that restarted):
 *
 *   STATE/networks/NETWORKID.json    the CNI network a Docker network runs on
 *   STATE/endpoints/ENDPOINTID.json  one attachment: address, MAC, sandbox,
 *                                    the link handed over, the config ADD ran
 *   STATE/addresses/CNINET/IP        the Docker owner of an address in
 *                                    host-local's store
 *
 * Every write goes to a temp file with a name unique to the writing thread
 * and is renamed into place, so a reader or a restarted daemon sees a whole
 * record or the previous one. Not fsync'ed, as libcni's cache: after a power
 * loss Docker's own state is gone too, and start-up collection reconciles.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"

#define RECORD_MAX (4 * 1024 * 1024)

long long state_now(void)
{
	return (long long)time(NULL);
}

/* Docker's ids are 64 hex digits; accept only hex, so an id is a safe file name. */
bool state_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > 64)
		return false;
	return strspn(id, "0123456789abcdefABCDEF") == n;
}

int state_write(const char *path, const char *text)
{
	static atomic_uint counter;
	_cleanup_free_ char *tmp = util_asprintf("%s.tmp.%d.%u", path, (int)getpid(),
						 atomic_fetch_add(&counter, 1));
	int fd, e;

	if (!tmp)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int state_init(struct cd *cd, struct ccni_error *err)
{
	static const char *const dirs[] = { "networks", "endpoints", "addresses" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = util_asprintf("%s/%s", cd->state_dir, dirs[i]);

		if (!d || util_mkdir_p(d, 0700) < 0)
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "--state-dir: cannot create %s",
						d ? d : cd->state_dir);
	}
	return 0;
}

static json_t *read_json(const char *path, struct ccni_error *err)
{
	_cleanup_free_ char *text = NULL;
	json_error_t je;
	size_t len;
	json_t *j;

	text = util_read_file(path, RECORD_MAX, &len, true);
	if (!text) {
		if (errno != ENOENT)
			ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot read", path);
		return NULL;
	}
	j = json_loadb(text, len, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		ccni_error_set(err, CCNI_ERR_DECODE, "%s: corrupt record (%s)", path, je.text);
		return NULL;
	}
	return j;
}

static int write_json(const char *path, json_t *j, struct ccni_error *err)
{
	_cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);

	if (!text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (state_write(path, text) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot write", path);
	return 0;
}

static char *record_path(struct cd *cd, const char *kind, const char *id)
{
	return state_id_valid(id) ? util_asprintf("%s/%s/%s.json", cd->state_dir, kind, id) : NULL;
}

void state_endpoint_clear(struct cd_endpoint *ep)
{
	json_decref(ep->conf);
	json_decref(ep->caps);
	json_decref(ep->routes);
	free(ep->args);
	memset(ep, 0, sizeof(*ep));
}

#define GET_STR(j, key, field) \
	snprintf(field, sizeof(field), "%s", json_string_value(json_object_get(j, key)) ?: "")

int state_endpoint_load(struct cd *cd, const char *id, struct cd_endpoint *ep,
			struct ccni_error *err)
{
	_cleanup_free_ char *path = record_path(cd, "endpoints", id);
	_cleanup_json_ json_t *j = NULL;
	json_t *v;

	memset(ep, 0, sizeof(*ep));
	if (!path)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "EndpointID: \"%.80s\" is not a Docker id", id ? id : "");
	j = read_json(path, err);
	if (!j)
		return ccni_error_is_set(err) ? -1 : 1;
	GET_STR(j, "EndpointID", ep->id);
	GET_STR(j, "NetworkID", ep->network_id);
	GET_STR(j, "network", ep->network);
	GET_STR(j, "address", ep->address);
	GET_STR(j, "mac", ep->mac);
	GET_STR(j, "state", ep->state);
	GET_STR(j, "sandboxKey", ep->sandbox_key);
	GET_STR(j, "srcName", ep->src_name);
	GET_STR(j, "hostVeth", ep->host_veth);
	ep->host_veth_index = (int)json_integer_value(json_object_get(j, "hostVethIndex"));
	ep->joined_at = json_integer_value(json_object_get(j, "joinedAt"));
	v = json_object_get(j, "conf");
	ep->conf = json_is_object(v) ? json_incref(v) : NULL;
	v = json_object_get(j, "caps");
	ep->caps = json_is_object(v) ? json_incref(v) : NULL;
	v = json_object_get(j, "routes");
	ep->routes = json_is_array(v) ? json_incref(v) : NULL;
	ep->args = util_strdup0(json_string_value(json_object_get(j, "args")));
	return 0;
}

int state_endpoint_save(struct cd *cd, const struct cd_endpoint *ep, struct ccni_error *err)
{
	_cleanup_free_ char *path = record_path(cd, "endpoints", ep->id);
	_cleanup_json_ json_t *j = NULL;

	if (!path)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "EndpointID: \"%s\" is not a Docker id",
				      ep->id);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:O?,s:O?,s:O?,s:s?}",
		      "EndpointID", ep->id, "NetworkID", ep->network_id, "network", ep->network,
		      "address", ep->address, "mac", ep->mac, "state", ep->state, "sandboxKey",
		      ep->sandbox_key, "srcName", ep->src_name, "hostVeth", ep->host_veth,
		      "hostVethIndex", ep->host_veth_index, "joinedAt", (json_int_t)ep->joined_at,
		      "conf", ep->conf, "caps", ep->caps, "routes", ep->routes, "args", ep->args);
	if (!j)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return write_json(path, j, err);
}

long long state_endpoint_mtime(struct cd *cd, const char *id)
{
	_cleanup_free_ char *path = record_path(cd, "endpoints", id);
	struct stat st;

	return path && stat(path, &st) == 0 ? (long long)st.st_mtime : 0;
}

int state_endpoint_remove(struct cd *cd, const char *id)
{
	_cleanup_free_ char *path = record_path(cd, "endpoints", id);

	return path && unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

json_t *state_endpoint_list(struct cd *cd)
{
	_cleanup_free_ char *dir = util_asprintf("%s/endpoints", cd->state_dir);
	json_t *ids = json_array();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && ids && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char id[65];

		if (n < 6 || n > 64 + 5 || !streq(de->d_name + n - 5, ".json"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 5), de->d_name);
		if (state_id_valid(id))
			json_array_append_new(ids, json_string(id));
	}
	if (d)
		closedir(d);
	return ids;
}

int state_network_save(struct cd *cd, const char *id, json_t *rec, struct ccni_error *err)
{
	_cleanup_free_ char *path = record_path(cd, "networks", id);

	if (!path)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "NetworkID: \"%.80s\" is not a Docker id", id ? id : "");
	return write_json(path, rec, err);
}

int state_network_load(struct cd *cd, const char *id, json_t **rec, struct ccni_error *err)
{
	_cleanup_free_ char *path = record_path(cd, "networks", id);

	*rec = NULL;
	if (!path)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "NetworkID: \"%.80s\" is not a Docker id", id ? id : "");
	*rec = read_json(path, err);
	if (!*rec)
		return ccni_error_is_set(err) ? -1 : 1;
	return 0;
}

int state_network_remove(struct cd *cd, const char *id)
{
	_cleanup_free_ char *path = record_path(cd, "networks", id);

	return path && unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static char *address_path(struct cd *cd, const char *network, const char *ip)
{
	if (!ccni_name_valid(network) || strchr(ip, '/') || ip[0] == '.')
		return NULL;
	return util_asprintf("%s/addresses/%s/%s", cd->state_dir, network, ip);
}

int state_address_set(struct cd *cd, const char *network, const char *ip,
		      const struct cd_address *a, struct ccni_error *err)
{
	_cleanup_free_ char *path = address_path(cd, network, ip);
	_cleanup_free_ char *dir = util_asprintf("%s/addresses/%s", cd->state_dir, network);
	_cleanup_free_ char *text = util_asprintf("%s\n%s\n", a->owner, a->data_dir);

	if (!path || !dir || !text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "invalid address record %s/%s", network,
				      ip);
	if (util_mkdir_p(dir, 0700) < 0 || state_write(path, text) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "%s: cannot write", path);
	return 0;
}

int state_address_get(struct cd *cd, const char *network, const char *ip, struct cd_address *a)
{
	_cleanup_free_ char *path = address_path(cd, network, ip);
	_cleanup_free_ char *text = NULL;
	struct stat st;
	char *nl;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (!path || !(text = util_read_file(path, 8192, &n, true)) || !(nl = strchr(text, '\n')))
		return 1;
	*nl = '\0';
	nl[strcspn(nl + 1, "\n") + 1] = '\0';
	snprintf(a->owner, sizeof(a->owner), "%s", text);
	snprintf(a->data_dir, sizeof(a->data_dir), "%s", nl + 1);
	a->mtime = stat(path, &st) == 0 ? (long long)st.st_mtime : 0;
	return 0;
}

json_t *state_address_list(struct cd *cd, const char *network)
{
	_cleanup_free_ char *dir = network && !ccni_name_valid(network) ? NULL :
				   util_asprintf("%s/addresses%s%s", cd->state_dir,
						 network ? "/" : "", network ? network : "");
	json_t *out = json_array();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && out && (de = readdir(d)))
		if (de->d_name[0] != '.' && !strstr(de->d_name, ".tmp."))
			json_array_append_new(out, json_string(de->d_name));
	if (d)
		closedir(d);
	return out;
}

int state_address_remove(struct cd *cd, const char *network, const char *ip)
{
	_cleanup_free_ char *path = address_path(cd, network, ip);

	return path && unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}
