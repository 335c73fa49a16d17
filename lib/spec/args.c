/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c — CNI_ARGS: "K=V;K=V". Pairs are split on ';' and each pair at its
 * first '=', so a value may itself hold '='. This module only splits and
 * looks up; what a key means is the caller's business.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccni/args.h>

#include "lib/common/cleanup.h"

/* Longest part of a bad pair quoted back in an error message. */
#define ARGS_QUOTE_MAX 64

void ccni_args_free(struct ccni_args *args)
{
	if (!args)
		return;
	for (size_t i = 0; i < args->n; i++) {
		free(args->pairs[i].key);
		free(args->pairs[i].value);
	}
	free(args->pairs);
	args->pairs = NULL;
	args->n = 0;
	args->ignore_unknown = false;
}

/*
 * The reference lower-cases the value and takes "1" and "true" as true
 * (pkg/types/args.go, UnmarshallableBool); anything else leaves unknown keys
 * refused.
 */
static bool ignore_unknown_value(const char *v)
{
	return streq(v, "1") || strcasecmp(v, "true") == 0;
}

static int bad_pair(struct ccni_error *err, const char *what, const char *p, size_t len)
{
	int n = len > ARGS_QUOTE_MAX ? ARGS_QUOTE_MAX : (int)len;

	return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
			      "CNI_ARGS: invalid pair \"%.*s%s\" (%s)", n, p,
			      len > ARGS_QUOTE_MAX ? "..." : "", what);
}

static size_t count_pairs(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ';';
	return n;
}

int ccni_args_parse(const char *s, struct ccni_args *out, struct ccni_error *err)
{
	struct ccni_args a = { 0 };
	size_t len, want;
	const char *p;

	*out = a;
	if (!s || !*s)
		return 0;
	len = strnlen(s, CCNI_ARGS_MAX_LEN + 1);
	if (len > CCNI_ARGS_MAX_LEN)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_ARGS: longer than the limit of %d bytes", CCNI_ARGS_MAX_LEN);
	want = count_pairs(s);
	if (want > CCNI_ARGS_MAX_PAIRS)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_ARGS: %zu pairs, more than the limit of %d", want,
				      CCNI_ARGS_MAX_PAIRS);
	a.pairs = calloc(want, sizeof(*a.pairs));
	if (!a.pairs)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "CNI_ARGS: out of memory");

	for (p = s;; p++) {
		const char *end = strchrnul(p, ';');
		const char *eq = memchr(p, '=', (size_t)(end - p));
		struct ccni_arg *pair = &a.pairs[a.n];

		if (!eq || eq == p) {
			ccni_args_free(&a);
			return bad_pair(err, eq ? "empty key" : "expected KEY=VALUE", p,
					(size_t)(end - p));
		}
		pair->key = strndup(p, (size_t)(eq - p));
		pair->value = strndup(eq + 1, (size_t)(end - eq - 1));
		a.n++;
		if (!pair->key || !pair->value) {
			ccni_args_free(&a);
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "CNI_ARGS: out of memory");
		}
		/* A repeated IgnoreUnknown: the last one decides, as for get. */
		if (streq(pair->key, "IgnoreUnknown"))
			a.ignore_unknown = ignore_unknown_value(pair->value);
		if (!*end)
			break;
		p = end;
	}
	*out = a;
	return 0;
}

const char *ccni_args_get(const struct ccni_args *args, const char *key)
{
	if (!args || !key)
		return NULL;
	for (size_t i = args->n; i-- > 0;)
		if (streq(args->pairs[i].key, key))
			return args->pairs[i].value;
	return NULL;
}

static bool is_known(const char *key, const char *const *known)
{
	if (streq(key, "IgnoreUnknown"))
		return true;
	for (; known && *known; known++)
		if (streq(key, *known))
			return true;
	return false;
}

int ccni_args_check_known(const struct ccni_args *args, const char *const *known,
			  struct ccni_error *err)
{
	if (!args || args->ignore_unknown)
		return 0;
	for (size_t i = 0; i < args->n; i++) {
		const char *k = args->pairs[i].key;

		if (!is_known(k, known))
			return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
					      "CNI_ARGS: unknown argument \"%.*s\" (add "
					      "IgnoreUnknown=1 to allow it)",
					      ARGS_QUOTE_MAX, k);
	}
	return 0;
}
