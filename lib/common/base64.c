/* SPDX-License-Identifier: Apache-2.0 */
/* base64.c — standard base64 (RFC 4648, with padding), for the config bytes
 * libcni keeps in its cache entries. */
#include <stdlib.h>
#include <string.h>

#include "lib/common/base64.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

void *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	unsigned v = 0;
	int bits = 0;
	unsigned char *out = malloc(n / 4 * 3 + 3);

	if (!out)
		return NULL;
	for (; *s && *s != '='; s++) {
		const char *c = strchr(b64, *s);

		if (!c || !*s) {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}
