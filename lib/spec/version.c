/* SPDX-License-Identifier: Apache-2.0 */
/* version.c — CNI spec versions: parse, compare, the set ccni supports. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/version.h>

const char *const ccni_supported_versions[] = {
	"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL,
};

static int parse_part(const char **p, unsigned *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 1000000)
			return -1;
		s++;
	}
	*out = (unsigned)v;
	*p = s;
	return 0;
}

int ccni_version_parse(const char *s, struct ccni_version *out)
{
	struct ccni_version v = { 0, 0, 0 };

	if (!s || parse_part(&s, &v.major) < 0 || *s++ != '.' || parse_part(&s, &v.minor) < 0)
		return -1;
	if (*s == '.') {
		s++;
		if (parse_part(&s, &v.patch) < 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	if (out)
		*out = v;
	return 0;
}

int ccni_version_cmp(const char *a, const char *b)
{
	struct ccni_version va, vb;
	int oka = ccni_version_parse(a, &va) == 0, okb = ccni_version_parse(b, &vb) == 0;

	if (!oka || !okb)
		return oka - okb;
	if (va.major != vb.major)
		return va.major < vb.major ? -1 : 1;
	if (va.minor != vb.minor)
		return va.minor < vb.minor ? -1 : 1;
	if (va.patch != vb.patch)
		return va.patch < vb.patch ? -1 : 1;
	return 0;
}

bool ccni_version_ge(const char *a, const char *b)
{
	struct ccni_version v;

	if (ccni_version_parse(a, &v) < 0 || ccni_version_parse(b, &v) < 0)
		return false;
	return ccni_version_cmp(a, b) >= 0;
}

const char *ccni_version_supported(const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; ccni_supported_versions[i]; i++)
		if (strcmp(ccni_supported_versions[i], s) == 0)
			return ccni_supported_versions[i];
	return NULL;
}

bool ccni_version_in(const char *s, const char *const *list)
{
	if (!s || !list)
		return false;
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}
