/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin side of `ccni validate`: a parser run alone reports every
 * problem, unknown keys are warnings with a suggestion, an IPAM plugin built
 * into the same executable is validated too, facts are published, and a
 * verb's parse still stops at the first problem. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/util.h"
#include "plugins/ipam/host-local/hl.h"
#include "plugins/main/bridge/bridge.h"

extern const struct ccni_plugin plugin_bridge;

static const struct ccni_plugin *lookup(const char *type)
{
	return strcmp(type, "host-local") == 0 ? &plugin_host_local : NULL;
}

/* Run validation of plugin on conf; the printed JSON. */
static json_t *validate(const struct ccni_plugin *plugin, const char *conf)
{
	int in = memfd_create("in", 0), out = memfd_create("out", 0);
	size_t len;
	char *text;
	json_t *j;
	json_error_t je;

	assert_true(in >= 0 && out >= 0);
	assert_int_equal(util_write_all(in, conf, strlen(conf)), 0);
	lseek(in, 0, SEEK_SET);
	assert_int_equal(ccni_plugin_validate(plugin, in, out), 0);
	lseek(out, 0, SEEK_SET);
	text = util_read_fd(out, 1 << 20, &len);
	j = json_loads(text, 0, &je);
	if (!j)
		fail_msg("not JSON (%s): %s", je.text, text);
	free(text);
	close(in);
	close(out);
	return j;
}

/* The problems as "severity: message" lines. */
static char *lines(json_t *j)
{
	static char buf[8192];
	size_t i, off = 0;
	json_t *p;

	buf[0] = '\0';
	json_array_foreach(json_object_get(j, "problems"), i, p)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s: %s\n",
					json_string_value(json_object_get(p, "severity")),
					json_string_value(json_object_get(p, "message")));
	return buf;
}

static void test_every_problem_of_a_bridge_config(void **state)
{
	json_t *j;

	(void)state;
	unsetenv("CNI_PATH");
	j = validate(&plugin_bridge,
		     "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipMask\":true,"
		     "\"mtu\":\"x\",\"isGateway\":\"yes\",\"hairpinMode\":true,\"promiscMode\":true,"
		     "\"vlanTrunk\":[{\"minID\":9,\"maxID\":5},{\"id\":5000}],"
		     "\"ipam\":{\"type\":\"host-local\",\"whatever\":1}}");
	assert_string_equal(lines(j),
			    "error: isGateway: expected true or false, got string \"yes\"\n"
			    "error: mtu: expected an integer, got string \"x\"\n"
			    "error: vlanTrunk[0]: minID 9 is greater than maxID 5\n"
			    "error: vlanTrunk[1].id: 5000 is out of range [1, 4094]\n"
			    "error: promiscMode: hairpinMode and promiscMode cannot both be set\n"
			    "warning: ipMask: unknown key of bridge (did you mean \"ipMasq\"?)\n");
	assert_true(json_is_true(json_object_get(j, "validated")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "facts"), "bridge")),
			    "cni0");
	json_decref(j);
}

/* host-local in CNI_PATH is this very executable: its parser runs too. */
static void test_ipam_built_in_is_validated(void **state)
{
	char dir[] = "/tmp/ccni-validate.XXXXXX", link[64], self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat a, b;
	json_t *j, *facts;

	(void)state;
	assert_true(n > 0);
	self[n] = '\0';
	/* Under valgrind /proc/self/exe is valgrind's tool, not this program:
	 * nothing could be "this very executable". */
	if (stat(self, &a) < 0 || stat("/proc/self/exe", &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/host-local", dir);
	assert_int_equal(symlink(self, link), 0);
	setenv("CNI_PATH", dir, 1);
	ccni_plugin_set_builtins(lookup);
	j = validate(&plugin_bridge,
		     "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"bridge\":\"br9\","
		     "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"/x\",\"ranges\":["
		     "[{\"subnet\":\"10.1.2.300/24\",\"gateway\":\"nope\"},{\"subnet\":\"10.1.0.0/16\"},"
		     "{\"subnet\":\"10.1.4.0/24\"}],[{\"subnet\":\"10.1.5.0/24\",\"rangeStrat\":\"1\"}]],"
		     "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"::1\"}]}}");
	assert_string_equal(lines(j),
			    "error: ipam.ranges[0][0].subnet: invalid CIDR \"10.1.2.300/24\"\n"
			    "error: ipam.ranges[0][0].gateway: invalid IP address \"nope\"\n"
			    "error: ipam.ranges[0][2]: 10.1.4.0/24 overlaps with ipam.ranges[0][1] (10.1.0.0/16)\n"
			    "error: ipam.ranges[1][0]: 10.1.5.0/24 overlaps with ipam.ranges[0][1] (10.1.0.0/16)\n"
			    "error: ipam.routes[0].gw: not of the family of dst 0.0.0.0/0\n"
			    "warning: ipam.ranges[1][0].rangeStrat: unknown key of host-local (did "
			    "you mean \"rangeStart\"?)\n");
	facts = json_object_get(j, "facts");
	assert_string_equal(json_string_value(json_object_get(facts, "bridge")), "br9");
	assert_string_equal(json_string_value(json_object_get(facts, "store")), "/x/n");
	assert_int_equal(json_array_size(json_object_get(facts, "ranges")), 3);
	json_decref(j);
	ccni_plugin_set_builtins(NULL);
	unsetenv("CNI_PATH");
	unlink(link);
	rmdir(dir);
}

static void test_plugin_without_a_validator(void **state)
{
	static const struct ccni_plugin bare = { .name = "bare" };
	json_t *j;

	(void)state;
	j = validate(&bare, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bare\",\"x\":1}");
	assert_true(json_is_false(json_object_get(j, "validated")));
	assert_string_equal(lines(j), "");
	json_decref(j);
	/* What every verb checks first is reported as it is. */
	j = validate(&bare, "{\"cniVersion\":\"1.0.0\",\"name\":\"a b\",\"type\":\"bare\"}");
	assert_string_equal(lines(j), "error: name: invalid network name \"a b\" (letters, digits, "
				      "'_', '.', '-'; starting with a letter or digit)\n");
	json_decref(j);
}

/* Outside validation the parser stops at the first problem, unchanged. */
static void test_verbs_still_stop_at_the_first_problem(void **state)
{
	struct ccni_request req = { .command = CCNI_CMD_ADD };
	struct ccni_error err = CCNI_ERROR_INIT;
	struct bridge_conf b;

	(void)state;
	req.config = json_loads("{\"mtu\":\"x\",\"isGateway\":1}", 0, NULL);
	assert_int_equal(bridge_conf_parse(&req, &b, &err), -1);
	assert_string_equal(err.msg, "isGateway: expected true or false, got integer 1");
	ccni_error_clear(&err);
	assert_int_equal(ccni_conf_error(&req, &err, 7, "mtu: bad"), -1);
	assert_string_equal(err.msg, "mtu: bad");
	ccni_error_clear(&err);
	ccni_conf_warning(&req, "nothing happens");
	ccni_conf_fact(&req, "bridge", json_string("x")); /* the reference is dropped */
	json_decref(req.config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_problem_of_a_bridge_config),
		cmocka_unit_test(test_ipam_built_in_is_validated),
		cmocka_unit_test(test_plugin_without_a_validator),
		cmocka_unit_test(test_verbs_still_stop_at_the_first_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
