/* SPDX-License-Identifier: Apache-2.0 */
/* ccni/args.h — CNI_ARGS ("K=V;K=V") parsing, with IgnoreUnknown. */
#ifndef CCNI_ARGS_H
#define CCNI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include <ccni/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCNI_ARGS_MAX_PAIRS 64
#define CCNI_ARGS_MAX_LEN 4096

struct ccni_arg {
	char *key;
	char *value;
};

struct ccni_args {
	struct ccni_arg *pairs;
	size_t n;
	bool ignore_unknown; /* IgnoreUnknown=1/true/True/TRUE was given */
};

/* Parse CNI_ARGS (NULL or "" gives an empty set). A pair without '=' or an
 * empty key is a code 4 error naming CNI_ARGS and the pair. */
int ccni_args_parse(const char *s, struct ccni_args *out, struct ccni_error *err);
void ccni_args_free(struct ccni_args *args);
/* The value of the last pair with this key, or NULL. Keys compare exactly. */
const char *ccni_args_get(const struct ccni_args *args, const char *key);
/* Every key must be in `known` (NULL-terminated) unless IgnoreUnknown was
 * given; IgnoreUnknown itself is always known. Code 2 error naming the key. */
int ccni_args_check_known(const struct ccni_args *args, const char *const *known,
			  struct ccni_error *err);

#ifdef __cplusplus
}
#endif
#endif
