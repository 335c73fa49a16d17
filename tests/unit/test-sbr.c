/* SPDX-License-Identifier: Apache-2.0 */
/* The sbr plugin's parts that need no kernel: the "table" key, the choice of
 * the next free table, and which prevResult IPs belong to the interface. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/plugin.h>

#include "tests/unit/helpers.h"
#include "plugins/meta/sbr/sbr.h"

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"sbr\""

/* Parse BASE + extra + "}" as an ADD request's config. */
static int parse(const char *extra, struct sbr_conf *c, struct ccni_error *e)
{
	char text[512];
	struct test_request q;
	int rc;

	snprintf(text, sizeof(text), BASE "%s}", extra);
	test_request_init(&q, CCNI_CMD_ADD, text, NULL);
	rc = sbr_conf_parse(&q.r, c, e);
	test_request_free(&q);
	return rc;
}

static void test_no_table_means_move_routes(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct sbr_conf c;

	(void)state;
	assert_int_equal(parse("", &c, &e), 0);
	assert_false(c.has_table);
	assert_int_equal(parse(",\"table\":null", &c, &e), 0);
	assert_false(c.has_table);
}

static void test_table_within_range_is_taken(void **state)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct sbr_conf c;

	(void)state;
	assert_int_equal(parse(",\"table\":200", &c, &e), 0);
	assert_true(c.has_table);
	assert_int_equal(c.table, 200);
	assert_int_equal(parse(",\"table\":1", &c, &e), 0);
	assert_int_equal(c.table, 1);
	assert_int_equal(parse(",\"table\":4294967295", &c, &e), 0);
	assert_int_equal(c.table, 4294967295u);
}

static void test_bad_table_names_the_key_and_value(void **state)
{
	const char *bad[] = {"0", "-1", "4294967296", "1.5", "\"100\"", "true", "[100]", "{}"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ccni_error e = CCNI_ERROR_INIT;
		struct sbr_conf c;
		char extra[64];

		snprintf(extra, sizeof(extra), ",\"table\":%s", bad[i]);
		assert_int_equal(parse(extra, &c, &e), -1);
		assert_int_equal(e.code, CCNI_ERR_INVALID_CONFIG);
		assert_non_null(strstr(e.msg, "table"));
		ccni_error_clear(&e);
	}
}

static void test_table_choice_skips_ids_rules_name(void **state)
{
	const uint32_t rules[] = {255, 100, 254, 101, 253, 103, 254};

	(void)state;
	assert_int_equal(sbr_table_next(NULL, 0, 100), 100);
	assert_int_equal(sbr_table_next(rules, 7, 100), 102);
	assert_int_equal(sbr_table_next(rules, 7, 103), 104);
	assert_int_equal(sbr_table_next(rules, 7, 252), 252);
	assert_int_equal(sbr_table_next(rules, 7, 253), 256);
	/* the next address's table: from one past the last, rules as listed first */
	assert_int_equal(sbr_table_next(rules, 7, 102 + 1), 104);
}

static struct ccni_result *result_of(const char *text)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_result *r = NULL;

	assert_int_equal(ccni_result_decode_text(text, strlen(text), "1.0.0", &r, &e), 0);
	return r;
}

static void test_ips_of_the_interface_only(void **state)
{
	struct ccni_result *r = result_of(
	    "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"veth1\"},{\"name\":\"eth0\","
	    "\"sandbox\":\"/x\"},{\"name\":\"net1\",\"sandbox\":\"/x\"}],\"ips\":["
	    "{\"address\":\"10.0.0.2/24\",\"interface\":1},"
	    "{\"address\":\"10.0.1.2/24\",\"interface\":2},"
	    "{\"address\":\"10.0.2.2/24\"},"
	    "{\"address\":\"10.0.3.2/24\",\"interface\":0},"
	    "{\"address\":\"fd00::2/64\",\"interface\":1}]}");
	size_t idx[8];

	(void)state;
	/* ours, those without an interface, and not the others' */
	assert_int_equal(sbr_ips_of(r, "eth0", idx), 3);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 4);
	assert_int_equal(sbr_ips_of(r, "net1", idx), 2);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	ccni_result_free(r);
}

static void test_ips_with_an_index_past_the_interfaces_count_as_ours(void **state)
{
	struct ccni_result *r = result_of("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":"
					  "\"eth0\"}],\"ips\":[{\"address\":\"10.0.0.2/24\","
					  "\"interface\":0}]}");
	size_t idx[2];

	(void)state;
	/* decoding refuses such an index; a plugin-made result may still hold one */
	r->ips[0].interface = 5;
	assert_int_equal(sbr_ips_of(r, "net1", idx), 1);
	ccni_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_table_means_move_routes),
	    cmocka_unit_test(test_table_within_range_is_taken),
	    cmocka_unit_test(test_bad_table_names_the_key_and_value),
	    cmocka_unit_test(test_table_choice_skips_ids_rules_name),
	    cmocka_unit_test(test_ips_of_the_interface_only),
	    cmocka_unit_test(test_ips_with_an_index_past_the_interfaces_count_as_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
