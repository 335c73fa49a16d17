/* SPDX-License-Identifier: Apache-2.0 */
/* The bandwidth plugin: its keys and runtimeConfig, the pair and 4 GB
 * checks with errors naming the key, the tbf arithmetic against the values
 * the reference leaves in the kernel, and the ifb name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/meta/bandwidth/bandwidth.h"

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"bandwidth\""

static int parse(const char *conf, struct bandwidth_limits *bw, struct ccni_error *e)
{
	struct test_request q;
	int rc;

	test_request_init(&q, CCNI_CMD_ADD, conf, NULL);
	rc = bandwidth_conf_parse(&q.r, bw, e);
	test_request_free(&q);
	return rc;
}

static void expect_fail(const char *conf, const char *needle)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	assert_int_equal(parse(conf, &bw, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_INVALID_CONFIG);
	if (!strstr(e.msg, needle))
		fail_msg("\"%s\" not in \"%s\" (config %s)", needle, e.msg, conf);
	ccni_error_clear(&e);
}

static void test_no_limits(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	(void)state;
	assert_int_equal(parse(BASE "}", &bw, &e), 0);
	assert_false(bandwidth_ingress(&bw));
	assert_false(bandwidth_egress(&bw));
	assert_string_equal(bw.where, "");
	assert_int_equal(parse(BASE ",\"runtimeConfig\":{\"bandwidth\":null}}", &bw, &e), 0);
	assert_false(bandwidth_ingress(&bw) || bandwidth_egress(&bw));
}

static void test_every_key_from_the_config(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	(void)state;
	assert_int_equal(parse(BASE ",\"ingressRate\":1000,\"ingressBurst\":2000,"
				    "\"egressRate\":3000,\"egressBurst\":4000}",
			       &bw, &e),
			 0);
	assert_int_equal(bw.ingress_rate, 1000);
	assert_int_equal(bw.ingress_burst, 2000);
	assert_int_equal(bw.egress_rate, 3000);
	assert_int_equal(bw.egress_burst, 4000);
	assert_true(bandwidth_ingress(&bw) && bandwidth_egress(&bw));
	/* one direction only */
	assert_int_equal(parse(BASE ",\"egressRate\":3000,\"egressBurst\":4000}", &bw, &e), 0);
	assert_false(bandwidth_ingress(&bw));
	assert_true(bandwidth_egress(&bw));
}

static void test_runtime_config_when_the_config_has_no_key(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	(void)state;
	assert_int_equal(parse(BASE ",\"runtimeConfig\":{\"bandwidth\":{\"ingressRate\":8000,"
				    "\"ingressBurst\":800}}}",
			       &bw, &e),
			 0);
	assert_int_equal(bw.ingress_rate, 8000);
	assert_int_equal(bw.ingress_burst, 800);
	assert_string_equal(bw.where, "runtimeConfig.bandwidth");
}

static void test_any_config_key_wins_over_runtime_config(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	(void)state;
	/* as the reference: the config's keys are taken as a whole, even 0 */
	assert_int_equal(parse(BASE ",\"ingressRate\":0,\"runtimeConfig\":{\"bandwidth\":"
				    "{\"egressRate\":8000,\"egressBurst\":800}}}",
			       &bw, &e),
			 0);
	assert_false(bandwidth_ingress(&bw) || bandwidth_egress(&bw));
	assert_string_equal(bw.where, "");
	assert_int_equal(parse(BASE ",\"egressRate\":1,\"egressBurst\":2,\"runtimeConfig\":"
				    "{\"bandwidth\":{\"egressRate\":8000,\"egressBurst\":800}}}",
			       &bw, &e),
			 0);
	assert_int_equal(bw.egress_rate, 1);
	assert_int_equal(bw.egress_burst, 2);
}

static void test_rate_and_burst_come_in_pairs(void **state)
{
	(void)state;
	expect_fail(BASE ",\"ingressRate\":1000}", "ingressBurst: must be set when ingressRate is");
	expect_fail(BASE ",\"ingressBurst\":1000}",
		    "ingressRate: must be set when ingressBurst is");
	expect_fail(BASE ",\"egressRate\":1000,\"egressBurst\":0}", "egressBurst: must be set");
	expect_fail(BASE ",\"egressBurst\":1000}", "egressRate: must be set");
	expect_fail(BASE ",\"runtimeConfig\":{\"bandwidth\":{\"egressRate\":5}}}",
		    "runtimeConfig.bandwidth.egressBurst: must be set");
}

static void test_burst_below_4_gb(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct bandwidth_limits bw;

	(void)state;
	/* burst/8 must stay under 2^32-1 bytes */
	assert_int_equal(parse(BASE ",\"ingressRate\":1,\"ingressBurst\":34359738359}", &bw, &e),
			 0);
	expect_fail(BASE ",\"ingressRate\":1,\"ingressBurst\":34359738360}",
		    "ingressBurst: 34359738360 bits is more than 4GB");
	expect_fail(BASE ",\"egressRate\":1,\"egressBurst\":9000000000000}", "egressBurst");
}

static void test_wrong_types_name_the_key(void **state)
{
	static const char *const keys[] = {"ingressRate", "ingressBurst", "egressRate",
					   "egressBurst"};
	static const char *const values[] = {"-1", "\"1000\"", "1.5", "true", "{}"};
	char conf[256], where[80];

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		for (size_t v = 0; v < 5; v++) {
			snprintf(conf, sizeof(conf), BASE ",\"%s\":%s}", keys[k], values[v]);
			expect_fail(conf, keys[k]);
		}
		snprintf(conf, sizeof(conf), BASE ",\"runtimeConfig\":{\"bandwidth\":{\"%s\":-2}}}",
			 keys[k]);
		snprintf(where, sizeof(where), "runtimeConfig.bandwidth.%s", keys[k]);
		expect_fail(conf, where);
	}
	expect_fail(BASE ",\"runtimeConfig\":{\"bandwidth\":\"fast\"}}",
		    "runtimeConfig.bandwidth: expected an object");
}

static void test_tbf_values_as_the_reference(void **state)
{
	struct qdisc_tbf t;

	(void)state;
	/* 1 Mbit/s, 80 kbit: 10000 B in 80 ms = 1250000 ticks; 25 ms of rate
	 * (3125 B) plus the burst for the queue */
	bandwidth_tbf(1000000, 80000, 15.625, &t);
	assert_int_equal(t.rate, 125000);
	assert_int_equal(t.buffer, 1250000);
	assert_int_equal(t.limit, 13125);
	/* bits below a byte are dropped */
	bandwidth_tbf(123457, 45679, 15.625, &t);
	assert_int_equal(t.rate, 15432);
	assert_int_equal(t.buffer, 5780390); /* 5709 B: 369945 us */
	assert_int_equal(t.limit, 385 + 5709);
	/* above 32 bits of bytes per second */
	bandwidth_tbf(40000000000ULL, 8000000, 15.625, &t);
	assert_true(t.rate == 5000000000ULL);
	assert_int_equal(t.buffer, 3125);
	assert_int_equal(t.limit, 126000000);
}

static void test_tbf_truncations_as_the_reference(void **state)
{
	struct qdisc_tbf t;

	(void)state;
	/* a huge bucket at 125 B/s: the time and tick values wrap at 32 bits
	 * and the limit wraps past 2^32 to 1, as the reference leaves them */
	bandwidth_tbf(1000, 34359738359ULL, 15.625, &t);
	assert_int_equal(t.rate, 125);
	assert_int_equal(t.buffer, 2684104560u);
	assert_int_equal(t.limit, 1);
	/* under a byte per second: no time at all (the kernel refuses it) */
	bandwidth_tbf(7, 80000, 15.625, &t);
	assert_int_equal(t.rate, 0);
	assert_int_equal(t.buffer, 0);
	assert_int_equal(t.limit, 10000);
}

static void test_ticks_from_proc(void **state)
{
	(void)state;
	/* every kernel since 2.6.31 reports 1000 ns per us, 64 ns per tick */
	assert_true(qdisc_ticks_per_usec() == 15.625);
}

static void test_ifb_name(void **state)
{
	char n[16];

	(void)state;
	/* the reference's name for network "mynet", container "abc" */
	bandwidth_ifb_name("mynet", "abc", n);
	assert_string_equal(n, "bwpe88f49d94512");
	assert_int_equal(strlen(n), 15);
	bandwidth_ifb_name("", "", n);
	assert_string_equal(n, "bwpcf83e1357eef"); /* sha512 of nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_limits),
	    cmocka_unit_test(test_every_key_from_the_config),
	    cmocka_unit_test(test_runtime_config_when_the_config_has_no_key),
	    cmocka_unit_test(test_any_config_key_wins_over_runtime_config),
	    cmocka_unit_test(test_rate_and_burst_come_in_pairs),
	    cmocka_unit_test(test_burst_below_4_gb),
	    cmocka_unit_test(test_wrong_types_name_the_key),
	    cmocka_unit_test(test_tbf_values_as_the_reference),
	    cmocka_unit_test(test_tbf_truncations_as_the_reference),
	    cmocka_unit_test(test_ticks_from_proc),
	    cmocka_unit_test(test_ifb_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
