/* SPDX-License-Identifier: Apache-2.0 */
/* The vrf plugin's configuration and its choice of a table for a new VRF:
 * never one a VRF, a route or a rule of the namespace uses, nor the
 * kernel's own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/meta/vrf/vrf.h"

TEST_CONF_PARSER(struct vrf_conf, vrf_conf_parse, CCNI_CMD_ADD)

#define HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"vrf\""
#define BAD(conf, sub) expect_err(conf, NULL, CCNI_ERR_INVALID_CONFIG, sub)

static void test_conf(void **state)
{
	struct vrf_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD ",\"vrfname\":\"blue\"}", &c, &e), 0);
	assert_string_equal(c.name, "blue");
	assert_int_equal(c.table, 0);
	assert_int_equal(parse(HEAD ",\"vrfname\":\"red\",\"table\":4294967295}", &c, &e), 0);
	assert_int_equal(c.table, 4294967295u);
	BAD(HEAD "}", "vrfname: missing");
	BAD(HEAD ",\"vrfname\":\"\"}", "vrfname: missing");
	BAD(HEAD ",\"vrfname\":\"a/b\"}", "vrfname: invalid interface name \"a/b\"");
	BAD(HEAD ",\"vrfname\":\"blue\",\"table\":-1}", "table");
	BAD(HEAD ",\"vrfname\":\"blue\",\"table\":\"5\"}", "table");
}

static void test_table_choice(void **state)
{
	uint32_t vrfs[] = { 1, 3 }, routes[] = { 254, 255, 2 }, rules[] = { 4, 253 };
	uint32_t many[251];

	(void)state;
	assert_int_equal(vrf_table_choose(NULL, 0, NULL, 0, NULL, 0), 1);
	assert_int_equal(vrf_table_choose(vrfs, 2, NULL, 0, NULL, 0), 2);
	assert_int_equal(vrf_table_choose(vrfs, 2, routes, 3, NULL, 0), 4);
	assert_int_equal(vrf_table_choose(vrfs, 2, routes, 3, rules, 2), 5);
	/* past 251 the kernel's compat, default, main and local are skipped */
	for (uint32_t i = 0; i < 251; i++)
		many[i] = i + 1;
	assert_int_equal(vrf_table_choose(many, 251, NULL, 0, NULL, 0), 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_table_choice),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_request_free(&last);
	return rc;
}
