/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hd-conf.c — host-device's configuration, as the reference reads it: the
 * device by one of "device", "hwaddr", "kernelpath", "pciBusID" or the
 * runtime's deviceID (a PCI address or an auxiliary-bus device), the IPAM
 * type (optional), and what sysfs says of those devices: the network device
 * a kernel path, a PCI or an auxiliary device holds, and whether a PCI
 * device is bound to a userspace (DPDK) driver, which leaves it where it is.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ccni/conf.h>
#include <ccni/ip.h>

#include "lib/common/cleanup.h"
#include "plugins/main/host-device/hd.h"

#define SYSFS_PATH_MAX 512

/* The drivers that give a PCI device to userspace (the reference's list). */
static const char *const userspace_drivers[] = { "vfio-pci", "uio_pci_generic", "igb_uio" };

/* A sysfs name of a PCI or auxiliary-bus device: "0000:3d:00.1",
 * "mlx5_core.sf.4". Letters, digits, '_', '-', '.', ':', no "..". */
static bool bus_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !strchr("_-.:", *p))
			return false;
	return true;
}

/* "/sys/devices/...", absolute, without "." or ".." components. */
static bool kernelpath_valid(const char *s)
{
	if (strncmp(s, "/sys/devices/", 13) != 0 || strlen(s) > SYSFS_PATH_MAX - 64)
		return false;
	for (const char *p = s; (p = strstr(p, "/.")); p++)
		if (p[2] == '\0' || p[2] == '/' || (p[2] == '.' && (p[3] == '\0' || p[3] == '/')))
			return false;
	return true;
}

static int get_keys(const struct ccni_request *req, struct hd_conf *c, struct ccni_error *err)
{
	json_t *cf = req->config;

	if (CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "device", &c->device, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "hwaddr", &c->hwaddr, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "kernelpath", &c->kernelpath,
							  err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(cf, "", "pciBusID", &c->pci, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_json_get_string(req->runtime_config, "runtimeConfig",
							  "deviceID", &c->device_id, err)) < 0)
		return -1;
	/* an empty string is no value, as in the reference */
	const char **keys[] = { &c->device, &c->hwaddr, &c->kernelpath, &c->pci, &c->device_id };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (*keys[i] && !**keys[i])
			*keys[i] = NULL;
	return 0;
}

/* Each key's value (a bad one a problem of its own when validating), and
 * one of them given. */
static int check_keys(const struct ccni_request *req, struct hd_conf *c, struct ccni_error *err)
{
	const int bad = CCNI_ERR_INVALID_CONFIG;

	if ((c->device && !ccni_ifname_valid(c->device) &&
	     ccni_conf_error(req, err, bad, "device: invalid interface name \"%.32s\"",
			     c->device) < 0) ||
	    (c->hwaddr && ccni_mac_parse_any(c->hwaddr, c->mac) < 0 &&
	     ccni_conf_error(req, err, bad, "hwaddr: invalid MAC address \"%.32s\"", c->hwaddr) < 0))
		return -1;
	if (c->kernelpath && !kernelpath_valid(c->kernelpath) &&
	    ccni_conf_error(req, err, bad,
			    "kernelpath: \"%.96s\" must be absolute, begin with /sys/devices/ and "
			    "have no \".\" or \"..\" components",
			    c->kernelpath) < 0)
		return -1;
	if ((c->pci && !bus_id_valid(c->pci) &&
	     ccni_conf_error(req, err, bad, "pciBusID: invalid PCI address \"%.64s\"", c->pci) < 0) ||
	    (c->device_id && !bus_id_valid(c->device_id) &&
	     ccni_conf_error(req, err, bad,
			     "runtimeConfig.deviceID: invalid device \"%.64s\" (a PCI address or "
			     "an auxiliary-bus device name)",
			     c->device_id) < 0))
		return -1;
	if (!c->device && !c->hwaddr && !c->kernelpath && !c->pci && !c->device_id)
		return ccni_conf_error(req, err, bad,
				       "specify either \"device\", \"hwaddr\", \"kernelpath\" or "
				       "\"pciBusID\"");
	return 0;
}

/* ours (the reference keeps no record): where the records go */
static int get_data_dir(const struct ccni_request *req, struct hd_conf *c, struct ccni_error *err)
{
	if (ccni_json_get_string(req->config, "", "dataDir", &c->state_dir, err) < 0)
		return -1;
	if (!c->state_dir || !*c->state_dir)
		c->state_dir = HD_STATE_DIR;
	if (c->state_dir[0] != '/' || strstr(c->state_dir, "/..") || strlen(c->state_dir) > 1024)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "dataDir: \"%.64s\" must be an absolute path of at most 1024 "
				      "bytes without \"..\"",
				      c->state_dir);
	return 0;
}

int hd_conf_parse(const struct ccni_request *req, struct hd_conf *c, struct ccni_error *err)
{
	memset(c, 0, sizeof(*c));
	c->state_dir = HD_STATE_DIR;
	if (get_keys(req, c, err) < 0 || check_keys(req, c, err) < 0 ||
	    CCNI_CONF_TRY(req, err, ccni_request_ipam_type_optional(req, &c->ipam_type, err)) < 0 ||
	    CCNI_CONF_TRY(req, err, get_data_dir(req, c, err)) < 0)
		return -1;
	/* Only ADD and CHECK need to know the device; DEL finds it by what
	 * ADD did, and must work when the PCI device is gone. `ccni validate`
	 * checks the config, not this node's devices (it may run elsewhere). */
	if ((req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_CHECK) && !req->validation &&
	    hd_conf_resolve(c, "/sys", err) < 0)
		return -1;
	c->attach = (struct attach_conf){ .ipam_type = c->ipam_type, .no_link = c->dpdk };
	return 0;
}

/* `ccni validate`: the keys host-device reads. */
const char *const hd_keys[] = {
	"device", "hwaddr", "kernelpath", "pciBusID", "dataDir", "ipam.type", NULL,
};

/* --- sysfs ---------------------------------------------------------------------- */

static bool exists(const char *fmt, const char *sys, const char *name)
{
	char p[SYSFS_PATH_MAX];
	struct stat st;

	return snprintf(p, sizeof(p), fmt, sys, name) < (int)sizeof(p) && stat(p, &st) == 0;
}

/* Is the PCI device's driver one that hands it to userspace? */
static int pci_dpdk(const char *sys, const char *pci, bool *dpdk, struct ccni_error *err)
{
	char link[SYSFS_PATH_MAX], real[PATH_MAX];
	const char *drv;

	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s/driver", sys, pci);
	if (!realpath(link, real))
		return ccni_error_errno(err, CCNI_ERR_INVALID_CONFIG, errno,
					"pciBusID: PCI device \"%s\": no driver (%s)", pci, link);
	drv = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	*dpdk = false;
	for (size_t i = 0; i < sizeof(userspace_drivers) / sizeof(userspace_drivers[0]); i++)
		*dpdk |= strcmp(drv, userspace_drivers[i]) == 0;
	return 0;
}

int hd_conf_resolve(struct hd_conf *c, const char *sys, struct ccni_error *err)
{
	if (c->device_id) {
		if (exists("%s/bus/pci/devices/%s", sys, c->device_id)) {
			c->pci = c->device_id;
		} else if (exists("%s/bus/auxiliary/devices/%s", sys, c->device_id)) {
			c->pci = NULL;
			c->aux = c->device_id;
		} else {
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "runtimeConfig.deviceID: \"%s\" is neither a PCI device "
					      "(%s/bus/pci/devices) nor an auxiliary-bus device "
					      "(%s/bus/auxiliary/devices)",
					      c->device_id, sys, sys);
		}
	}
	return c->pci ? pci_dpdk(sys, c->pci, &c->dpdk, err) : 0;
}

/* The first entry (by name, as Go's os.ReadDir) of dir into name. 1 when
 * it has none, -1 when it cannot be read. */
static int first_entry(const char *dir, char name[LINK_NAME_MAX])
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), rc = 1;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 1 && strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0 && ccni_ifname_valid(ents[i]->d_name)) {
			snprintf(name, LINK_NAME_MAX, "%.15s", ents[i]->d_name);
			rc = 0;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* A virtio device's net/ is one level further down: DEV/virtio*<N>/net. */
static int virtio_net_dir(const char *dev, char *out, size_t len)
{
	char pat[SYSFS_PATH_MAX + 16];
	glob_t g;
	int rc = -1;

	snprintf(pat, sizeof(pat), "%s/virtio*/net", dev);
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(out, len, "%s", g.gl_pathv[0]);
		rc = 0;
	}
	globfree(&g);
	return rc;
}

int hd_sysfs_netdev(const struct hd_conf *c, const char *sys, char name[LINK_NAME_MAX],
		    struct ccni_error *err)
{
	char dev[SYSFS_PATH_MAX], dir[SYSFS_PATH_MAX + 16];
	const char *key = c->kernelpath ? "kernelpath" : c->pci ? "pciBusID" :
				      "runtimeConfig.deviceID";
	const char *val = c->kernelpath ? c->kernelpath : c->pci ? c->pci : c->aux;
	struct stat st;
	int rc;

	if (c->kernelpath) /* "/sys/devices/..." under sys */
		snprintf(dev, sizeof(dev), "%s%s", sys, c->kernelpath + 4);
	else
		snprintf(dev, sizeof(dev), "%s/bus/%s/devices/%s", sys, c->pci ? "pci" : "auxiliary",
			 val);
	snprintf(dir, sizeof(dir), "%s/net", dev);
	if (c->pci && lstat(dir, &st) < 0 && virtio_net_dir(dev, dir, sizeof(dir)) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "pciBusID: no network device under PCI device \"%s\" (no %s "
				      "or %s/virtio*/net)",
				      val, dir, dev);
	rc = first_entry(dir, name);
	if (rc < 0)
		return ccni_error_errno(err, CCNI_ERR_INVALID_CONFIG, errno,
					"%s: \"%s\": cannot read %s", key, val, dir);
	if (rc > 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s: \"%s\": no network device in %s", key, val, dir);
	return 0;
}
