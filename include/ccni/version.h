/* SPDX-License-Identifier: Apache-2.0 */
/* ccni/version.h — CNI spec versions: parse, compare, the supported set. */
#ifndef CCNI_VERSION_H
#define CCNI_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCNI_SPEC_VERSION "1.1.0"

struct ccni_version {
	unsigned major, minor, patch;
};

/* NULL-terminated, oldest first: 0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0 */
extern const char *const ccni_supported_versions[];

/* Parse "MAJOR.MINOR.PATCH" (each part decimal, no sign, no leading '+').
 * "1.0" is accepted as "1.0.0". Returns 0 or -1. */
int ccni_version_parse(const char *s, struct ccni_version *out);
/* <0, 0, >0 like strcmp; an unparseable version sorts before every valid one. */
int ccni_version_cmp(const char *a, const char *b);
/* a >= b; false when either does not parse. */
bool ccni_version_ge(const char *a, const char *b);
/* The entry of ccni_supported_versions equal to s (a static string), or NULL. */
const char *ccni_version_supported(const char *s);
/* Is `s` in the NULL-terminated list? */
bool ccni_version_in(const char *s, const char *const *list);

#ifdef __cplusplus
}
#endif
#endif
