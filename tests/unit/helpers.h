/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helpers.h — fixtures the unit tests share: a plugin request built around
 * a config text, as the SDK would build it from stdin and the environment
 * (container ctr1, netns /var/run/netns/x, ifname eth0, network net1,
 * version 1.0.0), with the config's runtimeConfig, args.cni and prevResult.
 * Include after <cmocka.h>.
 */
#ifndef CCNI_TESTS_UNIT_HELPERS_H
#define CCNI_TESTS_UNIT_HELPERS_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ccni/plugin.h>
#include <ccni/result.h>

#include "lib/common/util.h"

struct test_request {
	struct ccni_request r;
	json_t *conf;
	struct ccni_result *prev;
};

/* Build q around conf (and the CNI_ARGS text args, or NULL); a config that
 * is not JSON, or a bad prevResult, fails the test. */
static inline void test_request_init(struct test_request *q, enum ccni_command cmd,
				     const char *conf, const char *args)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	json_error_t je;
	json_t *a, *prev;

	memset(q, 0, sizeof(*q));
	q->conf = json_loads(conf, 0, &je);
	if (!q->conf)
		fail_msg("bad test JSON: %s: %s", je.text, conf);
	q->r.command = cmd;
	q->r.command_name = ccni_command_name(cmd);
	q->r.container_id = "ctr1";
	q->r.netns = "/var/run/netns/x";
	q->r.ifname = "eth0";
	q->r.path = "/opt/cni/bin";
	q->r.args_text = args;
	assert_int_equal(ccni_args_parse(args, &q->r.args, &e), 0);
	q->r.stdin_data = conf;
	q->r.stdin_len = strlen(conf);
	q->r.config = q->conf;
	q->r.cni_version = "1.0.0";
	q->r.name = "net1";
	q->r.runtime_config = json_object_get(q->conf, "runtimeConfig");
	a = json_object_get(q->conf, "args");
	q->r.cni_args = json_is_object(a) ? json_object_get(a, "cni") : NULL;
	prev = json_object_get(q->conf, "prevResult");
	if (prev && ccni_result_decode(prev, "1.0.0", &q->prev, &e) < 0)
		fail_msg("bad prevResult: %s", e.msg);
	q->r.prev_result = q->prev;
}

/* Run plugin p through the whole protocol (ccni_plugin_run): CNI_COMMAND=cmd,
 * the fixture's environment and extra_env ("K=V", or NULL), conf on stdin.
 * Returns its stdout (malloc'd) and its exit status in *status. */
static inline char *test_plugin_run(const struct ccni_plugin *p, const char *cmd,
				    const char *conf, const char *extra_env, int *status)
{
	char cmdv[64], extra[512];
	char *env[8] = { cmdv, "CNI_CONTAINERID=ctr1", "CNI_NETNS=/var/run/netns/x",
			 "CNI_IFNAME=eth0", "CNI_PATH=/opt/cni/bin", NULL, NULL };
	int in = memfd_create("in", 0), out = memfd_create("out", 0);
	size_t len;
	char *text;

	snprintf(cmdv, sizeof(cmdv), "CNI_COMMAND=%s", cmd);
	if (extra_env) {
		snprintf(extra, sizeof(extra), "%s", extra_env);
		env[5] = extra;
	}
	assert_int_equal(util_write_all(in, conf, strlen(conf)), 0);
	lseek(in, 0, SEEK_SET);
	*status = ccni_plugin_run(p, env, in, out);
	lseek(out, 0, SEEK_SET);
	text = util_read_fd(out, 1 << 20, &len);
	close(in);
	close(out);
	assert_non_null(text);
	return text;
}

static inline void test_request_free(struct test_request *q)
{
	ccni_args_free(&q->r.args);
	ccni_result_free(q->prev);
	json_decref(q->conf);
	memset(q, 0, sizeof(*q));
}

/* A config parser's tests: `last`, the request the parsed config borrows
 * from (alive until the next parse; test_request_free it at the end),
 * parse_args(conf, args, c, e) and parse(conf, c, e) running FN (int
 * FN(const struct ccni_request *, TYPE *, struct ccni_error *)) on CMD, and
 * expect_err(conf, args, code, sub): the parse fails with code and a
 * message naming sub. */
#define TEST_CONF_PARSER(TYPE, FN, CMD)                                                        \
	static struct test_request last;                                                       \
	static int parse_args(const char *conf, const char *args, TYPE *c, struct ccni_error *e) \
	{                                                                                      \
		test_request_free(&last);                                                      \
		test_request_init(&last, CMD, conf, args);                                     \
		return FN(&last.r, c, e);                                                      \
	}                                                                                      \
	static inline int parse(const char *conf, TYPE *c, struct ccni_error *e)               \
	{                                                                                      \
		return parse_args(conf, NULL, c, e);                                           \
	}                                                                                      \
	static void expect_err(const char *conf, const char *args, int code, const char *sub)  \
	{                                                                                      \
		TYPE c;                                                                        \
		struct ccni_error e = CCNI_ERROR_INIT;                                         \
                                                                                               \
		assert_int_equal(parse_args(conf, args, &c, &e), -1);                          \
		assert_int_equal(e.code, code);                                                \
		if (!strstr(e.msg, sub))                                                       \
			fail_msg("error \"%s\" does not name \"%s\"", e.msg, sub);             \
		ccni_error_clear(&e);                                                          \
	}

#endif
