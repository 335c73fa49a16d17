/* SPDX-License-Identifier: Apache-2.0 */
/* tuning.h — the tuning plugin's configuration, for its unit tests. */
#ifndef CCNI_PLUGIN_TUNING_H
#define CCNI_PLUGIN_TUNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/plugin.h>

#define TUNING_DEFAULT_DATA_DIR "/run/cni/tuning"
#define TUNING_ALLOWLIST "/etc/cni/tuning/allowlist.conf"
#define TUNING_MAX_SYSCTLS 256

struct tuning_conf {
	const char *data_dir; /* borrowed from the config, or the default */
	json_t *sysctl;	      /* owned: key -> string, config merged with args.cni */
	bool has_mac;
	uint8_t mac[6];
	bool promisc;
	unsigned mtu;	  /* 0: leave as is */
	int allmulti;	  /* -1: leave as is */
	long long txqlen; /* -1: leave as is */
};

/* Read the config, args.cni, runtimeConfig and CNI_ARGS of a request. For ADD
 * and CHECK the sysctl keys are checked too (net.* only, no ".."). */
int tuning_conf_parse(const struct ccni_request *req, struct tuning_conf *c,
		      struct ccni_error *err);
void tuning_conf_clear(struct tuning_conf *c);

/* A sysctl key ("net.ipv4.conf.IFNAME.arp_filter") as a path under /proc/sys
 * ("net/ipv4/conf/eth0/arp_filter"), IFNAME standing for ifname. */
int tuning_sysctl_path(const char *key, const char *ifname, char *out, size_t len,
		       struct ccni_error *err);
/* The same key twice in a top-level "sysctl" object of the config text. */
int tuning_sysctl_dups(const char *data, size_t len, struct ccni_error *err);
/* Every key must match a regular expression of the allow-list file, when
 * that file exists. */
int tuning_allowlist_check(const char *file, json_t *sysctl, struct ccni_error *err);

/* GC (tuning-gc.c): the backups of the network's attachments that are not
 * valid, and temporary files of writers that died. */
int tuning_gc(const struct ccni_request *req, struct ccni_result **out, struct ccni_error *err);

#endif
