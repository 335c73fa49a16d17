/* SPDX-License-Identifier: Apache-2.0 */
/* base64.h — standard base64 with padding. Internal. */
#ifndef CCNI_BASE64_H
#define CCNI_BASE64_H

#include <stddef.h>

/* NUL-terminated text; NULL when memory runs out. */
char *b64_encode(const void *data, size_t len);
/* Decoded bytes (NUL-terminated for convenience), *len their count; NULL
 * for a character outside the alphabet or when memory runs out. */
void *b64_decode(const char *s, size_t *len);

#endif
