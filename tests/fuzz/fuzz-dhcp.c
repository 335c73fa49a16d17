/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz what the DHCP client reads from the network: an IPv4/UDP packet, a
 * DHCP message in it, and the result its options give. Any bytes in: no
 * crash, no leak, a result that encodes as JSON, and the same result from
 * the options once dumped (as a lease file keeps them) and read again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/ipam/dhcp/dhcp-packet.h"

static char *result_text(uint32_t yiaddr, const struct dhcp_opts *o)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct ccni_result *r = NULL;
	json_t *j;
	char *text;

	if (dhcp_result(yiaddr, o, 5, &r, &e) < 0) {
		if (!e.msg)
			abort();
		ccni_error_clear(&e);
		return NULL;
	}
	j = ccni_result_encode(r, "1.1.0", &e);
	if (!j) /* every string in a result must be valid text */
		abort();
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ccni_result_free(r);
	return text;
}

static void check_msg(const uint8_t *p, size_t n)
{
	static struct dhcp_msg m;
	static struct dhcp_opts again;
	uint8_t area[DHCP_FRAME_MAX];
	char *a, *b;
	size_t len;

	if (dhcp_msg_parse(p, n, &m) < 0)
		return;
	(void)dhcp_msg_type(&m);
	a = result_text(m.yiaddr, &m.opts);
	len = dhcp_opts_dump(&m.opts, area, sizeof(area));
	dhcp_opts_init(&again);
	if (dhcp_opts_parse(area, len, &again) < 0)
		abort();
	b = result_text(m.yiaddr, &again);
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t len;
	uint32_t src;

	if (size > DHCP_FRAME_MAX)
		return 0;
	p = dhcp_unframe(data, size, size && (data[0] & 1), &len, &src);
	if (p) {
		if (p < data || p + len > data + size)
			abort();
		check_msg(p, len);
	}
	check_msg(data, size);
	return 0;
}
