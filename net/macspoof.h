/* SPDX-License-Identifier: Apache-2.0 */
/* macspoof.h — macspoofchk: frames entering a bridge from a container's
 * port must carry the container's MAC (nftables, table "bridge
 * ccni_spoof"). Internal. */
#ifndef CCNI_NET_MACSPOOF_H
#define CCNI_NET_MACSPOOF_H

#include <stdint.h>

#include <ccni/error.h>
#include <jansson.h>

/* Drop frames entering the bridge from port `ifname` whose source MAC is
 * not `mac`; tag names the attachment (net/tag.h). DEL needs only the
 * port's name. */
int macspoof_add(const char *ifname, const uint8_t mac[6], const char *tag,
		 struct ccni_error *err);
int macspoof_del(const char *ifname, struct ccni_error *err);
/* DEL when the port's name is unknown (the namespace and prevResult gone):
 * the check whose element carries tag. Its cost grows with the map. */
int macspoof_del_by_tag(const char *tag, struct ccni_error *err);
/* GC: remove the checks of network's attachments that are not valid. */
int macspoof_gc(const char *network, json_t *valid, struct ccni_error *err);

#endif
