/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iptables.h — the optional iptables backends' one tool: a script fed to
 * (ip6)iptables-restore, once per call and address family, and the
 * reference's hashed chain names. Internal.
 */
#ifndef CCNI_NET_IPTABLES_H
#define CCNI_NET_IPTABLES_H

#include <stdbool.h>

#include <ccni/error.h>
#include <ccni/ip.h>

/* ipMasq through iptables (ipMasqBackend "iptables"): the reference's
 * per-container chain CNI-<hash of network+id> in the nat table, made or
 * removed by one iptables-restore --noflush call per address family. */
int iptables_masq(bool add, const struct ccni_ipnet *addrs, int n, const char *network,
		  const char *container_id, struct ccni_error *err);

#define IPTABLES_CHAIN_MAX 28 /* iptables' limit on a chain name */
#define IPTABLES_CHAIN_NAME_RULE                                                         \
	"1 to 28 letters, digits, '_', '-' or '.', starting with a letter or '_'"
/* A chain name from a config, safe to put in an iptables-restore script (no
 * space, quote or newline can start another command). */
bool iptables_chain_name_ok(const char *s);

/* The reference's chain name for a network and container ("CNI-" + 24 hex). */
void iptables_chain_name(const char *network, const char *id, char out[29]);
/* Feed a script to (ip6)iptables-restore --noflush --wait. */
int iptables_restore(bool v6, const char *script, struct ccni_error *err);

#endif
