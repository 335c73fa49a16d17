/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hd.h — the host-device plugin's parts: its configuration and how it finds
 * the device (hd-conf.c), the record of what the device was on the host
 * (hd-state.c), and the verbs (host-device.c). Declared here for the unit
 * tests.
 */
#ifndef CCNI_HD_H
#define CCNI_HD_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/plugin.h>

#include "net/attach.h"
#include "net/link.h"

/* Where the record of each moved device lives (a tmpfs: a device is back
 * under its own name after a reboot). */
#define HD_STATE_DIR "/run/cni/host-device"

struct hd_conf {
	const char *device;	/* "device": the host's name for it */
	const char *hwaddr;	/* "hwaddr", as given */
	uint8_t mac[6];		/* and parsed */
	const char *kernelpath; /* "kernelpath": /sys/devices/... */
	const char *pci;	/* "pciBusID", or a PCI runtimeConfig.deviceID */
	const char *aux;	/* an auxiliary-bus runtimeConfig.deviceID */
	const char *device_id;	/* runtimeConfig.deviceID as given */
	bool dpdk;		/* pci is bound to a userspace driver: not moved */
	const char *ipam_type;
	const char *state_dir;	/* "dataDir" (ours): the records (HD_STATE_DIR) */
	struct attach_conf attach;
};

/* The config's keys; for ADD and CHECK also what sysfs (under sys, "/sys")
 * says of a deviceID (a PCI or an auxiliary-bus device) and of the PCI
 * device's driver. */
int hd_conf_parse(const struct ccni_request *req, struct hd_conf *c, struct ccni_error *err);
int hd_conf_resolve(struct hd_conf *c, const char *sys, struct ccni_error *err);
/* The keys hd_conf_parse reads, for `ccni validate`. */
extern const char *const hd_keys[];

/* The name of the network device under kernelpath, the PCI device or the
 * auxiliary device (the first in its net/ directory, as the reference), in
 * the namespace sysfs shows. */
int hd_sysfs_netdev(const struct hd_conf *c, const char *sys, char name[LINK_NAME_MAX],
		    struct ccni_error *err);

/* What the device was on the host, kept from ADD to DEL (and GC). */
struct hd_state {
	char device[LINK_NAME_MAX]; /* its host name (also its alias in the container) */
	unsigned mtu;
	bool up;
	int ifindex;	  /* its index in the container */
	int host_ifindex; /* and on the host */
};

/* DIR/NETWORK/CONTAINERID:IFNAME.json (':' is in neither). */
int hd_state_write(const char *dir, const struct ccni_request *req, const struct hd_state *s,
		   struct ccni_error *err);
/* 0 and *s; 1 when there is no record; -1 on error. */
int hd_state_read(const char *dir, const char *network, const char *cid, const char *ifname,
		  struct hd_state *s, struct ccni_error *err);
int hd_state_remove(const char *dir, const char *network, const char *cid, const char *ifname,
		    struct ccni_error *err);
/* GC: each record of req's network whose attachment is not valid, to fn
 * (which puts the device back if it came back to the host), then removed. */
int hd_state_gc(const char *dir, const struct ccni_request *req,
		void (*fn)(const struct hd_state *s, const char *ifname, void *arg), void *arg, struct ccni_error *err);

#endif
