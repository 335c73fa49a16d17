/* SPDX-License-Identifier: Apache-2.0 */
/* locate.h — where a key path ("plugins[1].ipam.type") is in JSON text. */
#ifndef CCNI_LOCATE_H
#define CCNI_LOCATE_H

struct json_pos {
	int line, column; /* 1-based; 0 when not found */
};

/* Fill pos with the position of the member named by path (its key, or the
 * array element itself). Returns 0 when found, -1 otherwise. */
int json_locate(const char *text, const char *path, struct json_pos *pos);

#include <jansson.h>

/* The value at path ("a.b[0][1].c", "" for root) below root (borrowed), or
 * NULL. */
json_t *json_path_get(json_t *root, const char *path);

#endif
