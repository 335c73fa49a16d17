/* SPDX-License-Identifier: Apache-2.0 */
/* host-device's parts without the kernel: the configuration and its errors,
 * finding the device in a sysfs tree made here (PCI devices with kernel,
 * virtio and userspace drivers, an auxiliary-bus device, a kernel path),
 * and the records (write, read, refuse what is not a regular file, GC). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/util.h"
#include "tests/unit/helpers.h"
#include "plugins/main/host-device/hd.h"

static char root[64]; /* the fake sysfs */

/* DEL: the keys only, no sysfs look-ups. */
TEST_CONF_PARSER(struct hd_conf, hd_conf_parse, CCNI_CMD_DEL)

#define HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"host-device\""
#define BAD(conf, sub) expect_err(conf, NULL, CCNI_ERR_INVALID_CONFIG, sub)

static void test_keys(void **state)
{
	struct hd_conf c;
	struct ccni_error e = CCNI_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(HEAD ",\"device\":\"eth5\"}", &c, &e), 0);
	assert_string_equal(c.device, "eth5");
	assert_null(c.ipam_type);
	assert_string_equal(c.state_dir, HD_STATE_DIR);
	assert_int_equal(parse(HEAD ",\"hwaddr\":\"02-AA-bb-00-00-01\",\"dataDir\":\"/tmp/x\","
				    "\"ipam\":{\"type\":\"host-local\"}}",
			       &c, &e),
			 0);
	assert_memory_equal(c.mac, ((uint8_t[]){ 2, 0xaa, 0xbb, 0, 0, 1 }), 6);
	assert_string_equal(c.ipam_type, "host-local");
	assert_string_equal(c.state_dir, "/tmp/x");
	assert_int_equal(parse(HEAD ",\"pciBusID\":\"0000:3d:00.1\",\"device\":\"\",\"ipam\":{}}",
			       &c, &e),
			 0);
	assert_null(c.device); /* "" is no value */
	assert_null(c.ipam_type);
	assert_string_equal(c.pci, "0000:3d:00.1");
	assert_int_equal(parse(HEAD ",\"runtimeConfig\":{\"deviceID\":\"mlx5_core.sf.4\"}}", &c, &e),
			 0);
	assert_string_equal(c.device_id, "mlx5_core.sf.4");
	assert_int_equal(parse(HEAD ",\"kernelpath\":\"/sys/devices/pci0000:00/0000:00:1f.6\"}",
			       &c, &e),
			 0);
}

static void test_bad_keys(void **state)
{
	(void)state;
	BAD(HEAD "}", "specify either \"device\", \"hwaddr\", \"kernelpath\" or \"pciBusID\"");
	BAD(HEAD ",\"device\":\"\"}", "specify either");
	BAD(HEAD ",\"device\":\"a/b\"}", "device: invalid interface name \"a/b\"");
	BAD(HEAD ",\"device\":\"0123456789abcdef\"}", "device: invalid interface name");
	BAD(HEAD ",\"device\":5}", "device");
	BAD(HEAD ",\"hwaddr\":\"02:00\"}", "hwaddr: invalid MAC address \"02:00\"");
	BAD(HEAD ",\"kernelpath\":\"/proc/1\"}", "kernelpath: \"/proc/1\" must be absolute");
	BAD(HEAD ",\"kernelpath\":\"/sys/devices/../../etc\"}", "kernelpath");
	BAD(HEAD ",\"kernelpath\":\"/sys/devices/x/..\"}", "kernelpath");
	BAD(HEAD ",\"kernelpath\":\"/sys/devices/./x\"}", "kernelpath");
	BAD(HEAD ",\"pciBusID\":\"../../x\"}", "pciBusID: invalid PCI address \"../../x\"");
	BAD(HEAD ",\"pciBusID\":\"0000:00:01.0/x\"}", "pciBusID: invalid PCI address");
	BAD(HEAD ",\"runtimeConfig\":{\"deviceID\":\"a/b\"}}",
		   "runtimeConfig.deviceID: invalid device \"a/b\"");
	BAD(HEAD ",\"device\":\"eth0\",\"dataDir\":\"run/x\"}", "dataDir: \"run/x\"");
	BAD(HEAD ",\"device\":\"eth0\",\"dataDir\":\"/run/../etc\"}", "dataDir");
	BAD(HEAD ",\"device\":\"eth0\",\"ipam\":[]}", "ipam");
}

/* --- a sysfs tree ------------------------------------------------------------------ */

static void mk(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(util_mkdir_p(p, 0755), 0);
}

static void ln(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int make_tree(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ccni-hd-sys.XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("bus/pci/drivers/ixgbe");
	mk("bus/pci/drivers/vfio-pci");
	mk("bus/pci/drivers/virtio-pci");
	mk("bus/pci/devices/0000:01:00.0/net/ens1f0");
	ln("../../drivers/ixgbe", "bus/pci/devices/0000:01:00.0/driver");
	mk("bus/pci/devices/0000:02:00.0");
	ln("../../drivers/vfio-pci", "bus/pci/devices/0000:02:00.0/driver");
	mk("bus/pci/devices/0000:03:00.0/virtio5/net/eth7");
	ln("../../drivers/virtio-pci", "bus/pci/devices/0000:03:00.0/driver");
	mk("bus/pci/devices/0000:04:00.0/net");
	ln("../../drivers/ixgbe", "bus/pci/devices/0000:04:00.0/driver");
	mk("bus/pci/devices/0000:05:00.0");
	mk("bus/auxiliary/devices/mlx5_core.sf.4/net/enp3s0f0s4");
	mk("devices/pci0000:00/0000:00:1f.6/net/eno2");
	mk("devices/pci0000:00/0000:00:1f.6/net/eno1");
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Resolve and find the device of conf in the tree: 0 and name, or -1 and
 * the message in msg. */
static int find(const char *conf, struct hd_conf *c, char name[LINK_NAME_MAX], char *msg)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	int rc;

	assert_int_equal(parse(conf, c, &e), 0);
	rc = hd_conf_resolve(c, root, &e);
	if (rc == 0 && !c->dpdk)
		rc = hd_sysfs_netdev(c, root, name, &e);
	snprintf(msg, 256, "%s", rc < 0 ? e.msg : "");
	ccni_error_clear(&e);
	return rc;
}

static void test_sysfs(void **state)
{
	struct hd_conf c;
	char name[LINK_NAME_MAX], msg[256];

	(void)state;
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:01:00.0\"}", &c, name, msg), 0);
	assert_string_equal(name, "ens1f0");
	assert_false(c.dpdk);
	/* a virtio device's network device is one level down */
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:03:00.0\"}", &c, name, msg), 0);
	assert_string_equal(name, "eth7");
	/* bound to vfio-pci: DPDK, nothing to move */
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:02:00.0\"}", &c, name, msg), 0);
	assert_true(c.dpdk);
	/* the runtime's deviceID overrides pciBusID; PCI first, then auxiliary */
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:01:00.0\",\"runtimeConfig\":"
				   "{\"deviceID\":\"0000:03:00.0\"}}",
			      &c, name, msg),
			 0);
	assert_string_equal(name, "eth7");
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:01:00.0\",\"runtimeConfig\":"
				   "{\"deviceID\":\"mlx5_core.sf.4\"}}",
			      &c, name, msg),
			 0);
	assert_null(c.pci);
	assert_string_equal(c.aux, "mlx5_core.sf.4");
	assert_string_equal(name, "enp3s0f0s4");
	/* a kernel path's first network device by name */
	assert_int_equal(find(HEAD ",\"kernelpath\":\"/sys/devices/pci0000:00/0000:00:1f.6\"}", &c,
			      name, msg),
			 0);
	assert_string_equal(name, "eno1");
}

static void test_sysfs_errors(void **state)
{
	struct hd_conf c;
	char name[LINK_NAME_MAX], msg[256];

	(void)state;
	assert_int_equal(find(HEAD ",\"runtimeConfig\":{\"deviceID\":\"nope\"}}", &c, name, msg), -1);
	assert_non_null(strstr(msg, "runtimeConfig.deviceID: \"nope\" is neither a PCI device"));
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:05:00.0\"}", &c, name, msg), -1);
	assert_non_null(strstr(msg, "pciBusID: PCI device \"0000:05:00.0\": no driver"));
	assert_int_equal(find(HEAD ",\"pciBusID\":\"0000:04:00.0\"}", &c, name, msg), -1);
	assert_non_null(strstr(msg, "pciBusID: \"0000:04:00.0\": no network device in"));
	assert_int_equal(find(HEAD ",\"kernelpath\":\"/sys/devices/pci0000:00/none\"}", &c, name,
			      msg),
			 -1);
	assert_non_null(strstr(msg, "kernelpath: \"/sys/devices/pci0000:00/none\": cannot read"));
}

/* --- records ----------------------------------------------------------------------- */

static int gc_calls;
static void on_gc(const struct hd_state *s, const char *ifname, void *arg)
{
	(void)arg;
	assert_string_equal(s->device, "eth9");
	assert_string_equal(ifname, "net2");
	gc_calls++;
}

static void test_records(void **state)
{
	struct hd_state w = { .device = "eth5", .mtu = 9000, .up = true, .ifindex = 7,
			      .host_ifindex = 3 },
			r;
	struct ccni_error e = CCNI_ERROR_INIT;
	char dir[128], p[200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/records", root);
	test_request_free(&last);
	test_request_init(&last, CCNI_CMD_ADD, HEAD ",\"device\":\"eth5\"}", NULL);
	assert_int_equal(hd_state_read(dir, "net1", "ctr1", "eth0", &r, &e), 1);
	assert_int_equal(hd_state_write(dir, &last.r, &w, &e), 0);
	assert_int_equal(hd_state_read(dir, "net1", "ctr1", "eth0", &r, &e), 0);
	assert_string_equal(r.device, "eth5");
	assert_int_equal(r.mtu, 9000);
	assert_true(r.up);
	assert_int_equal(r.ifindex, 7);
	assert_int_equal(r.host_ifindex, 3);
	/* a symlink or a FIFO where a record should be is refused */
	snprintf(p, sizeof(p), "%s/net1/ctr2:eth0.json", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(hd_state_read(dir, "net1", "ctr2", "eth0", &r, &e), -1);
	ccni_error_clear(&e);
	snprintf(p, sizeof(p), "%s/net1/ctr3:eth0.json", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(hd_state_read(dir, "net1", "ctr3", "eth0", &r, &e), -1);
	ccni_error_clear(&e);
	unlink(p);
	snprintf(p, sizeof(p), "%s/net1/ctr2:eth0.json", dir);
	unlink(p);
	/* GC: the valid attachment's record stays, the other goes */
	last.r.ifname = "net2";
	last.r.container_id = "gone";
	snprintf(w.device, sizeof(w.device), "eth9");
	assert_int_equal(hd_state_write(dir, &last.r, &w, &e), 0);
	json_t *valid = json_pack("[{s:s,s:s}]", "containerID", "ctr1", "ifname", "eth0");
	last.r.valid_attachments = valid;
	assert_int_equal(hd_state_gc(dir, &last.r, on_gc, NULL, &e), 0);
	json_decref(valid);
	assert_int_equal(gc_calls, 1);
	assert_int_equal(hd_state_read(dir, "net1", "gone", "net2", &r, &e), 1);
	assert_int_equal(hd_state_read(dir, "net1", "ctr1", "eth0", &r, &e), 0);
	assert_int_equal(hd_state_remove(dir, "net1", "ctr1", "eth0", &e), 0);
	assert_int_equal(hd_state_remove(dir, "net1", "ctr1", "eth0", &e), 0);
	assert_int_equal(hd_state_read(dir, "net1", "ctr1", "eth0", &r, &e), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_sysfs),
		cmocka_unit_test(test_sysfs_errors),
		cmocka_unit_test(test_records),
	};
	int rc = cmocka_run_group_tests(tests, make_tree, remove_tree);

	test_request_free(&last);
	return rc;
}
