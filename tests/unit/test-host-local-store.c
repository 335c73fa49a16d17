/* SPDX-License-Identifier: Apache-2.0 */
/* host-local's store and allocator in a temp dir: file formats, round robin,
 * exhaustion, requested addresses, release, corrupt files, concurrency, and
 * the verbs (ADD, DEL, CHECK, GC, STATUS) called directly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "plugins/ipam/host-local/hl.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/ccni-hl-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A one-set range from a legacy-style description. */
static struct hl_rangeset mkset(const char *subnet, const char *start, const char *end,
				const char *gw)
{
	struct hl_rangeset s;
	struct ccni_ipnet n;

	memset(&s, 0, sizeof(s));
	assert_int_equal(ccni_ipnet_parse(subnet, &n), 0);
	s.r[0].subnet = ccni_ipnet_network(&n);
	assert_int_equal(ccni_ip_parse(start, &s.r[0].start), 0);
	assert_int_equal(ccni_ip_parse(end, &s.r[0].end), 0);
	assert_int_equal(ccni_ip_parse(gw, &s.r[0].gateway), 0);
	s.n = 1;
	snprintf(s.where, sizeof(s.where), "ipam");
	return s;
}

static char *slurp(const char *dir, const char *net, const char *file)
{
	char path[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, net, file);
	return util_read_file(path, 4096, &len, true);
}

static void put(const char *dir, const char *net, const char *file, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, net, file);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static bool exists(const char *dir, const char *net, const char *file)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, net, file);
	return lstat(path, &st) == 0;
}

static const char *alloc(struct hl_store *s, const struct hl_rangeset *set, const char *id,
			 const char *req, int *code)
{
	static char out[CCNI_IPNET_STRLEN];
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_ipnet addr;
	struct ccni_ip gw, want;
	int rc;

	if (req)
		assert_int_equal(ccni_ip_parse(req, &want), 0);
	rc = hl_allocate(s, set, 0, id, "eth0", req ? &want : NULL, &addr, &gw, &e);
	*code = e.code;
	if (rc < 0) {
		snprintf(out, sizeof(out), "error");
		print_message("(%d %s)\n", e.code, e.msg);
		ccni_error_clear(&e);
		return out;
	}
	return ccni_ipnet_format(&addr, out);
}

static void test_file_format(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.1.0.0/24", "10.1.0.1", "10.1.0.254", "10.1.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	char *t;
	int code;
	struct stat st;
	char path[256];

	assert_int_equal(hl_store_open(&s, f->dir, "net1", &e), 0);
	assert_string_equal(alloc(&s, &set, "ctr1", NULL, &code), "10.1.0.2/24");
	hl_store_close(&s);
	t = slurp(f->dir, "net1", "10.1.0.2");
	assert_non_null(t);
	assert_memory_equal(t, "ctr1\r\neth0", 11);
	free(t);
	t = slurp(f->dir, "net1", "last_reserved_ip.0");
	assert_string_equal(t, "10.1.0.2"); /* no line break, as the reference */
	free(t);
	assert_true(exists(f->dir, "net1", "lock"));
	snprintf(path, sizeof(path), "%s/net1/lock", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* no temp file is left */
	snprintf(path, sizeof(path), "ls -A '%s/net1' | grep -q '^\\.ccni'", f->dir);
	assert_int_not_equal(system(path), 0);
}

static void test_bad_network_names(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	const char *bad[] = { "..", "a/b", "../x", ".hidden", "", "a b" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hl_store_open(&s, f->dir, bad[i], &e), -1);
		assert_int_equal(e.code, CCNI_ERR_INVALID_CONFIG);
		hl_store_close(&s);
		ccni_error_clear(&e);
	}
}

static void test_network_dir_symlink_refused(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	char link[256], target[256];

	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	snprintf(link, sizeof(link), "%s/net1", f->dir);
	assert_int_equal(mkdir(target, 0755), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(hl_store_open(&s, f->dir, "net1", &e), -1);
	assert_int_equal(e.code, CCNI_ERR_IO);
	hl_store_close(&s);
	ccni_error_clear(&e);
}

static void test_round_robin_and_wrap(void **state)
{
	struct fixture *f = *state;
	/* .1 is the gateway inside the range: never handed out */
	struct hl_rangeset set = mkset("10.2.0.0/29", "10.2.0.1", "10.2.0.6", "10.2.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	int code;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_string_equal(alloc(&s, &set, "a", NULL, &code), "10.2.0.2/29");
	assert_string_equal(alloc(&s, &set, "b", NULL, &code), "10.2.0.3/29");
	{
		struct ccni_ip ip;

		ccni_ip_parse("10.2.0.2", &ip);
		assert_int_equal(hl_store_release_ip(&s, "a", "eth0", &ip), 1);
	}
	/* not the released .2: the walk goes on after last_reserved_ip */
	assert_string_equal(alloc(&s, &set, "c", NULL, &code), "10.2.0.4/29");
	assert_string_equal(alloc(&s, &set, "d", NULL, &code), "10.2.0.5/29");
	assert_string_equal(alloc(&s, &set, "e", NULL, &code), "10.2.0.6/29");
	/* wraps to the start, skips the gateway, finds the released .2 */
	assert_string_equal(alloc(&s, &set, "f", NULL, &code), "10.2.0.2/29");
	/* full */
	assert_string_equal(alloc(&s, &set, "g", NULL, &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_EXHAUSTED);
	assert_false(exists(f->dir, "net", "10.2.0.1"));
	assert_false(exists(f->dir, "net", "10.2.0.7"));
	assert_false(exists(f->dir, "net", "10.2.0.0"));
	hl_store_close(&s);
}

static void test_exhaustion_message(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.3.0.0/24", "10.3.0.100", "10.3.0.100", "10.3.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_ipnet addr;
	struct ccni_ip gw;
	struct hl_store s;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_int_equal(hl_allocate(&s, &set, 0, "a", "eth0", NULL, &addr, &gw, &e), 0);
	assert_int_equal(hl_allocate(&s, &set, 0, "b", "eth0", NULL, &addr, &gw, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_ADDR_EXHAUSTED);
	assert_non_null(strstr(e.msg, "10.3.0.0/24 (10.3.0.100-10.3.0.100)"));
	ccni_error_clear(&e);
	hl_store_close(&s);
}

static void test_multi_range_set(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.4.0.0/30", "10.4.0.1", "10.4.0.2", "10.4.0.1");
	struct hl_rangeset other = mkset("10.5.0.0/30", "10.5.0.1", "10.5.0.2", "10.5.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	int code;

	set.r[1] = other.r[0];
	set.n = 2;
	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_string_equal(alloc(&s, &set, "a", NULL, &code), "10.4.0.2/30");
	assert_string_equal(alloc(&s, &set, "b", NULL, &code), "10.5.0.2/30");
	assert_string_equal(alloc(&s, &set, "c", NULL, &code), "error");
	hl_store_close(&s);
}

static void test_last_reserved_outside_the_set(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.6.0.0/24", "10.6.0.10", "10.6.0.20", "10.6.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	int code;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	put(f->dir, "net", "last_reserved_ip.0", "192.168.9.9");
	assert_string_equal(alloc(&s, &set, "a", NULL, &code), "10.6.0.10/24");
	put(f->dir, "net", "last_reserved_ip.0", "garbage\n");
	assert_string_equal(alloc(&s, &set, "b", NULL, &code), "10.6.0.11/24");
	put(f->dir, "net", "last_reserved_ip.0", "10.6.0.15");
	assert_string_equal(alloc(&s, &set, "c", NULL, &code), "10.6.0.16/24");
	put(f->dir, "net", "last_reserved_ip.0", "10.6.0.20");
	assert_string_equal(alloc(&s, &set, "d", NULL, &code), "10.6.0.12/24");
	hl_store_close(&s);
}

static void test_requested(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.7.0.0/24", "10.7.0.10", "10.7.0.20", "10.7.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	char *t;
	int code;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_string_equal(alloc(&s, &set, "a", "10.7.0.15", &code), "10.7.0.15/24");
	assert_string_equal(alloc(&s, &set, "b", "10.7.0.15", &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_CONFLICT);
	assert_string_equal(alloc(&s, &set, "b", "10.7.0.9", &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_CONFLICT);
	assert_string_equal(alloc(&s, &set, "b", "fd00::1", &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_CONFLICT);
	/* the next free one continues after the requested one */
	assert_string_equal(alloc(&s, &set, "b", NULL, &code), "10.7.0.16/24");
	hl_store_close(&s);
	t = slurp(f->dir, "net", "10.7.0.15");
	assert_string_equal(t, "a\r\neth0");
	free(t);

	/* the gateway, when inside the range, cannot be requested */
	set = mkset("10.7.0.0/24", "10.7.0.1", "10.7.0.20", "10.7.0.5");
	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_string_equal(alloc(&s, &set, "c", "10.7.0.5", &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_CONFLICT);
	hl_store_close(&s);
}

static void test_corrupt_files_are_taken(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.8.0.0/24", "10.8.0.2", "10.8.0.6", "10.8.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	char target[256], link[256];
	int code;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	put(f->dir, "net", "10.8.0.2", "");
	put(f->dir, "net", "10.8.0.3", "bad id with spaces\r\neth0");
	snprintf(target, sizeof(target), "%s/target", f->dir);
	snprintf(link, sizeof(link), "%s/net/10.8.0.4", f->dir);
	assert_int_equal(symlink(target, link), 0);
	assert_string_equal(alloc(&s, &set, "a", NULL, &code), "10.8.0.5/24");
	assert_string_equal(alloc(&s, &set, "b", "10.8.0.2", &code), "error");
	assert_int_equal(code, CCNI_ERR_ADDR_CONFLICT);
	hl_store_close(&s);
	assert_false(exists(f->dir, "", "target")); /* nothing written through the link */
}

static int count_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		    const char *id, const char *ifname, void *data)
{
	int *n = data;

	(void)s;
	(void)ip;
	if (!id) {
		n[1]++;
		return 0;
	}
	n[0]++;
	if (streq(file, "10.9.0.9"))
		assert_string_equal(ifname, ""); /* the old format: id alone */
	if (streq(file, "10.9.0.8"))
		assert_string_equal(ifname, "eth1"); /* white space around trimmed */
	return 0;
}

static void test_release_and_foreach(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.9.0.0/24", "10.9.0.2", "10.9.0.254", "10.9.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	struct ccni_ip ip;
	int code, n[2] = { 0, 0 };

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	assert_string_equal(alloc(&s, &set, "a", NULL, &code), "10.9.0.2/24");
	assert_int_equal(hl_allocate(&s, &set, 0, "a", "eth1", NULL, &(struct ccni_ipnet){ 0 },
				     &(struct ccni_ip){ 0 }, &e), 0);
	assert_string_equal(alloc(&s, &set, "b", NULL, &code), "10.9.0.4/24");
	put(f->dir, "net", "10.9.0.9", "a");             /* old format */
	put(f->dir, "net", "10.9.0.8", "a\r\neth1\n");   /* a trailing newline */
	put(f->dir, "net", "10.9.0.7", "");              /* empty */
	put(f->dir, "net", "not-an-ip", "a\r\neth0");    /* ignored */

	assert_int_equal(hl_store_foreach(&s, count_cb, n, &e), 0);
	assert_int_equal(n[0], 5);
	assert_int_equal(n[1], 1);

	/* release by address checks the owner */
	ccni_ip_parse("10.9.0.4", &ip);
	assert_int_equal(hl_store_release_ip(&s, "a", "eth0", &ip), 0);
	assert_true(exists(f->dir, "net", "10.9.0.4"));
	ccni_ip_parse("10.9.0.7", &ip);
	assert_int_equal(hl_store_release_ip(&s, "a", "eth0", &ip), 0);

	/* a/eth0 owns .2 and the old-format .9 */
	assert_int_equal(hl_store_release_all(&s, "a", "eth0", &e), 2);
	assert_false(exists(f->dir, "net", "10.9.0.2"));
	assert_false(exists(f->dir, "net", "10.9.0.9"));
	assert_true(exists(f->dir, "net", "10.9.0.3"));
	assert_true(exists(f->dir, "net", "10.9.0.8"));
	assert_int_equal(hl_store_release_all(&s, "a", "eth0", &e), 0);
	assert_int_equal(hl_store_release_all(&s, "a", "eth1", &e), 2);
	assert_true(exists(f->dir, "net", "10.9.0.4"));
	assert_true(exists(f->dir, "net", "10.9.0.7"));
	assert_true(exists(f->dir, "net", "not-an-ip"));
	hl_store_close(&s);
}

static void test_sweep_temp(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;

	assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
	put(f->dir, "net", ".ccni-reserve-1-00000000", "x\r\neth0");
	put(f->dir, "net", ".ccni-last-0-1", "10.0.0.1");
	assert_int_equal(hl_store_sweep_temp(&s, &e), 2);
	assert_false(exists(f->dir, "net", ".ccni-reserve-1-00000000"));
	assert_true(exists(f->dir, "net", "lock"));
	hl_store_close(&s);
}

struct owners {
	char id[256][16];
	int n;
};

static int owners_cb(struct hl_store *s, const char *file, const struct ccni_ip *ip,
		     const char *id, const char *ifname, void *data)
{
	struct owners *o = data;

	(void)s;
	(void)file;
	(void)ip;
	assert_non_null(id);
	assert_string_equal(ifname, "eth0");
	assert_true(o->n < 256);
	snprintf(o->id[o->n++], sizeof(o->id[0]), "%s", id);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Several processes allocate at once: every address is handed out once. */
static void test_concurrent_allocators(void **state)
{
	struct fixture *f = *state;
	const int procs = 8, each = 12;
	int status;

	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			struct hl_rangeset set = mkset("10.10.0.0/24", "10.10.0.1", "10.10.0.254",
						       "10.10.0.1");

			for (int k = 0; k < each; k++) {
				struct ccni_error e = CCNI_ERROR_INIT;
				struct ccni_ipnet addr;
				struct ccni_ip gw;
				struct hl_store s;
				char id[32];

				snprintf(id, sizeof(id), "p%d-%d", i, k);
				if (hl_store_open(&s, f->dir, "net", &e) < 0 ||
				    hl_allocate(&s, &set, 0, id, "eth0", NULL, &addr, &gw, &e) < 0)
					_exit(1);
				hl_store_close(&s);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < procs; i++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* one file per allocation, each with a distinct owner */
	{
		struct ccni_error e = CCNI_ERROR_INIT;
		struct owners o = { 0 };
		struct hl_store s;

		assert_int_equal(hl_store_open(&s, f->dir, "net", &e), 0);
		assert_int_equal(hl_store_foreach(&s, owners_cb, &o, &e), 0);
		hl_store_close(&s);
		assert_int_equal(o.n, procs * each);
		qsort(o.id, (size_t)o.n, sizeof(o.id[0]), cmp_id);
		for (int i = 1; i < o.n; i++)
			assert_string_not_equal(o.id[i - 1], o.id[i]);
	}
}

/* ---- the verbs, called directly with a request ---- */

struct verb_req {
	struct ccni_request req;
	json_t *config;
};

static void mkverb(struct verb_req *v, enum ccni_command cmd, const char *id, const char *ifname,
		   const char *fmt, const char *dir)
{
	char text[2048];
	json_error_t je;

	memset(v, 0, sizeof(*v));
	snprintf(text, sizeof(text), fmt, dir);
	v->config = json_loads(text, 0, &je);
	if (!v->config)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	v->req.command = cmd;
	v->req.container_id = id;
	v->req.ifname = ifname;
	v->req.config = v->config;
	v->req.cni_version = json_string_value(json_object_get(v->config, "cniVersion"));
	v->req.name = json_string_value(json_object_get(v->config, "name"));
	v->req.runtime_config = json_object_get(v->config, "runtimeConfig");
	v->req.valid_attachments = json_object_get(v->config, "cni.dev/valid-attachments");
}

static int run(enum ccni_command cmd, const char *id, const char *ifname, const char *fmt,
	       const char *dir, struct ccni_result **res, struct ccni_error *e)
{
	struct verb_req v;
	struct ccni_result *r = NULL;
	int rc = -1;

	mkverb(&v, cmd, id, ifname, fmt, dir);
	switch (cmd) {
	case CCNI_CMD_ADD: rc = plugin_host_local.add(&v.req, &r, e); break;
	case CCNI_CMD_DEL: rc = plugin_host_local.del(&v.req, &r, e); break;
	case CCNI_CMD_CHECK: rc = plugin_host_local.check(&v.req, &r, e); break;
	case CCNI_CMD_GC: rc = plugin_host_local.gc(&v.req, &r, e); break;
	case CCNI_CMD_STATUS: rc = plugin_host_local.status(&v.req, &r, e); break;
	default: break;
	}
	if (res)
		*res = r;
	else
		ccni_result_free(r);
	json_decref(v.config);
	return rc;
}

#define DUAL "{\"cniVersion\":\"1.1.0\",\"name\":\"vnet\",\"ipam\":{\"type\":\"host-local\"," \
	     "\"dataDir\":\"%s\",\"ranges\":[[{\"subnet\":\"10.20.0.0/24\"}],"               \
	     "[{\"subnet\":\"fd20::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}"

static void test_verbs_add_del_check(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_result *r = NULL;
	char b[CCNI_IPNET_STRLEN];

	assert_int_equal(plugin_host_local.ipam, true);
	assert_string_equal(plugin_host_local.name, "host-local");
	assert_int_equal(run(CCNI_CMD_ADD, "c1", "eth0", DUAL, f->dir, &r, &e), 0);
	assert_int_equal(r->n_ips, 2);
	assert_int_equal(r->n_interfaces, 0);
	assert_string_equal(ccni_ipnet_format(&r->ips[0].address, b), "10.20.0.2/24");
	assert_string_equal(ccni_ip_format(&r->ips[0].gateway, b), "10.20.0.1");
	assert_int_equal(r->ips[0].interface, -1);
	assert_string_equal(ccni_ipnet_format(&r->ips[1].address, b), "fd20::2/64");
	assert_int_equal(r->n_routes, 1);
	ccni_result_free(r);
	assert_true(exists(f->dir, "vnet", "last_reserved_ip.1"));

	assert_int_equal(run(CCNI_CMD_CHECK, "c1", "eth0", DUAL, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_CHECK, "c1", "eth1", DUAL, f->dir, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_CHECK_FAILED);
	ccni_error_clear(&e);
	assert_int_equal(run(CCNI_CMD_DEL, "c1", "eth0", DUAL, f->dir, NULL, &e), 0);
	assert_false(exists(f->dir, "vnet", "10.20.0.2"));
	assert_false(exists(f->dir, "vnet", "fd20::2"));
	assert_int_equal(run(CCNI_CMD_DEL, "c1", "eth0", DUAL, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_CHECK, "c1", "eth0", DUAL, f->dir, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_CHECK_FAILED);
	ccni_error_clear(&e);
}

static void test_verbs_failed_add_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	/* the v4 set is a single address; the v6 one is fine */
	static const char conf[] =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"fnet\",\"ipam\":{\"type\":\"host-local\","
		"\"dataDir\":\"%s\",\"ranges\":[[{\"subnet\":\"fd21::/64\"}],"
		"[{\"subnet\":\"10.21.0.0/24\",\"rangeStart\":\"10.21.0.5\",\"rangeEnd\":\"10.21.0.5\"}]]}}";

	assert_int_equal(run(CCNI_CMD_ADD, "c1", "eth0", conf, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_ADD, "c2", "eth0", conf, f->dir, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_ADDR_EXHAUSTED);
	assert_non_null(strstr(e.msg, "10.21.0.5-10.21.0.5"));
	ccni_error_clear(&e);
	/* c2's v6 address was given back */
	assert_true(exists(f->dir, "fnet", "fd21::2"));
	assert_false(exists(f->dir, "fnet", "fd21::3"));
}

static void test_verbs_gc(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	static const char conf[] =
		"{\"cniVersion\":\"1.1.0\",\"name\":\"gnet\",\"ipam\":{\"type\":\"host-local\","
		"\"dataDir\":\"%s\",\"subnet\":\"10.22.0.0/24\"}}";
	static const char gc[] =
		"{\"cniVersion\":\"1.1.0\",\"name\":\"gnet\",\"ipam\":{\"type\":\"host-local\","
		"\"dataDir\":\"%s\",\"subnet\":\"10.22.0.0/24\"},\"cni.dev/valid-attachments\":"
		"[{\"containerID\":\"keep\",\"ifname\":\"eth0\"},{\"containerID\":\"old\",\"ifname\":\"eth3\"}]}";

	assert_int_equal(run(CCNI_CMD_ADD, "keep", "eth0", conf, f->dir, NULL, &e), 0); /* .2 */
	assert_int_equal(run(CCNI_CMD_ADD, "keep", "eth1", conf, f->dir, NULL, &e), 0); /* .3 */
	assert_int_equal(run(CCNI_CMD_ADD, "gone", "eth0", conf, f->dir, NULL, &e), 0); /* .4 */
	put(f->dir, "gnet", "10.22.0.50", "");
	put(f->dir, "gnet", "10.22.0.51", "\xff\xfe");
	put(f->dir, "gnet", "10.22.0.52", "old");          /* old format, still attached */
	put(f->dir, "gnet", ".ccni-reserve-9-00000001", "x");

	/* without the list nothing is touched */
	assert_int_equal(run(CCNI_CMD_GC, NULL, NULL, conf, f->dir, NULL, &e), 0);
	assert_true(exists(f->dir, "gnet", "10.22.0.4"));

	assert_int_equal(run(CCNI_CMD_GC, NULL, NULL, gc, f->dir, NULL, &e), 0);
	assert_true(exists(f->dir, "gnet", "10.22.0.2"));
	assert_false(exists(f->dir, "gnet", "10.22.0.3"));
	assert_false(exists(f->dir, "gnet", "10.22.0.4"));
	assert_false(exists(f->dir, "gnet", "10.22.0.50"));
	assert_false(exists(f->dir, "gnet", "10.22.0.51"));
	assert_true(exists(f->dir, "gnet", "10.22.0.52"));
	assert_false(exists(f->dir, "gnet", ".ccni-reserve-9-00000001"));
	assert_true(exists(f->dir, "gnet", "lock"));
	assert_true(exists(f->dir, "gnet", "last_reserved_ip.0"));
}

static void test_verbs_status(void **state)
{
	struct fixture *f = *state;
	struct ccni_error e = CCNI_ERROR_INIT;
	static const char conf[] =
		"{\"cniVersion\":\"1.1.0\",\"name\":\"snet\",\"ipam\":{\"type\":\"host-local\","
		"\"dataDir\":\"%s\",\"subnet\":\"10.23.0.0/29\",\"rangeStart\":\"10.23.0.5\"}}";
	char bad[256];

	assert_int_equal(run(CCNI_CMD_STATUS, NULL, NULL, conf, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_ADD, "a", "eth0", conf, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_STATUS, NULL, NULL, conf, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_ADD, "b", "eth0", conf, f->dir, NULL, &e), 0);
	assert_int_equal(run(CCNI_CMD_STATUS, NULL, NULL, conf, f->dir, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_PLUGIN_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "10.23.0.5-10.23.0.6"));
	ccni_error_clear(&e);
	/* a dataDir that cannot be created */
	put(f->dir, "", "file", "x");
	snprintf(bad, sizeof(bad), "%s/file/sub", f->dir);
	assert_int_equal(run(CCNI_CMD_STATUS, NULL, NULL, conf, bad, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_PLUGIN_UNAVAILABLE);
	ccni_error_clear(&e);
	/* and ADD there is an I/O error */
	assert_int_equal(run(CCNI_CMD_ADD, "c", "eth0", conf, bad, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_IO);
	ccni_error_clear(&e);
}

/* The owner of a reservation, and a reservation handed to another owner in
 * one rename (ccni-docker: pending -> endpoint), only from its owner. */
static void test_owner_and_transfer(void **state)
{
	struct fixture *f = *state;
	struct hl_rangeset set = mkset("10.1.0.0/24", "10.1.0.2", "10.1.0.254", "10.1.0.1");
	struct ccni_error e = CCNI_ERROR_INIT;
	struct hl_store s;
	struct ccni_ip ip, free_ip;
	char id[128], ifname[16], *t;
	int code;

	assert_int_equal(hl_store_open(&s, f->dir, "net1", &e), 0);
	assert_string_equal(alloc(&s, &set, "docker-pending-0242ac110002", NULL, &code), "10.1.0.2/24");
	assert_int_equal(ccni_ip_parse("10.1.0.2", &ip), 0);
	assert_int_equal(ccni_ip_parse("10.1.0.9", &free_ip), 0);
	assert_int_equal(hl_store_owner(&s, &ip, id, sizeof(id), ifname, sizeof(ifname)), 1);
	assert_string_equal(id, "docker-pending-0242ac110002");
	assert_string_equal(ifname, "eth0");
	assert_int_equal(hl_store_owner(&s, &free_ip, id, sizeof(id), ifname, sizeof(ifname)), 0);
	/* not the owner: nothing changes */
	assert_int_equal(hl_store_transfer(&s, &ip, "someone-else", "eth0", "ep1", "eth0", &e), 0);
	assert_int_equal(hl_store_transfer(&s, &free_ip, "docker-pending-0242ac110002", "eth0", "ep1",
					   "eth0", &e), 0);
	assert_int_equal(hl_store_transfer(&s, &ip, "docker-pending-0242ac110002", "eth0", "ep1",
					   "eth0", &e), 1);
	hl_store_close(&s);
	t = slurp(f->dir, "net1", "10.1.0.2");
	assert_non_null(t);
	assert_string_equal(t, "ep1\r\neth0");
	free(t);
	assert_false(exists(f->dir, "net1", "10.1.0.9"));
	/* no temp file is left, and a corrupt reservation has no owner */
	put(f->dir, "net1", "10.1.0.3", "");
	assert_int_equal(hl_store_open(&s, f->dir, "net1", &e), 0);
	assert_int_equal(hl_store_sweep_temp(&s, &e), 0);
	assert_int_equal(ccni_ip_parse("10.1.0.3", &ip), 0);
	assert_int_equal(hl_store_owner(&s, &ip, id, sizeof(id), ifname, sizeof(ifname)), -1);
	hl_store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_network_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_dir_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_robin_and_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_range_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_reserved_outside_the_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_files_are_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_and_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_allocators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbs_add_del_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbs_failed_add_keeps_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbs_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbs_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_and_transfer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
