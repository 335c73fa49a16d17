/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-local — IPAM from local files: one address per range set, the
 * reference's round robin, requested addresses, routes and DNS in the
 * result; DEL by container id + ifname; CHECK; GC of every reservation not
 * among the valid attachments; STATUS.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/host-local/hl.h"

#define RESOLV_MAX (64 * 1024)

/* nameserver/domain/search/options lines of a resolv.conf file. */
static int load_resolv(const char *path, struct ccni_dns *dns, struct ccni_error *err)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	size_t len;

	text = util_read_file(path, RESOLV_MAX, &len, false);
	if (!text)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "ipam.resolvConf: cannot read %s",
					path);
	/* As the reference: "nameserver" and "domain" take the first value of
	 * their line, "search" and "options" every value; lines with no value
	 * and comments (# or ;) are skipped. */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		static const char ws[] = " \t\r\v\f";
		char *save2 = NULL, *key = strtok_r(line, ws, &save2), *v;

		if (!key || key[0] == '#' || key[0] == ';')
			continue;
		for (bool first = true; (v = strtok_r(NULL, ws, &save2)); first = false) {
			int rc = 0;

			if (streq(key, "nameserver") && first)
				rc = ccni_strv_append(&dns->nameservers, &dns->n_nameservers, v);
			else if (streq(key, "search"))
				rc = ccni_strv_append(&dns->search, &dns->n_search, v);
			else if (streq(key, "options"))
				rc = ccni_strv_append(&dns->options, &dns->n_options, v);
			else if (streq(key, "domain") && first) {
				free(dns->domain);
				dns->domain = strdup(v);
				rc = dns->domain ? 0 : -1;
			}
			if (rc < 0)
				return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		}
	}
	return 0;
}

/* The spec forbids two ADDs of one container and ifname, and runtimes
 * retrying an ADD rely on the second one failing (as the reference's). The
 * attachment's record answers without a scan of the directory. */
static int refuse_duplicate(struct hl_store *s, const struct ccni_request *req,
			    struct ccni_error *err)
{
	struct ccni_ip held;
	char b[CCNI_IP_STRLEN];

	if (hl_store_record_held(s, req->container_id, req->ifname, &held) != 1)
		return 0;
	return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
			      "%s has been allocated to %s, duplicate allocation is not allowed",
			      ccni_ip_format(&held, b), req->container_id);
}

static int hl_add(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct hl_config c;
	struct hl_store s;
	struct ccni_result *r = NULL;
	struct ccni_ip got[HL_MAX_SETS];
	int n_got = 0, rc = -1;
	bool used[HL_MAX_REQUESTED] = { false };

	if (hl_config_parse(req, &c, err) < 0)
		goto out_conf;
	/* Every requested address must fall in some range set. */
	for (int k = 0; k < c.n_requested; k++) {
		bool found = false;
		char b[CCNI_IP_STRLEN];

		for (int i = 0; i < c.n_sets && !found; i++)
			found = hl_set_find(&c.sets[i], &c.requested[k]) != NULL;
		if (!found) {
			ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				       "requested IP address %s is not in any range",
				       ccni_ip_format(&c.requested[k], b));
			goto out_conf;
		}
	}
	r = ccni_result_new(req->cni_version);
	if (!r) {
		ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		goto out_conf;
	}
	/* DNS first, as the reference: a bad resolvConf reserves nothing. */
	if (c.resolv_conf && *c.resolv_conf && load_resolv(c.resolv_conf, &r->dns, err) < 0) {
		ccni_result_free(r);
		goto out_conf;
	}
	if (hl_store_open(&s, c.data_dir, c.name, err) < 0 || refuse_duplicate(&s, req, err) < 0)
		goto out;
	for (int i = 0; i < c.n_sets; i++) {
		const struct ccni_ip *want = NULL;
		struct ccni_ipnet addr;
		struct ccni_ip gw;

		for (int k = 0; k < c.n_requested && !want; k++)
			if (!used[k] && hl_set_find(&c.sets[i], &c.requested[k])) {
				want = &c.requested[k];
				used[k] = true;
			}
		if (hl_allocate(&s, &c.sets[i], i, req->container_id, req->ifname, want, &addr, &gw,
				err) < 0)
			goto undo;
		got[n_got++] = addr.ip;
		if (ccni_result_add_ip(r, &addr, &gw, -1) < 0) {
			ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			goto undo;
		}
	}
	for (int k = 0; k < c.n_requested; k++)
		if (!used[k]) {
			char b[CCNI_IP_STRLEN];

			ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				       "requested IP address %s: another requested address already "
				       "took its range set",
				       ccni_ip_format(&c.requested[k], b));
			goto undo;
		}
	for (size_t i = 0; i < c.n_routes; i++)
		if (ccni_result_add_route(r, &c.routes[i]) < 0) {
			ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
			goto undo;
		}
	if (hl_store_record_write(&s, req->container_id, req->ifname, got, n_got, err) < 0)
		goto undo;
	*out = r;
	r = NULL;
	rc = 0;
	goto out;
undo:
	/* A failed ADD leaves nothing reserved. */
	for (int i = 0; i < n_got; i++)
		hl_store_release_ip(&s, req->container_id, req->ifname, &got[i]);
out:
	hl_store_close(&s);
	ccni_result_free(r);
out_conf:
	hl_config_free(&c);
	return rc;
}

static int hl_del(const struct ccni_request *req, struct ccni_result **out,
		  struct ccni_error *err)
{
	struct hl_config c;
	struct hl_store s;
	int rc = -1, released = 0;

	(void)out;
	if (hl_config_parse(req, &c, err) < 0) {
		hl_config_free(&c);
		return -1;
	}
	if (hl_store_open(&s, c.data_dir, c.name, err) < 0)
		goto out;
	/* The fast path: the addresses of prevResult, checked by owner. A
	 * scan finds the rest (no prevResult, or addresses it does not name). */
	if (req->prev_result)
		for (size_t i = 0; i < req->prev_result->n_ips; i++)
			released += hl_store_release_ip(&s, req->container_id, req->ifname,
							&req->prev_result->ips[i].address.ip);
	if (!req->prev_result || released < c.n_sets) {
		if (hl_store_release_all(&s, req->container_id, req->ifname, err) < 0)
			goto out;
	}
	hl_store_record_remove(&s, req->container_id, req->ifname);
	rc = 0;
out:
	hl_store_close(&s);
	hl_config_free(&c);
	return rc;
}

/* Empty or corrupt reservations: ADD treats them as taken, CHECK and
 * STATUS name them on stderr, GC removes them. */
struct corrupt {
	int n;
	char first[CCNI_IP_STRLEN];
};

static void corrupt_note(struct corrupt *c, const char *file)
{
	if (c->n++ == 0)
		snprintf(c->first, sizeof(c->first), "%s", file);
}

static void corrupt_report(const struct corrupt *c, const struct hl_store *s)
{
	if (c->n)
		fprintf(stderr,
			"host-local: warning: %d empty or corrupt reservation file(s) in %s "
			"(first: %s); they stay taken until GC removes them\n",
			c->n, s->dir, c->first);
}

struct check_ctx {
	const char *id, *ifname;
	int n;
	struct corrupt bad;
};

static int check_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		    const char *id, const char *ifname, void *data)
{
	struct check_ctx *c = data;

	(void)s;
	(void)ip;
	if (!id)
		corrupt_note(&c->bad, file);
	else if (streq(id, c->id) && (!*ifname || streq(ifname, c->ifname)))
		c->n++;
	return 0;
}

static int hl_check(const struct ccni_request *req, struct ccni_result **out,
		    struct ccni_error *err)
{
	struct hl_config c;
	struct hl_store s;
	struct check_ctx cc = { req->container_id, req->ifname, 0, { 0 } };
	int rc = -1;

	(void)out;
	if (hl_config_parse(req, &c, err) < 0) {
		hl_config_free(&c);
		return -1;
	}
	if (hl_store_open(&s, c.data_dir, c.name, err) < 0)
		goto out;
	if (hl_store_foreach(&s, check_cb, &cc, err) < 0)
		goto out;
	corrupt_report(&cc.bad, &s);
	if (cc.n == 0) {
		ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
			       "host-local: no address reserved for container %s ifname %s in %s",
			       req->container_id, req->ifname, s.dir);
		goto out;
	}
	rc = 0;
out:
	hl_store_close(&s);
	hl_config_free(&c);
	return rc;
}

struct gc_ctx {
	json_t *valid;
	int removed;
};

static bool gc_is_valid(json_t *valid, const char *id, const char *ifname)
{
	size_t i;
	json_t *v;

	json_array_foreach(valid, i, v) {
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *f = json_string_value(json_object_get(v, "ifname"));

		if (c && streq(c, id) && (!*ifname || (f && streq(f, ifname))))
			return true;
	}
	return false;
}

static int gc_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		 const char *id, const char *ifname, void *data)
{
	struct gc_ctx *g = data;

	(void)ip;
	/* Empty or corrupt files (left by a crash of another tool) and
	 * reservations of attachments that no longer exist are released. */
	if (!id || !gc_is_valid(g->valid, id, ifname)) {
		if (unlinkat(s->dirfd, file, 0) == 0)
			g->removed++;
	}
	return 0;
}

static bool gc_record_valid(const char *id, const char *ifname, void *valid)
{
	return gc_is_valid(valid, id, ifname);
}

static int hl_gc(const struct ccni_request *req, struct ccni_result **out,
		 struct ccni_error *err)
{
	struct hl_config c;
	struct hl_store s;
	struct gc_ctx g = { req->valid_attachments, 0 };
	int rc = -1;

	(void)out;
	/* Without a list of valid attachments there is nothing safe to do. */
	if (!req->valid_attachments)
		return 0;
	if (hl_config_parse(req, &c, err) < 0) {
		hl_config_free(&c);
		return -1;
	}
	if (hl_store_open(&s, c.data_dir, c.name, err) < 0)
		goto out;
	if (hl_store_foreach(&s, gc_cb, &g, err) < 0 || hl_store_sweep_temp(&s, err) < 0 ||
	    hl_store_record_gc(&s, gc_record_valid, req->valid_attachments, err) < 0)
		goto out;
	rc = 0;
out:
	hl_store_close(&s);
	hl_config_free(&c);
	return rc;
}

struct status_ctx {
	const struct hl_config *c;
	unsigned long long used[HL_MAX_SETS];
	struct corrupt bad;
};

static int status_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		     const char *id, const char *ifname, void *data)
{
	struct status_ctx *st = data;

	(void)s;
	(void)ifname;
	if (!id)
		corrupt_note(&st->bad, file);
	for (int i = 0; i < st->c->n_sets; i++)
		if (hl_set_find(&st->c->sets[i], ip))
			st->used[i]++;
	return 0;
}

/* Addresses a range set can hand out (huge ranges are capped: only "is it
 * full?" matters). */
static unsigned long long set_capacity(const struct hl_rangeset *set)
{
	unsigned long long total = 0;

	for (int i = 0; i < set->n; i++) {
		const struct hl_range *r = &set->r[i];
		unsigned len = ccni_ip_len(&r->start), hi = len > 8 ? len - 8 : 0;
		unsigned long long a = 0, b = 0;

		if (memcmp(r->start.addr, r->end.addr, hi) != 0)
			return 1ULL << 62;
		for (unsigned k = hi; k < len; k++) {
			a = a << 8 | r->start.addr[k];
			b = b << 8 | r->end.addr[k];
		}
		if (b - a >= 1ULL << 62)
			return 1ULL << 62;
		total += b - a + 1 - (hl_range_contains(r, &r->gateway) ? 1 : 0);
	}
	return total;
}

static int hl_status(const struct ccni_request *req, struct ccni_result **out,
		     struct ccni_error *err)
{
	struct hl_config c;
	struct hl_store s;
	struct status_ctx st = { &c, { 0 }, { 0 } };
	int rc = -1;

	(void)out;
	if (hl_config_parse(req, &c, err) < 0) {
		hl_config_free(&c);
		return -1;
	}
	if (hl_store_open(&s, c.data_dir, c.name, err) < 0) {
		err->code = CCNI_ERR_PLUGIN_UNAVAILABLE;
		goto out;
	}
	if (faccessat(s.dirfd, ".", W_OK, 0) < 0) {
		ccni_error_errno(err, CCNI_ERR_PLUGIN_UNAVAILABLE, errno,
				 "host-local: %s is not writable", s.dir);
		goto out;
	}
	if (hl_store_foreach(&s, status_cb, &st, err) < 0) {
		err->code = CCNI_ERR_PLUGIN_UNAVAILABLE;
		goto out;
	}
	corrupt_report(&st.bad, &s);
	for (int i = 0; i < c.n_sets; i++)
		if (st.used[i] >= set_capacity(&c.sets[i])) {
			char t[256];

			ccni_error_set(err, CCNI_ERR_PLUGIN_UNAVAILABLE,
				       "host-local: no free address in range set %s",
				       hl_set_text(&c.sets[i], t, sizeof(t)));
			goto out;
		}
	rc = 0;
out:
	hl_store_close(&s);
	hl_config_free(&c);
	return rc;
}

const struct ccni_plugin plugin_host_local = {
	.name = "host-local",
	.about = "ccni host-local: IP address management from local files",
	.add = hl_add,
	.del = hl_del,
	.check = hl_check,
	.gc = hl_gc,
	.status = hl_status,
	.ipam = true,
	.validate = hl_validate,
	.keys = hl_keys,
};
