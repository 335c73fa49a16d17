/* SPDX-License-Identifier: Apache-2.0 */
/* tag.c — see tag.h. */
#include <stdio.h>
#include <string.h>

#include "lib/common/sha512.h"
#include "net/tag.h"

/* The hash a tag too long to spell out is made of: 40 hex digits. */
#define TAG_HASH 40

void tag_of(const char *network, const char *container_id, const char *ifname,
	    char out[TAG_MAX])
{
	char full[1024], hex[TAG_HASH + 1];
	uint8_t h[64];
	int n = snprintf(full, sizeof(full), "%s %s %s", network ? network : "",
			 container_id ? container_id : "", ifname ? ifname : "");

	if (n >= 0 && n < TAG_MAX && (size_t)n < sizeof(full)) {
		memcpy(out, full, (size_t)n + 1);
		return;
	}
	{
		struct sha512_ctx c;

		sha512_init(&c);
		sha512_update(&c, network ? network : "", strlen(network ? network : ""));
		sha512_update(&c, " ", 1);
		sha512_update(&c, container_id ? container_id : "",
			      strlen(container_id ? container_id : ""));
		sha512_update(&c, " ", 1);
		sha512_update(&c, ifname ? ifname : "", strlen(ifname ? ifname : ""));
		sha512_final(&c, h);
	}
	for (int i = 0; i < TAG_HASH / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	if (network && strlen(network) + 1 + TAG_HASH < TAG_MAX)
		snprintf(out, TAG_MAX, "%s~%s", network, hex);
	else
		snprintf(out, TAG_MAX, "~%s", hex);
}

/* Does tag name an attachment of network? ("NETWORK " or "NETWORK~") */
static bool of_network(const char *tag, const char *network)
{
	size_t n = strlen(network);

	return strncmp(tag, network, n) == 0 && (tag[n] == ' ' || tag[n] == '~');
}

bool tag_is_stale(const char *tag, const char *network, json_t *valid)
{
	size_t i;
	json_t *a;

	if (!tag || !network || !of_network(tag, network))
		return false;
	json_array_foreach(valid, i, a) {
		const char *id = json_string_value(json_object_get(a, "containerID"));
		const char *ifname = json_string_value(json_object_get(a, "ifname"));
		char t[TAG_MAX];

		if (!id)
			continue;
		tag_of(network, id, ifname, t);
		if (strcmp(t, tag) == 0)
			return false;
	}
	return true;
}

uint32_t tag_group(const char *network)
{
	uint8_t h[64];

	sha512(network ? network : "", strlen(network ? network : ""), h);
	return 0x80000000u | ((uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
}

bool tag_script_safe(const char *s)
{
	for (; s && *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return s != NULL;
}
