/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the config parser: any bytes in, an error or a list out, no leak. */
#include <stddef.h>
#include <stdint.h>

#include <ccni/conf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccni_conflist *l = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (ccni_conflist_parse((const char *)data, size, "fuzz", &l, &e) == 0) {
		for (size_t i = 0; i < l->n_plugins; i++) {
			const char *type = NULL;

			ccni_json_get_string(l->plugins[i], "", "type", &type, &e);
			ccni_error_clear(&e);
		}
		ccni_conflist_free(l);
	}
	ccni_error_clear(&e);
	return 0;
}
