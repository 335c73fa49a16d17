/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tag.h — how ccni names an attachment in what it leaves in the kernel and
 * on disk (nftables element comments, link aliases, backup files), so that
 * a DEL removes only its own and GC finds what no valid attachment owns.
 * Internal.
 */
#ifndef CCNI_NET_TAG_H
#define CCNI_NET_TAG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* An nftables comment holds 127 bytes at most. */
#define TAG_MAX 128

/* "NETWORK CONTAINERID IFNAME". When that is longer than TAG_MAX - 1
 * bytes, the container id and ifname (and then the network too) give way
 * to a hash of all three: "NETWORK~HASH" or "~HASH", so two attachments
 * never share a tag. */
void tag_of(const char *network, const char *container_id, const char *ifname,
	    char out[TAG_MAX]);

/* GC: is tag one of network's attachments, and of none of the valid ones
 * (cni.dev/valid-attachments: [{"containerID","ifname"}...], NULL: none)? */
bool tag_is_stale(const char *tag, const char *network, json_t *valid);

/* The device group (IFLA_GROUP, which a link takes at its creation, when
 * its alias cannot yet be set) that marks a link made for one of network's
 * attachments: 31 bits of a hash of the name with the top bit set (never
 * 0, the default group; the reference sets none). A link of this group
 * without its tag was made by an ADD killed before it could tag it. */
uint32_t tag_group(const char *network);

/* Can s go between double quotes in an nft script (no quote, backslash,
 * newline or other control character)? */
bool tag_script_safe(const char *s);

#endif
