/* SPDX-License-Identifier: Apache-2.0 */
/* The tuning plugin's configuration: every key and source, the sysctl key
 * rules, duplicate keys, the allow-list, and errors that name the field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"

#include "plugins/meta/tuning/tuning.h"

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"tuning\""


/* Parse; c->data_dir is copied so it outlives the request. */
static int parse(enum ccni_command cmd, const char *conf, const char *args, struct tuning_conf *c,
		 struct ccni_error *e)
{
	static __thread char dir[256];
	struct test_request q;
	int rc;

	test_request_init(&q, cmd, conf, args);
	rc = tuning_conf_parse(&q.r, c, e);
	if (c->data_dir) {
		snprintf(dir, sizeof(dir), "%s", c->data_dir);
		c->data_dir = dir;
	}
	test_request_free(&q);
	return rc;
}

static void expect_ok(enum ccni_command cmd, const char *conf, const char *args,
		      struct tuning_conf *c)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (parse(cmd, conf, args, c, &e) != 0)
		fail_msg("unexpected error %d: %s\nconfig: %s", e.code, e.msg, conf);
}

static void expect_fail(enum ccni_command cmd, const char *conf, const char *args, int code,
			const char *sub)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct tuning_conf c;

	if (parse(cmd, conf, args, &c, &e) == 0)
		fail_msg("parse passed, want code %d: %s", code, conf);
	tuning_conf_clear(&c);
	if (e.code != code || !e.msg || !strstr(e.msg, sub))
		fail_msg("got %d \"%s\", want %d containing \"%s\"\nconfig: %s", e.code,
			 e.msg ? e.msg : "", code, sub, conf);
	ccni_error_clear(&e);
}

static const char *sysctl_value(const struct tuning_conf *c, const char *k)
{
	return json_string_value(json_object_get(c->sysctl, k));
}

static void test_defaults(void **state)
{
	struct tuning_conf c;

	(void)state;
	expect_ok(CCNI_CMD_ADD, BASE "}", NULL, &c);
	assert_string_equal(c.data_dir, "/run/cni/tuning");
	assert_int_equal(json_object_size(c.sysctl), 0);
	assert_false(c.has_mac);
	assert_false(c.promisc);
	assert_int_equal(c.mtu, 0);
	assert_int_equal(c.allmulti, -1);
	assert_int_equal(c.txqlen, -1);
	tuning_conf_clear(&c);
	/* an empty dataDir is the default, as in the reference */
	expect_ok(CCNI_CMD_ADD, BASE ",\"dataDir\":\"\"}", NULL, &c);
	assert_string_equal(c.data_dir, "/run/cni/tuning");
	tuning_conf_clear(&c);
}

static void test_every_key(void **state)
{
	struct tuning_conf c;

	(void)state;
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"dataDir\":\"/tmp/tu\",\"mac\":\"C2:B0:57:49:47:F1\",\"mtu\":1454,"
		       "\"promisc\":true,\"allmulti\":false,\"txQLen\":0,"
		       "\"sysctl\":{\"net.core.somaxconn\":\"500\","
		       "\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"}}",
		  NULL, &c);
	assert_string_equal(c.data_dir, "/tmp/tu");
	assert_true(c.has_mac);
	assert_memory_equal(c.mac, "\xc2\xb0\x57\x49\x47\xf1", 6);
	assert_int_equal(c.mtu, 1454);
	assert_true(c.promisc);
	assert_int_equal(c.allmulti, 0);
	assert_int_equal(c.txqlen, 0);
	assert_string_equal(sysctl_value(&c, "net.core.somaxconn"), "500");
	assert_string_equal(sysctl_value(&c, "net.ipv4.conf.IFNAME.arp_filter"), "1");
	tuning_conf_clear(&c);
}

static void test_args_cni_override_the_config(void **state)
{
	struct tuning_conf c;

	(void)state;
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"mtu\":1400,\"promisc\":true,\"allmulti\":true,\"txQLen\":5,"
		       "\"sysctl\":{\"net.core.somaxconn\":\"500\",\"net.ipv4.ip_forward\":\"0\"},"
		       "\"args\":{\"cni\":{\"mtu\":1300,\"promisc\":false,\"allmulti\":false,"
		       "\"txQLen\":7,\"sysctl\":{\"net.core.somaxconn\":\"600\","
		       "\"net.ipv4.tcp_syncookies\":\"1\"}}}}",
		  NULL, &c);
	assert_int_equal(c.mtu, 1300);
	assert_false(c.promisc);
	assert_int_equal(c.allmulti, 0);
	assert_int_equal(c.txqlen, 7);
	assert_int_equal(json_object_size(c.sysctl), 3);
	assert_string_equal(sysctl_value(&c, "net.core.somaxconn"), "600");
	assert_string_equal(sysctl_value(&c, "net.ipv4.ip_forward"), "0");
	assert_string_equal(sysctl_value(&c, "net.ipv4.tcp_syncookies"), "1");
	tuning_conf_clear(&c);
}

static void test_mac_sources_and_precedence(void **state)
{
	struct tuning_conf c;

	(void)state;
	/* config < CNI_ARGS MAC < runtimeConfig.mac < args.cni.mac */
	expect_ok(CCNI_CMD_ADD, BASE ",\"mac\":\"02:00:00:00:00:01\"}", "MAC=02:00:00:00:00:02",
		  &c);
	assert_int_equal(c.mac[5], 2);
	tuning_conf_clear(&c);
	expect_ok(
	    CCNI_CMD_ADD,
	    BASE
	    ",\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}}",
	    "MAC=02:00:00:00:00:02", &c);
	assert_int_equal(c.mac[5], 3);
	tuning_conf_clear(&c);
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"},"
		       "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:04\"}}}",
		  "MAC=02:00:00:00:00:02", &c);
	assert_int_equal(c.mac[5], 4);
	tuning_conf_clear(&c);
	/* empty values do not override (except args.cni, which clears it) */
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":{\"mac\":\"\"}}",
		  "MAC=", &c);
	assert_true(c.has_mac);
	assert_int_equal(c.mac[5], 1);
	tuning_conf_clear(&c);
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"mac\":\"02:00:00:00:00:01\",\"args\":{\"cni\":{\"mac\":\"\"}}}", NULL,
		  &c);
	assert_false(c.has_mac);
	tuning_conf_clear(&c);
	/* other notations of the same address */
	expect_ok(CCNI_CMD_ADD, BASE ",\"mac\":\"02-aa-bb-cc-dd-ee\"}", NULL, &c);
	assert_memory_equal(c.mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	tuning_conf_clear(&c);
	expect_ok(CCNI_CMD_ADD, BASE ",\"mac\":\"02aa.bbcc.ddee\"}", NULL, &c);
	assert_memory_equal(c.mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	tuning_conf_clear(&c);
	/* IgnoreUnknown lets other CNI_ARGS through */
	expect_ok(CCNI_CMD_ADD, BASE "}", "IgnoreUnknown=true;K8S_POD_NAME=x;MAC=02:00:00:00:00:09",
		  &c);
	assert_int_equal(c.mac[5], 9);
	tuning_conf_clear(&c);
}

static void test_bad_mac(void **state)
{
	(void)state;
	expect_fail(CCNI_CMD_ADD, BASE ",\"mac\":\"zz:00:00:00:00:01\"}", NULL, 7,
		    "mac: invalid MAC address \"zz:00:00:00:00:01\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mac\":\"02:00:00:00:00\"}", NULL, 7, "mac: invalid");
	/* the message names the source of the bad value */
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"mac\":\"q\"}}}", NULL, 7,
		    "args.cni.mac: invalid MAC address \"q\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"runtimeConfig\":{\"mac\":\"q\"}}", NULL, 7,
		    "runtimeConfig.mac: invalid MAC address \"q\"");
	expect_fail(CCNI_CMD_ADD, BASE "}", "MAC=q", 7, "CNI_ARGS MAC: invalid MAC address \"q\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mac\":\"02:00-00:00:00:01\"}", NULL, 7, "mac: invalid");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mac\":\"01:00:5e:00:00:01\"}", NULL, 7,
		    "is a multicast address");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mac\":5}", NULL, 7, "mac");
	expect_fail(CCNI_CMD_ADD, BASE "}", "MAC=nope", 7, "\"nope\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"runtimeConfig\":{\"mac\":\"x\"}}", NULL, 7, "\"x\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"runtimeConfig\":{\"mac\":1}}", NULL, 7,
		    "runtimeConfig.mac");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"mac\":\"q\"}}}", NULL, 7, "\"q\"");
	expect_fail(CCNI_CMD_CHECK, BASE ",\"mac\":\"bad\"}", NULL, 7, "mac");
	expect_fail(CCNI_CMD_ADD, BASE "}", "FOO=1", 2, "FOO");
}

static void test_del_ignores_runtime_mac(void **state)
{
	struct tuning_conf c;

	(void)state;
	expect_ok(CCNI_CMD_DEL, BASE ",\"mac\":\"junk\",\"runtimeConfig\":{\"mac\":\"junk\"}}",
		  "MAC=junk;FOO=1", &c);
	assert_false(c.has_mac);
	tuning_conf_clear(&c);
	/* DEL does not judge sysctl keys either: it never writes them */
	expect_ok(CCNI_CMD_DEL, BASE ",\"sysctl\":{\"kernel.hostname\":\"x\"}}", NULL, &c);
	tuning_conf_clear(&c);
}

static void test_wrong_types_name_the_key(void **state)
{
	(void)state;
	expect_fail(CCNI_CMD_ADD, BASE ",\"mtu\":\"1500\"}", NULL, 7, "mtu");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mtu\":-1}", NULL, 7, "mtu");
	expect_fail(CCNI_CMD_ADD, BASE ",\"mtu\":70000}", NULL, 7, "mtu");
	expect_fail(CCNI_CMD_ADD, BASE ",\"promisc\":\"yes\"}", NULL, 7, "promisc");
	expect_fail(CCNI_CMD_ADD, BASE ",\"allmulti\":1}", NULL, 7, "allmulti");
	expect_fail(CCNI_CMD_ADD, BASE ",\"txQLen\":-1}", NULL, 7, "txQLen");
	expect_fail(CCNI_CMD_ADD, BASE ",\"txQLen\":4294967296}", NULL, 7, "txQLen");
	expect_fail(CCNI_CMD_ADD, BASE ",\"txQLen\":true}", NULL, 7, "txQLen");
	expect_fail(CCNI_CMD_ADD, BASE ",\"dataDir\":7}", NULL, 7, "dataDir");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":[]}", NULL, 7, "sysctl");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"net.core.somaxconn\":500}}", NULL, 7,
		    "sysctl.net.core.somaxconn");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"mtu\":true}}}", NULL, 7,
		    "args.cni.mtu");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"txQLen\":-3}}}", NULL, 7,
		    "args.cni.txQLen");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"sysctl\":{\"net.a\":1}}}}", NULL, 7,
		    "args.cni.sysctl.net.a");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"allmulti\":\"on\"}}}", NULL, 7,
		    "args.cni.allmulti");
}

static void test_sysctl_keys(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char p[256];

	(void)state;
	assert_int_equal(tuning_sysctl_path("net.core.somaxconn", "eth0", p, sizeof(p), &e), 0);
	assert_string_equal(p, "net/core/somaxconn");
	assert_int_equal(
	    tuning_sysctl_path("net.ipv4.conf.IFNAME.arp_filter", "eth0.100", p, sizeof(p), &e), 0);
	assert_string_equal(p, "net/ipv4/conf/eth0.100/arp_filter");
	assert_int_equal(
	    tuning_sysctl_path("net/ipv6/conf/IFNAME/accept_ra", "net1", p, sizeof(p), &e), 0);
	assert_string_equal(p, "net/ipv6/conf/net1/accept_ra");

	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"kernel.hostname\":\"x\"}}", NULL, 7,
		    "\"kernel.hostname\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"net.ipv4..ip_forward\":\"1\"}}", NULL, 7,
		    "\"net.ipv4..ip_forward\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"net/../kernel/hostname\":\"x\"}}", NULL, 7,
		    "\"net/../kernel/hostname\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"net\":\"x\"}}", NULL, 7, "\"net\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"\":\"x\"}}", NULL, 7, "sysctl");
	expect_fail(CCNI_CMD_ADD, BASE ",\"sysctl\":{\"net.core.a b\":\"x\"}}", NULL, 7,
		    "\"net.core.a b\"");
	expect_fail(CCNI_CMD_CHECK, BASE ",\"sysctl\":{\"vm.swappiness\":\"1\"}}", NULL, 7,
		    "\"vm.swappiness\"");
	expect_fail(CCNI_CMD_ADD, BASE ",\"args\":{\"cni\":{\"sysctl\":{\"fs.file-max\":\"1\"}}}}",
		    NULL, 7, "\"fs.file-max\"");
}

static void test_duplicate_sysctl_keys(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct tuning_conf c;

	(void)state;
	expect_fail(CCNI_CMD_ADD,
		    BASE ",\"sysctl\":{\"net.core.somaxconn\":\"1\",\"net.core.somaxconn\":\"2\"}}",
		    NULL, 7, "duplicated");
	expect_fail(
	    CCNI_CMD_DEL,
	    BASE ", \"sysctl\" : { \"net.a\":\"1\", \"net.b\":{\"x\":[1,\"}\"]}, \"net.a\":\"2\"}}",
	    NULL, 7, "duplicated");
	/* the same key elsewhere is not our business */
	expect_ok(CCNI_CMD_ADD,
		  BASE ",\"x\":{\"net.a\":\"1\",\"net.a\":\"2\"},\"sysctl\":{\"net.a\":\"1\"}}",
		  NULL, &c);
	tuning_conf_clear(&c);
	assert_int_equal(tuning_sysctl_dups("{\"a\":\"sysctl\",\"sysctl\":{}}", 26, &e), 0);
	assert_int_equal(tuning_sysctl_dups("[1]", 3, &e), 0);
}

static void test_allowlist(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char file[] = "/tmp/tuning-allow.XXXXXX";
	const char *text = "  ^net\\.ipv4\\.conf\\.all\\.[a-z_]*$\n\n"
			   "^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]*$  \n";
	json_t *s = json_pack("{s:s}", "net.ipv4.conf.IFNAME.arp_filter", "1");
	int fd = mkstemp(file);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	assert_int_equal(tuning_allowlist_check(file, s, &e), 0);
	json_object_set_new(s, "net.core.somaxconn", json_string("5"));
	assert_int_equal(tuning_allowlist_check(file, s, &e), -1);
	assert_int_equal(e.code, 7);
	assert_non_null(strstr(e.msg, "\"net.core.somaxconn\" is not allowed"));
	ccni_error_clear(&e);
	/* no file: everything allowed */
	assert_int_equal(tuning_allowlist_check("/nonexistent/allowlist.conf", s, &e), 0);
	/* a bad pattern names itself */
	fd = open(file, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "net(\n", 5), 5);
	close(fd);
	assert_int_equal(tuning_allowlist_check(file, s, &e), -1);
	assert_non_null(strstr(e.msg, "\"net(\""));
	ccni_error_clear(&e);
	unlink(file);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_args_cni_override_the_config),
	    cmocka_unit_test(test_mac_sources_and_precedence),
	    cmocka_unit_test(test_bad_mac),
	    cmocka_unit_test(test_del_ignores_runtime_mac),
	    cmocka_unit_test(test_wrong_types_name_the_key),
	    cmocka_unit_test(test_sysctl_keys),
	    cmocka_unit_test(test_duplicate_sysctl_keys),
	    cmocka_unit_test(test_allowlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
