/* SPDX-License-Identifier: Apache-2.0 */
/* sha512.h — SHA-512, for the names the reference derives from hashes. Internal. */
#ifndef CCNI_SHA512_H
#define CCNI_SHA512_H
#include <stddef.h>
#include <stdint.h>

struct sha512_ctx {
	uint64_t h[8];
	uint8_t buf[128];
	size_t used;     /* bytes in buf */
	uint64_t total;  /* bytes hashed so far */
};

void sha512_init(struct sha512_ctx *c);
void sha512_update(struct sha512_ctx *c, const void *data, size_t len);
void sha512_final(struct sha512_ctx *c, uint8_t out[64]);
void sha512(const void *data, size_t len, uint8_t out[64]);

/* prefix followed by the hex digits of SHA-512(a . b), cut to size - 1
 * characters in all: how the reference names its iptables chains and
 * devices ("CNI-" + 24 digits, "bwp" + 12). */
void sha512_name(const char *prefix, const char *a, const char *b, char *out, size_t size);

#endif
