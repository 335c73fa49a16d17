/* SPDX-License-Identifier: Apache-2.0 */
/* args.c — CNI_ARGS: "K=V;K=V", split at the first '=' of each pair. */
#include <stdlib.h>
#include <string.h>

#include <ccni/args.h>

#include "lib/common/cleanup.h"

void ccni_args_free(struct ccni_args *args)
{
	for (size_t i = 0; i < args->n; i++) {
		free(args->pairs[i].key);
		free(args->pairs[i].value);
	}
	free(args->pairs);
	args->pairs = NULL;
	args->n = 0;
	args->ignore_unknown = false;
}

static bool truthy(const char *v)
{
	return streq(v, "1") || streq(v, "true") || streq(v, "True") || streq(v, "TRUE") ||
	       streq(v, "t") || streq(v, "T");
}

int ccni_args_parse(const char *s, struct ccni_args *out, struct ccni_error *err)
{
	struct ccni_args a = { 0 };
	const char *p = s;

	*out = a;
	if (!s || !*s)
		return 0;
	if (strlen(s) > CCNI_ARGS_MAX_LEN)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_ARGS: %zu bytes, more than the limit of %d", strlen(s),
				      CCNI_ARGS_MAX_LEN);
	a.pairs = calloc(CCNI_ARGS_MAX_PAIRS, sizeof(*a.pairs));
	if (!a.pairs)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	for (;;) {
		const char *end = strchrnul(p, ';');
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (!eq || eq == p) {
			int n = (int)(end - p);

			ccni_args_free(&a);
			return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
					      "CNI_ARGS: invalid pair \"%.*s\" (expected KEY=VALUE)",
					      n > 64 ? 64 : n, p);
		}
		if (a.n == CCNI_ARGS_MAX_PAIRS) {
			ccni_args_free(&a);
			return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
					      "CNI_ARGS: more than %d pairs", CCNI_ARGS_MAX_PAIRS);
		}
		a.pairs[a.n].key = strndup(p, (size_t)(eq - p));
		a.pairs[a.n].value = strndup(eq + 1, (size_t)(end - eq - 1));
		if (!a.pairs[a.n].key || !a.pairs[a.n].value) {
			a.n++;
			ccni_args_free(&a);
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		}
		if (streq(a.pairs[a.n].key, "IgnoreUnknown"))
			a.ignore_unknown = truthy(a.pairs[a.n].value);
		a.n++;
		if (!*end)
			break;
		p = end + 1;
	}
	*out = a;
	return 0;
}

const char *ccni_args_get(const struct ccni_args *args, const char *key)
{
	for (size_t i = args->n; i-- > 0;)
		if (streq(args->pairs[i].key, key))
			return args->pairs[i].value;
	return NULL;
}

int ccni_args_check_known(const struct ccni_args *args, const char *const *known,
			  struct ccni_error *err)
{
	if (args->ignore_unknown)
		return 0;
	for (size_t i = 0; i < args->n; i++) {
		const char *k = args->pairs[i].key;
		bool ok = streq(k, "IgnoreUnknown");

		for (const char *const *kk = known; !ok && kk && *kk; kk++)
			ok = streq(k, *kk);
		if (!ok)
			return ccni_error_set(err, CCNI_ERR_UNSUPPORTED_FIELD,
					      "CNI_ARGS: unknown argument \"%s\" (add IgnoreUnknown=1 "
					      "to allow it)",
					      k);
	}
	return 0;
}
