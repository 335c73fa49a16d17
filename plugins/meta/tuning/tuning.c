/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuning — a chained plugin that sets net.* sysctls of the container's
 * namespace and attributes of its interface (MAC, MTU, promiscuous and
 * all-multicast modes, transmit queue length), as the reference does: same
 * keys, same sources (args.cni, runtimeConfig, CNI_ARGS MAC), same backup
 * file (DATADIR/CONTAINERID_IFNAME.json) so that DEL puts the interface back
 * as it was. The result is prevResult, with the interface's new MAC.
 */
#include <errno.h>
#include <linux/if.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/sysctl.h"
#include "net/tag.h"
#include "plugins/meta/tuning/tuning.h"

#define BACKUP_MAX (64 * 1024)
#define ALLOWLIST_MAX (64 * 1024)
#define SYSCTL_KEY_MAX 200
#define SYSCTL_VALUE_MAX 4096

/* --- configuration ---------------------------------------------------------- */

int tuning_sysctl_path(const char *key, const char *ifname, char *out, size_t len,
		       struct ccni_error *err)
{
	char tmp[SYSCTL_KEY_MAX + 1];
	const char *at;
	size_t n = strlen(key);
	int w;

	if (n == 0 || n > SYSCTL_KEY_MAX)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "sysctl: invalid key \"%.64s\" (1 to %d bytes)", key,
				      SYSCTL_KEY_MAX);
	/* Dots separate components; then the first IFNAME is the interface
	 * (whose name may itself hold dots: eth0.100). */
	for (size_t i = 0; i <= n; i++)
		tmp[i] = key[i] == '.' ? '/' : key[i];
	at = strstr(tmp, "IFNAME");
	if (at)
		w = snprintf(out, len, "%.*s%s%s", (int)(at - tmp), tmp, ifname ? ifname : "",
			     at + 6);
	else
		w = snprintf(out, len, "%s", tmp);
	if (w < 0 || (size_t)w >= len || strncmp(out, "net/", 4) != 0 || !sysctl_key_valid(out))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "sysctl: invalid net sysctl key \"%s\" (only keys under net. "
				      "without \"..\" are allowed)",
				      key);
	return 0;
}

/* The end of the JSON value starting at s[i] (the text is known valid). */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;
	bool str = false;

	for (; i < n; i++) {
		char ch = s[i];

		if (str) {
			if (ch == '\\')
				i++;
			else if (ch == '"') {
				str = false;
				if (depth == 0)
					return i + 1;
			}
			continue;
		}
		if (ch == '"')
			str = true;
		else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 &&
			   (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'))
			return i;
	}
	return n;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

int tuning_sysctl_dups(const char *data, size_t len, struct ccni_error *err)
{
	size_t i = skip_ws(data, len, 0);

	if (i >= len || data[i] != '{')
		return 0;
	i = skip_ws(data, len, i + 1);
	while (i < len && data[i] == '"') {
		size_t kend = skip_value(data, len, i), vstart, vend;
		json_t *k = json_loadb(data + i, kend - i, JSON_DECODE_ANY, NULL);
		bool is_sysctl = json_is_string(k) && streq(json_string_value(k), "sysctl");

		json_decref(k);
		i = skip_ws(data, len, kend);
		if (i >= len || data[i] != ':')
			return 0;
		vstart = skip_ws(data, len, i + 1);
		vend = skip_value(data, len, vstart);
		if (is_sysctl && vstart < len && data[vstart] == '{') {
			json_error_t je;
			json_t *v =
			    json_loadb(data + vstart, vend - vstart, JSON_REJECT_DUPLICATES, &je);

			if (!v)
				return ccni_error_set(
				    err, CCNI_ERR_INVALID_CONFIG,
				    "sysctl: duplicated keys are not allowed (%s)", je.text);
			json_decref(v);
		}
		i = skip_ws(data, len, vend);
		if (i < len && data[i] == ',')
			i = skip_ws(data, len, i + 1);
		else
			break;
	}
	return 0;
}

/* Copy the string members of a "sysctl" object into c->sysctl. */
static int merge_sysctl(struct tuning_conf *c, json_t *obj, const char *where,
			struct ccni_error *err)
{
	const char *k;
	json_t *v;
	char b[80];

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: expected an object, got %s", where,
				      ccni_json_brief(obj, b, sizeof(b)));
	json_object_foreach(obj, k, v)
	{
		if (!json_is_string(v))
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.%.64s: expected a string, got %s", where, k,
					      ccni_json_brief(v, b, sizeof(b)));
		if (strlen(k) > SYSCTL_KEY_MAX || json_string_length(v) > SYSCTL_VALUE_MAX)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s.%.64s: key or value too long", where, k);
		if (json_object_set(c->sysctl, k, v) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (json_object_size(c->sysctl) > TUNING_MAX_SYSCTLS)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "%s: more than %d sysctls", where,
					      TUNING_MAX_SYSCTLS);
	}
	return 0;
}

/* The link attributes of one source (the config or args.cni); when
 * validating, each bad one is recorded and parsing goes on. */
static int parse_attrs(const struct ccni_request *req, json_t *o, const char *where,
		       struct tuning_conf *c, const char **mac, struct ccni_error *err)
{
	long long v = -1;
	bool b = false;
	json_t *j;

	if (!o)
		return 0;
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(o, where, "mac", mac, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_bool(o, where, "promisc", &c->promisc, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_int(o, where, "mtu", 0, 65535, &v, err)) < 0)
		return -1;
	if (v >= 0)
		c->mtu = (unsigned)v;
	j = json_object_get(o, "allmulti");
	if (j && !json_is_null(j)) {
		if (ccni_json_get_bool(o, where, "allmulti", &b, err) < 0) {
			if (ccni_conf_problem(req, err) < 0)
				return -1;
		} else {
			c->allmulti = b;
		}
	}
	if (CCNI_CONF_TRY(req, err, ccni_json_get_int(o, where, "txQLen", 0, 4294967295LL,
						       &c->txqlen, err)) < 0)
		return -1;
	return 0;
}

void tuning_conf_clear(struct tuning_conf *c)
{
	json_decref(c->sysctl);
	c->sysctl = NULL;
}

/* The MAC: the config, then CNI_ARGS MAC, then runtimeConfig.mac, then
 * args.cni.mac; each later source wins when it gives a value. DEL works
 * from the backup file only: what the runtime passes for the MAC does not
 * matter to it (and must not make it fail). args.cni's sysctls and
 * attributes too. */
static int runtime_sources(const struct ccni_request *req, struct tuning_conf *c,
			   const char **mac, const char **from, struct ccni_error *err)
{
	static const char *const known_args[] = {"MAC", NULL};
	const char *m, *before;

	if (req->command != CCNI_CMD_DEL) {
		if (ccni_args_check_known(&req->args, known_args, err) < 0)
			return -1;
		m = ccni_args_get(&req->args, "MAC");
		if (m && *m)
			*mac = m, *from = "CNI_ARGS MAC";
		m = NULL;
		if (ccni_json_get_string(req->runtime_config, "runtimeConfig", "mac", &m, err) < 0)
			return -1;
		if (m && *m)
			*mac = m, *from = "runtimeConfig.mac";
	}
	if (req->cni_args) {
		before = *mac;
		if (merge_sysctl(c, json_object_get(req->cni_args, "sysctl"), "args.cni.sysctl",
				 err) < 0 ||
		    parse_attrs(req, req->cni_args, "args.cni", c, mac, err) < 0)
			return -1;
		if (*mac != before)
			*from = "args.cni.mac";
	}
	if (req->command == CCNI_CMD_DEL)
		*mac = NULL;
	return 0;
}

static int set_mac(const struct ccni_request *req, struct tuning_conf *c, const char *mac,
		   const char *from, struct ccni_error *err)
{
	if (!mac || !*mac)
		return 0;
	if (ccni_mac_parse_any(mac, c->mac) < 0)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "%s: invalid MAC address \"%.32s\"", from, mac);
	if (c->mac[0] & 1)
		return ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
				       "%s: \"%.32s\" is a multicast address", from, mac);
	c->has_mac = true;
	return 0;
}

int tuning_conf_parse(const struct ccni_request *req, struct tuning_conf *c, struct ccni_error *err)
{
	json_t *conf = req->config;
	const char *mac = NULL, *mac_from = "mac", *k;
	json_t *v;

	memset(c, 0, sizeof(*c));
	c->allmulti = -1;
	c->txqlen = -1;
	c->data_dir = TUNING_DEFAULT_DATA_DIR;
	c->sysctl = json_object();
	if (!c->sysctl)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (req->stdin_data &&
	    CCNI_CONF_TRY(req, err, tuning_sysctl_dups(req->stdin_data, req->stdin_len, err)) < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(conf, "", "dataDir", &c->data_dir, err)) < 0)
		return -1;
	if (!*c->data_dir)
		c->data_dir = TUNING_DEFAULT_DATA_DIR;
	if (strlen(c->data_dir) > 1024 &&
	    ccni_conf_error(req, err, CCNI_ERR_INVALID_CONFIG,
			    "dataDir: \"%.64s...\" is longer than 1024 bytes", c->data_dir) < 0)
		return -1;
	if (CCNI_CONF_TRY(req, err, merge_sysctl(c, json_object_get(conf, "sysctl"), "sysctl", err)) < 0 ||
	    parse_attrs(req, conf, "", c, &mac, err) < 0)
		return -1;

	if (runtime_sources(req, c, &mac, &mac_from, err) < 0 ||
	    set_mac(req, c, mac, mac_from, err) < 0)
		return -1;
	if (req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK) {
		json_object_foreach(c->sysctl, k, v)
		{
			char path[256];

			if (CCNI_CONF_TRY(req, err, tuning_sysctl_path(k, req->ifname, path, sizeof(path),
								    err)) < 0)
				return -1;
		}
	}
	return 0;
}

/* `ccni validate`: its keys, and the parser above. */
static const char *const tuning_keys[] = {
	"mac", "promisc", "mtu", "allmulti", "txQLen", "sysctl.*", "dataDir", NULL,
};

static int tuning_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct tuning_conf c;
	int rc = tuning_conf_parse(req, &c, err);

	tuning_conf_clear(&c);
	return rc;
}

int tuning_allowlist_check(const char *file, json_t *sysctl, struct ccni_error *err)
{
	_cleanup_free_ char *text = NULL;
	regex_t re[64];
	char *line, *save = NULL;
	int n = 0, rc = 0;
	size_t len;
	const char *k;
	json_t *v;

	if (json_object_size(sysctl) == 0)
		return 0;
	text = util_read_file(file, ALLOWLIST_MAX, &len, false);
	if (!text) {
		if (errno == ENOENT)
			return 0; /* no allow-list: every net.* sysctl is allowed */
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "sysctl allow-list %s", file);
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e = line + strlen(line);

		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!*line)
			continue;
		if (n == (int)ARRAY_SIZE(re)) {
			rc = ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					    "sysctl allow-list %s: more than %zu patterns", file,
					    ARRAY_SIZE(re));
			goto out;
		}
		if (regcomp(&re[n], line, REG_EXTENDED | REG_NOSUB) != 0) {
			rc = ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					    "sysctl allow-list %s: invalid pattern \"%.64s\"", file,
					    line);
			goto out;
		}
		n++;
	}
	json_object_foreach(sysctl, k, v)
	{
		bool ok = false;

		for (int i = 0; i < n && !ok; i++)
			ok = regexec(&re[i], k, 0, NULL, 0) == 0;
		if (!ok) {
			rc = ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					    "sysctl: \"%s\" is not allowed by %s", k, file);
			goto out;
		}
	}
out:
	for (int i = 0; i < n; i++)
		regfree(&re[i]);
	return rc;
}

/* --- kernel work ------------------------------------------------------------ */

struct sysctl_job {
	json_t *sysctl;
	const char *ifname;
	bool check;
};

static int sysctl_apply(void *data, struct ccni_error *err)
{
	struct sysctl_job *j = data;
	const char *k;
	json_t *v;

	json_object_foreach(j->sysctl, k, v)
	{
		char path[256], cur[SYSCTL_VALUE_MAX + 1];

		if (tuning_sysctl_path(k, j->ifname, path, sizeof(path), err) < 0)
			return -1;
		if (!j->check) {
			if (sysctl_set(path, json_string_value(v), err) < 0)
				return -1;
			continue;
		}
		if (sysctl_get(path, cur, sizeof(cur), err) < 0)
			return -1;
		if (!streq(cur, json_string_value(v)))
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "sysctl %s: configured value is \"%.64s\", current "
					      "value is \"%.64s\"",
					      k, json_string_value(v), cur);
	}
	return 0;
}

static bool wants_link(const struct tuning_conf *c)
{
	return c->has_mac || c->mtu || c->promisc || c->allmulti >= 0 || c->txqlen >= 0;
}

static char *backup_path(const struct ccni_request *req, const struct tuning_conf *c)
{
	return util_asprintf("%s/%s_%s.json", c->data_dir, req->container_id, req->ifname);
}

/* The backup's temp file: one name per attachment (no two operations on one
 * container run at once), so the DEL after an ADD killed while writing it
 * finds it without a listing. */
static char *backup_tmp_path(const struct ccni_request *req, const struct tuning_conf *c)
{
	return util_asprintf("%s/%s_%s.json.tmp", c->data_dir, req->container_id, req->ifname);
}

/* The interface's current values of what the config changes, in the
 * reference's file format. */
static int set_flag(struct nl_sock *sk, int ifindex, unsigned flag, bool on, struct ccni_error *err)
{
	struct link_change ch = { .flags_on = on ? flag : 0, .flags_off = on ? 0 : flag };

	return link_set(sk, ifindex, &ch, err);
}

static int set_txqlen(struct nl_sock *sk, int ifindex, unsigned qlen, struct ccni_error *err)
{
	return link_set(sk, ifindex, &(struct link_change){ .set_txqlen = true, .txqlen = qlen }, err);
}

static int write_backup(const struct ccni_request *req, const struct tuning_conf *c,
			const struct link *l, struct ccni_error *err)
{
	_cleanup_json_ json_t *o = json_object();
	_cleanup_free_ char *path = backup_path(req, c), *tmp = backup_tmp_path(req, c),
			    *text = NULL;
	char mac[18], tag[TAG_MAX];
	int rc = 0;

	if (!o || !path || !tmp)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (c->has_mac)
		rc |= json_object_set_new(o, "mac", json_string(ccni_mac_format(l->mac, mac)));
	if (c->promisc)
		rc |= json_object_set_new(o, "promisc", json_boolean(l->flags & IFF_PROMISC));
	if (c->mtu)
		rc |= json_object_set_new(o, "mtu", json_integer(l->mtu));
	if (c->allmulti >= 0)
		rc |= json_object_set_new(o, "allmulti", json_boolean(l->flags & IFF_ALLMULTI));
	if (c->txqlen >= 0)
		rc |= json_object_set_new(o, "txQLen", json_integer(l->txqlen));
	/* after the reference's keys (which its DEL reads; it ignores this
	 * one): whose backup it is, for GC */
	tag_of(req->name, req->container_id, req->ifname, tag);
	rc |= json_object_set_new(o, "ccniAttachment", json_string(tag));
	if (rc)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (util_mkdir_p(c->data_dir, 0700) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "dataDir: cannot create \"%s\"",
					c->data_dir);
	if (util_write_file_atomic_as(path, tmp, text, strlen(text), 0600, true) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot write backup %s", path);
	return 0;
}

static int open_link(const struct ccni_request *req, int nsfd, struct nl_sock **sk, struct link *l,
		     struct ccni_error *err)
{
	int rc;

	*sk = netlink_open(nsfd, err);
	if (!*sk)
		return -1;
	rc = link_get(*sk, req->ifname, 0, l, err);
	if (rc == 1)
		return ccni_error_set(err, CCNI_ERR_NOT_FOUND,
				      "CNI_IFNAME: no link \"%s\" in the container", req->ifname);
	return rc;
}

static int tuning_add(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	_cleanup_(tuning_conf_clear) struct tuning_conf c = {0};
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	_cleanup_close_ int nsfd = -1;
	struct link l;
	struct sysctl_job job;

	if (tuning_conf_parse(req, &c, err) < 0 ||
	    tuning_allowlist_check(TUNING_ALLOWLIST, c.sysctl, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "tuning: prevResult is required (a chained plugin)");
	if (netns_open(req->netns, &nsfd, err) < 0)
		return -1;
	job = (struct sysctl_job){c.sysctl, req->ifname, false};
	if (netns_run(nsfd, sysctl_apply, &job, err) < 0)
		return -1;

	r = ccni_result_copy(req->prev_result);
	if (!r)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (wants_link(&c)) {
		if (open_link(req, nsfd, &sk, &l, err) < 0 ||
		    write_backup(req, &c, &l, err) < 0)
			return -1;
		if (c.has_mac) {
			char mac[18];

			if (link_set(sk, l.ifindex, &(struct link_change){ .mac = c.mac }, err) < 0)
				return ccni_error_prefix(err, "mac");
			ccni_mac_format(c.mac, mac);
			for (size_t i = 0; i < r->n_interfaces; i++) {
				struct ccni_interface *itf = &r->interfaces[i];

				if (itf->name && streq(itf->name, req->ifname)) {
					char *s = strdup(mac);

					if (!s)
						return ccni_error_set(err, CCNI_ERR_INTERNAL,
								      "out of memory");
					free(itf->mac);
					itf->mac = s;
				}
			}
		}
		if (c.promisc && set_flag(sk, l.ifindex, IFF_PROMISC, true, err) < 0)
			return ccni_error_prefix(err, "promisc");
		if (c.mtu && link_set(sk, l.ifindex, &(struct link_change){ .mtu = c.mtu }, err) < 0)
			return ccni_error_prefix(err, "mtu %u", c.mtu);
		if (c.allmulti >= 0 && set_flag(sk, l.ifindex, IFF_ALLMULTI, c.allmulti, err) < 0)
			return ccni_error_prefix(err, "allmulti");
		if (c.txqlen >= 0 && set_txqlen(sk, l.ifindex, (unsigned)c.txqlen, err) < 0)
			return ccni_error_prefix(err, "txQLen %lld", c.txqlen);
	}
	*out = TAKE_PTR(r);
	return 0;
}

/* Report one failed restore step on stderr; the backup is then kept. */
static void restore_failed(bool *failed, const char *what, struct ccni_error *err)
{
	fprintf(stderr, "tuning: failed to restore %s: %s\n", what, err->msg ? err->msg : "");
	ccni_error_clear(err);
	*failed = true;
}

/* Put back what the backup file holds. Failures are reported on stderr and
 * keep the file; DEL itself succeeds, as in the reference. When the
 * namespace or the link is gone there is nothing left to put back and the
 * file goes. */
static void restore(const struct ccni_request *req, const struct tuning_conf *c)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_free_ char *path = backup_path(req, c), *tmp = backup_tmp_path(req, c),
			    *text = NULL;
	_cleanup_json_ json_t *o = NULL;
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_close_ int nsfd = -1;
	struct link l;
	json_t *v;
	size_t len;
	bool failed = false;
	int rc;

	if (!path || !tmp)
		return;
	unlink(tmp); /* an ADD killed while writing the backup */
	text = util_read_file(path, BACKUP_MAX, &len, true);
	if (!text)
		return; /* no backup: nothing to put back */
	o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o)) {
		fprintf(stderr, "tuning: %s: not a JSON object, left as is\n", path);
		return;
	}
	if (!req->netns || netns_open(req->netns, &nsfd, &err) < 0)
		goto gone;
	sk = netlink_open(nsfd, &err);
	rc = sk ? link_get(sk, req->ifname, 0, &l, &err) : -1;
	if (rc == 1)
		goto gone;
	if (rc < 0) {
		restore_failed(&failed, req->ifname, &err);
		return;
	}
	v = json_object_get(o, "mtu");
	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 65535 &&
	    link_set(sk, l.ifindex, &(struct link_change){ .mtu = (unsigned)json_integer_value(v) }, &err) < 0)
		restore_failed(&failed, "MTU", &err);
	v = json_object_get(o, "mac");
	if (json_is_string(v) && *json_string_value(v)) {
		uint8_t mac[6];

		if (ccni_mac_parse_any(json_string_value(v), mac) < 0) {
			ccni_error_set(&err, CCNI_ERR_DECODE, "invalid \"%.32s\" in %s",
				       json_string_value(v), path);
			restore_failed(&failed, "MAC address", &err);
		} else if (link_set(sk, l.ifindex, &(struct link_change){ .mac = mac }, &err) < 0) {
			restore_failed(&failed, "MAC address", &err);
		}
	}
	v = json_object_get(o, "promisc");
	if (json_is_boolean(v) && set_flag(sk, l.ifindex, IFF_PROMISC, json_is_true(v), &err) < 0)
		restore_failed(&failed, "promiscuous mode", &err);
	v = json_object_get(o, "allmulti");
	if (json_is_boolean(v) && set_flag(sk, l.ifindex, IFF_ALLMULTI, json_is_true(v), &err) < 0)
		restore_failed(&failed, "all-multicast mode", &err);
	v = json_object_get(o, "txQLen");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 4294967295LL &&
	    set_txqlen(sk, l.ifindex, (unsigned)json_integer_value(v), &err) < 0)
		restore_failed(&failed, "transmit queue length", &err);
	if (failed)
		return;
gone:
	ccni_error_clear(&err);
	if (unlink(path) < 0 && errno != ENOENT)
		fprintf(stderr, "tuning: cannot remove %s: %s\n", path, strerror(errno));
}

static int tuning_del(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err)
{
	_cleanup_(tuning_conf_clear) struct tuning_conf c = {0};

	(void)out;
	if (tuning_conf_parse(req, &c, err) < 0)
		return -1;
	restore(req, &c);
	return 0;
}

static int tuning_check(const struct ccni_request *req, struct ccni_result **out,
			struct ccni_error *err)
{
	_cleanup_(tuning_conf_clear) struct tuning_conf c = {0};
	_cleanup_(netlink_closep) struct nl_sock *sk = NULL;
	_cleanup_close_ int nsfd = -1;
	struct sysctl_job job;
	struct link l;
	char want[18], have[18];

	(void)out;
	if (tuning_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "tuning: prevResult is required (a chained plugin)");
	if (netns_open(req->netns, &nsfd, err) < 0)
		return -1;
	job = (struct sysctl_job){c.sysctl, req->ifname, true};
	if (netns_run(nsfd, sysctl_apply, &job, err) < 0 || open_link(req, nsfd, &sk, &l, err) < 0)
		return -1;
	if (c.has_mac && memcmp(c.mac, l.mac, 6) != 0)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: configured MAC is %s, current value is %s", req->ifname,
				      ccni_mac_format(c.mac, want), ccni_mac_format(l.mac, have));
	if (c.promisc != !!(l.flags & IFF_PROMISC))
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: configured promisc is %s, current value is %s",
				      req->ifname, c.promisc ? "true" : "false",
				      l.flags & IFF_PROMISC ? "true" : "false");
	if (c.mtu && c.mtu != l.mtu)
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: configured MTU is %u, current value is %u", req->ifname,
				      c.mtu, l.mtu);
	if (c.allmulti >= 0 && c.allmulti != !!(l.flags & IFF_ALLMULTI))
		return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
				      "%s: configured allmulti is %s, current value is %s",
				      req->ifname, c.allmulti ? "true" : "false",
				      l.flags & IFF_ALLMULTI ? "true" : "false");
	if (c.txqlen >= 0) {
		if ((long long)l.txqlen != c.txqlen)
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "%s: configured txQLen is %lld, current value is %u",
					      req->ifname, c.txqlen, l.txqlen);
	}
	return 0;
}

const struct ccni_plugin plugin_tuning = {
    .name = "tuning",
    .about = "ccni tuning: sets net sysctls and interface attributes in the container",
    .add = tuning_add,
    .del = tuning_del,
    .check = tuning_check,
    .gc = tuning_gc,
    .validate = tuning_validate,
    .keys = tuning_keys,
};
