/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the plugins' config parsers in validation mode, where they go on
 * after each problem: any bytes in (the first picks the plugin), problems
 * out, no crash and no leak. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/util.h"
#include "plugins/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	const struct plugin_entry *e;
	int in, out;

	if (size < 1)
		return 0;
	while (plugin_registry[n].name)
		n++;
	e = &plugin_registry[data[0] % n];
	in = memfd_create("in", MFD_CLOEXEC);
	out = memfd_create("out", MFD_CLOEXEC);
	if (in >= 0 && out >= 0 && util_write_all(in, data + 1, size - 1) == 0 &&
	    lseek(in, 0, SEEK_SET) == 0)
		ccni_plugin_validate(e->plugin, in, out);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return 0;
}
