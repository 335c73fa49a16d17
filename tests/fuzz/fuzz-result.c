/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the result decoder and every version's encoder: any bytes in (read
 * as a 1.1.0 result when they carry no version), an error or a model out;
 * a model encodes as every supported version, each encoding decodes again,
 * and re-encoding that as the same version gives the same JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/result.h>
#include <ccni/version.h>

#define MAX_INPUT (256 * 1024)

static void check_version(const struct ccni_result *r, const char *v)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_result *back = NULL;
	json_t *j, *again;

	j = ccni_result_encode(r, v, &e);
	if (!j) {
		/* only 0.1.0/0.2.0 refuse, and only a result without an address */
		if (e.code != CCNI_ERR_INCOMPATIBLE_VERSION || !e.msg ||
		    ccni_version_cmp(v, "0.3.0") >= 0)
			abort();
		for (size_t i = 0; i < r->n_ips; i++)
			if (r->ips[i].address.ip.family)
				abort();
		ccni_error_clear(&e);
		return;
	}
	if (!json_is_object(j) || strcmp(json_string_value(json_object_get(j, "cniVersion")), v))
		abort();
	if (ccni_result_decode(j, NULL, &back, &e) < 0)
		abort(); /* what we print, we read */
	if (strcmp(back->cni_version, v))
		abort();
	again = ccni_result_encode(back, v, &e);
	if (!again || !json_equal(j, again))
		abort(); /* a version's own form is a fixed point */
	json_decref(again);
	json_decref(j);
	ccni_result_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_result *r = NULL, *copy;

	if (size > MAX_INPUT)
		return 0;
	if (ccni_result_decode_text((const char *)data, size, "1.1.0", &r, &e) < 0) {
		if (r || !e.msg ||
		    (e.code != CCNI_ERR_DECODE && e.code != CCNI_ERR_INCOMPATIBLE_VERSION))
			abort();
		ccni_error_clear(&e);
		return 0;
	}
	if (!ccni_version_supported(r->cni_version))
		abort();
	for (size_t i = 0; i < r->n_ips; i++)
		if (r->ips[i].interface >= (int)r->n_interfaces)
			abort();
	copy = ccni_result_copy(r);
	if (!copy)
		abort();
	for (const char *const *v = ccni_supported_versions; *v; v++) {
		check_version(r, *v);
		check_version(copy, *v);
	}
	ccni_result_free(copy);
	ccni_result_free(r);
	return 0;
}
