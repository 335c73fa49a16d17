/* SPDX-License-Identifier: Apache-2.0 */
/* sysctl.h — /proc/sys keys of the calling thread's namespace. Internal. */
#ifndef CCNI_NET_SYSCTL_H
#define CCNI_NET_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <ccni/error.h>

/* key "net/ipv4/ip_forward" or "net.ipv4.ip_forward"; only net.* keys,
 * no "..". Written in the namespace of the calling thread. */
int sysctl_set(const char *key, const char *value, struct ccni_error *err);
int sysctl_get(const char *key, char *buf, size_t len, struct ccni_error *err);
bool sysctl_key_valid(const char *key);

#endif
