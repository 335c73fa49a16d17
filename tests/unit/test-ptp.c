/* SPDX-License-Identifier: Apache-2.0 */
/* The ptp plugin's configuration: defaults, every key, and errors that name
 * the key. No kernel work: ptp_conf_parse only reads the request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/main/ptp/ptp.h"

/* The request stays alive until the next call: ptp_conf borrows its
 * strings. */
static struct test_request last;

static int parse(const char *conf, struct ptp_conf *p, struct ccni_error *e)
{
	test_request_free(&last);
	test_request_init(&last, CCNI_CMD_ADD, conf, NULL);
	return ptp_conf_parse(&last.r, p, e);
}

#define HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"ptp\""
#define IPAM ",\"ipam\":{\"type\":\"host-local\"}"

static void expect_err(const char *conf, int code, const char *sub)
{
	struct ptp_conf p;
	struct ccni_error e = CCNI_ERROR_INIT;

	assert_int_equal(parse(conf, &p, &e), -1);
	assert_int_equal(e.code, code);
	if (!strstr(e.msg, sub))
		fail_msg("error \"%s\" does not name \"%s\"", e.msg, sub);
	ccni_error_clear(&e);
}

static void test_defaults(void **state)
{
	struct ptp_conf p;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD IPAM "}", &p, &e), 0);
	assert_false(p.ipmasq);
	assert_string_equal(p.ipmasq_backend, "nftables");
	assert_int_equal(p.mtu, 0);
	assert_string_equal(p.ipam_type, "host-local");
}

static void test_every_key(void **state)
{
	struct ptp_conf p;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD ",\"ipMasq\":true,\"ipMasqBackend\":\"iptables\",\"mtu\":1400" IPAM
				    ",\"dns\":{\"nameservers\":[\"1.1.1.1\"]}}",
			       &p, &e),
			 0);
	assert_true(p.ipmasq);
	assert_string_equal(p.ipmasq_backend, "iptables");
	assert_int_equal(p.mtu, 1400);
	assert_int_equal(parse(HEAD ",\"ipMasqBackend\":\"\"" IPAM "}", &p, &e), 0);
	assert_string_equal(p.ipmasq_backend, "nftables");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_err(HEAD ",\"mtu\":10" IPAM "}", CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"mtu\":70000" IPAM "}", CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"mtu\":-1" IPAM "}", CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"mtu\":\"1500\"" IPAM "}", CCNI_ERR_INVALID_CONFIG, "mtu");
	expect_err(HEAD ",\"ipMasq\":\"yes\"" IPAM "}", CCNI_ERR_INVALID_CONFIG, "ipMasq");
	expect_err(HEAD ",\"ipMasqBackend\":\"junk\"" IPAM "}", CCNI_ERR_INVALID_CONFIG,
		   "ipMasqBackend");
	expect_err(HEAD ",\"ipMasqBackend\":5" IPAM "}", CCNI_ERR_INVALID_CONFIG, "ipMasqBackend");
	expect_err(HEAD "}", CCNI_ERR_INVALID_CONFIG, "ipam");
	expect_err(HEAD ",\"ipam\":{}}", CCNI_ERR_INVALID_CONFIG, "ipam");
	expect_err(HEAD ",\"ipam\":5}", CCNI_ERR_INVALID_CONFIG, "ipam");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bad_values),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_request_free(&last);
	return rc;
}
