/* SPDX-License-Identifier: Apache-2.0 */
/* test-args.c — CNI_ARGS parsing, lookup and IgnoreUnknown. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/args.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void assert_parse_fails(const char *s, int code, const char *in_msg)
{
	struct ccni_args a = { .n = 99 };
	struct ccni_error e = CCNI_ERROR_INIT;

	if (ccni_args_parse(s, &a, &e) == 0)
		fail_msg("CNI_ARGS \"%s\" was accepted", s);
	assert_int_equal(e.code, code);
	assert_non_null(e.msg);
	assert_non_null(strstr(e.msg, "CNI_ARGS"));
	if (in_msg && !strstr(e.msg, in_msg))
		fail_msg("message \"%s\" does not name \"%s\"", e.msg, in_msg);
	/* Nothing is left to free on failure. */
	assert_null(a.pairs);
	assert_int_equal(a.n, 0);
	ccni_error_clear(&e);
}

static void empty_gives_no_pairs(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse("", &a, &e), 0);
	assert_int_equal(a.n, 0);
	assert_false(a.ignore_unknown);
	assert_null(ccni_args_get(&a, "K"));
	assert_int_equal(ccni_args_check_known(&a, NULL, &e), 0);
	ccni_args_free(&a);

	assert_int_equal(ccni_args_parse(NULL, &a, &e), 0);
	assert_int_equal(a.n, 0);
	ccni_args_free(&a);
	assert_int_equal(e.code, 0);
}

static void parses_one_pair(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse("IP=10.0.0.2", &a, &e), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.pairs[0].key, "IP");
	assert_string_equal(a.pairs[0].value, "10.0.0.2");
	assert_string_equal(ccni_args_get(&a, "IP"), "10.0.0.2");
	assert_null(ccni_args_get(&a, "ip")); /* keys compare exactly */
	assert_null(ccni_args_get(&a, "I"));
	assert_false(a.ignore_unknown);
	ccni_args_free(&a);
	assert_null(a.pairs);
	assert_int_equal(a.n, 0);
	ccni_args_free(&a); /* freeing twice is harmless */
}

static void parses_many_pairs_in_order(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;
	static const char *const want[][2] = {
		{ "K8S_POD_NAMESPACE", "default" },
		{ "K8S_POD_NAME", "web-0" },
		{ "K8S_POD_INFRA_CONTAINER_ID", "abc123" },
		{ "K8S_POD_UID", "6d1d0a8c-1b2a-4f5c-9e1e-123456789abc" },
		{ "empty", "" },
	};

	(void)state;
	assert_int_equal(ccni_args_parse("K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;"
					 "K8S_POD_INFRA_CONTAINER_ID=abc123;"
					 "K8S_POD_UID=6d1d0a8c-1b2a-4f5c-9e1e-123456789abc;empty=",
					 &a, &e),
			 0);
	assert_int_equal(a.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_string_equal(a.pairs[i].key, want[i][0]);
		assert_string_equal(a.pairs[i].value, want[i][1]);
		assert_string_equal(ccni_args_get(&a, want[i][0]), want[i][1]);
	}
	ccni_args_free(&a);
}

static void value_may_hold_equals(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse("A=b=c;B==;C=x=y=z", &a, &e), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(ccni_args_get(&a, "A"), "b=c");
	assert_string_equal(ccni_args_get(&a, "B"), "=");
	assert_string_equal(ccni_args_get(&a, "C"), "x=y=z");
	ccni_args_free(&a);
}

static void keeps_spaces_and_odd_bytes(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse(" K = v ;L=\t\xc3\xa9", &a, &e), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.pairs[0].key, " K ");
	assert_string_equal(a.pairs[0].value, " v ");
	assert_string_equal(ccni_args_get(&a, "L"), "\t\xc3\xa9");
	assert_null(ccni_args_get(&a, "K"));
	ccni_args_free(&a);
}

static void get_returns_last_value(void **state)
{
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse("IP=10.0.0.2;X=1;IP=10.0.0.3", &a, &e), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(ccni_args_get(&a, "IP"), "10.0.0.3");
	assert_string_equal(ccni_args_get(&a, "X"), "1");
	assert_null(ccni_args_get(NULL, "IP"));
	assert_null(ccni_args_get(&a, NULL));
	ccni_args_free(&a);
}

static void rejects_pairs_without_equals(void **state)
{
	(void)state;
	assert_parse_fails("novalue", 4, "\"novalue\"");
	assert_parse_fails("A=1;novalue;B=2", 4, "\"novalue\"");
	assert_parse_fails("A=1;", 4, "\"\"");     /* trailing ';' leaves an empty pair */
	assert_parse_fails(";A=1", 4, NULL);
	assert_parse_fails("A=1;;B=2", 4, NULL);
	assert_parse_fails(";", 4, NULL);
	assert_parse_fails("IgnoreUnknown=1;bare", 4, "\"bare\"");
}

static void rejects_empty_keys(void **state)
{
	(void)state;
	assert_parse_fails("=v", 4, "\"=v\"");
	assert_parse_fails("A=1;=2", 4, "\"=2\"");
	assert_parse_fails("=", 4, NULL);
}

static void quotes_a_long_bad_pair_briefly(void **state)
{
	char s[1001];
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(ccni_args_parse(s, &a, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_INVALID_ENV);
	assert_true(strlen(e.msg) < 200);
	ccni_error_clear(&e);
}

static void bounds_length(void **state)
{
	size_t n = CCNI_ARGS_MAX_LEN;
	char *s = malloc(n + 2);
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_non_null(s);
	/* Exactly at the limit: one long value. */
	memcpy(s, "K=", 2);
	memset(s + 2, 'v', n - 2);
	s[n] = '\0';
	assert_int_equal(ccni_args_parse(s, &a, &e), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(strlen(ccni_args_get(&a, "K")), n - 2);
	ccni_args_free(&a);
	/* One byte more. */
	s[n] = 'v';
	s[n + 1] = '\0';
	assert_parse_fails(s, CCNI_ERR_INVALID_ENV, NULL);
	free(s);
}

static void bounds_pairs(void **state)
{
	char s[CCNI_ARGS_MAX_LEN];
	size_t len = 0;
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;
	char key[16];

	(void)state;
	for (int i = 0; i < CCNI_ARGS_MAX_PAIRS; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%sK%d=%d", i ? ";" : "", i, i);
	assert_int_equal(ccni_args_parse(s, &a, &e), 0);
	assert_int_equal(a.n, CCNI_ARGS_MAX_PAIRS);
	snprintf(key, sizeof(key), "K%d", CCNI_ARGS_MAX_PAIRS - 1);
	assert_non_null(ccni_args_get(&a, key));
	ccni_args_free(&a);
	snprintf(s + len, sizeof(s) - len, ";extra=1");
	assert_parse_fails(s, CCNI_ERR_INVALID_ENV, NULL);
}

static void ignore_unknown_values(void **state)
{
	static const struct {
		const char *args;
		bool ignore;
	} v[] = {
		{ "IgnoreUnknown=1", true },
		{ "IgnoreUnknown=true", true },
		{ "IgnoreUnknown=True", true },
		{ "IgnoreUnknown=TRUE", true },
		{ "IgnoreUnknown=tRuE", true }, /* the reference lower-cases the value */
		{ "IgnoreUnknown=0", false },
		{ "IgnoreUnknown=false", false },
		{ "IgnoreUnknown=", false },
		{ "IgnoreUnknown=yes", false },
		{ "IgnoreUnknown=t", false },
		{ "IgnoreUnknown= 1", false },
		{ "IgnoreUnknown=11", false },
		{ "ignoreunknown=1", false }, /* the key compares exactly */
		{ "IgnoreUnknown=0;IgnoreUnknown=1", true }, /* the last one decides */
		{ "IgnoreUnknown=1;IgnoreUnknown=0", false },
		{ "K=v;IgnoreUnknown=true;L=w", true },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ccni_args a;
		struct ccni_error e = CCNI_ERROR_INIT;

		assert_int_equal(ccni_args_parse(v[i].args, &a, &e), 0);
		if (a.ignore_unknown != v[i].ignore)
			fail_msg("\"%s\": ignore_unknown=%d", v[i].args, a.ignore_unknown);
		ccni_args_free(&a);
		assert_false(a.ignore_unknown);
	}
}

static void check_known_names_the_unknown_key(void **state)
{
	static const char *const known[] = { "IP", "K8S_POD_NAME", NULL };
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(ccni_args_parse("IP=10.0.0.2;K8S_POD_NAME=a", &a, &e), 0);
	assert_int_equal(ccni_args_check_known(&a, known, &e), 0);
	ccni_args_free(&a);

	/* IgnoreUnknown itself is always known, whatever its value. */
	assert_int_equal(ccni_args_parse("IgnoreUnknown=0;IP=10.0.0.2", &a, &e), 0);
	assert_int_equal(ccni_args_check_known(&a, known, &e), 0);
	ccni_args_free(&a);

	assert_int_equal(ccni_args_parse("IP=10.0.0.2;Unk=nown", &a, &e), 0);
	assert_int_equal(ccni_args_check_known(&a, known, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_UNSUPPORTED_FIELD);
	assert_non_null(strstr(e.msg, "\"Unk\""));
	assert_non_null(strstr(e.msg, "CNI_ARGS"));
	ccni_error_clear(&e);
	ccni_args_free(&a);

	/* Keys compare exactly. */
	assert_int_equal(ccni_args_parse("ip=10.0.0.2", &a, &e), 0);
	assert_int_equal(ccni_args_check_known(&a, known, &e), -1);
	assert_non_null(strstr(e.msg, "\"ip\""));
	ccni_error_clear(&e);
	ccni_args_free(&a);

	/* No known list: anything but IgnoreUnknown is unknown. */
	assert_int_equal(ccni_args_parse("IgnoreUnknown=false;X=1", &a, &e), 0);
	assert_int_equal(ccni_args_check_known(&a, NULL, &e), -1);
	assert_int_equal(e.code, CCNI_ERR_UNSUPPORTED_FIELD);
	assert_non_null(strstr(e.msg, "\"X\""));
	ccni_error_clear(&e);
	ccni_args_free(&a);
}

static void ignore_unknown_allows_unknown_keys(void **state)
{
	static const char *const known[] = { "IP", NULL };
	static const char *const ok[] = {
		"IgnoreUnknown=1;Unk=nown",
		"Unk=nown;IgnoreUnknown=True",
		"IgnoreUnknown=TRUE;K8S_POD_NAME=a;K8S_POD_NAMESPACE=b;IP=10.0.0.2",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct ccni_args a;
		struct ccni_error e = CCNI_ERROR_INIT;

		assert_int_equal(ccni_args_parse(ok[i], &a, &e), 0);
		assert_int_equal(ccni_args_check_known(&a, known, &e), 0);
		assert_int_equal(ccni_args_check_known(&a, NULL, &e), 0);
		assert_int_equal(e.code, 0);
		ccni_args_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_gives_no_pairs),
		cmocka_unit_test(parses_one_pair),
		cmocka_unit_test(parses_many_pairs_in_order),
		cmocka_unit_test(value_may_hold_equals),
		cmocka_unit_test(keeps_spaces_and_odd_bytes),
		cmocka_unit_test(get_returns_last_value),
		cmocka_unit_test(rejects_pairs_without_equals),
		cmocka_unit_test(rejects_empty_keys),
		cmocka_unit_test(quotes_a_long_bad_pair_briefly),
		cmocka_unit_test(bounds_length),
		cmocka_unit_test(bounds_pairs),
		cmocka_unit_test(ignore_unknown_values),
		cmocka_unit_test(check_known_names_the_unknown_key),
		cmocka_unit_test(ignore_unknown_allows_unknown_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
