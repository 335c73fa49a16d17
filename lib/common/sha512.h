/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CCNI_SHA512_H
#define CCNI_SHA512_H
#include <stddef.h>
#include <stdint.h>
void sha512(const void *data, size_t len, uint8_t out[64]);
#endif
