/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Results in and out of every spec version: known vectors (text in, exact
 * JSON out), round trips, conversion across every pair of versions, the
 * 0.2.0 ip4/ip6 split, and malformed input with its error code and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ccni/result.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"

static const char *const versions[] = {"0.1.0", "0.2.0", "0.3.0", "0.3.1",
				       "0.4.0", "1.0.0", "1.1.0"};

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		fail_msg("bad test JSON at %d:%d: %s\n%s", e.line, e.column, e.text, text);
	return j;
}

static struct ccni_result *decode_ok(const char *text, const char *version)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_result *r = NULL;

	if (ccni_result_decode_text(text, strlen(text), version, &r, &err) < 0)
		fail_msg("decode failed (%d): %s\n%s", err.code, err.msg, text);
	assert_non_null(r);
	return r;
}

static json_t *encode_ok(const struct ccni_result *r, const char *version)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	json_t *j = ccni_result_encode(r, version, &err);

	if (!j)
		fail_msg("encode as %s failed (%d): %s", version ? version : "(own)", err.code,
			 err.msg);
	assert_int_equal(err.code, 0);
	return j;
}

static void assert_json(json_t *got, const char *want_text)
{
	json_t *want = load(want_text);

	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);

		fail_msg("JSON differs\n got: %s\nwant: %s", g, w);
	}
	json_decref(want);
}

/* Decode `in` (as `vin` when it has no version), encode as `vout`, compare. */
static void convert_check(const char *in, const char *vin, const char *vout, const char *want)
{
	struct ccni_result *r = decode_ok(in, vin);
	json_t *j = encode_ok(r, vout);

	assert_json(j, want);
	json_decref(j);
	ccni_result_free(r);
}

/* Exact text of the compact dump: key order included. */
static void assert_dump(json_t *j, const char *want)
{
	char *s = json_dumps(j, JSON_COMPACT);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* --- fixtures ----------------------------------------------------------- */

/* Everything the 1.1.0 model can carry. */
static const char *const rich_110 =
    "{\"cniVersion\":\"1.1.0\","
    " \"interfaces\":["
    "  {\"name\":\"cni0\",\"mac\":\"aa:bb:cc:dd:ee:01\",\"mtu\":1500},"
    "  {\"name\":\"veth1\",\"mac\":\"aa:bb:cc:dd:ee:02\"},"
    "  {\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:03\",\"sandbox\":\"/var/run/netns/c1\","
    "   \"mtu\":9000,\"socketPath\":\"/run/vhost-user.sock\",\"pciID\":\"0000:00:1f.6\"}],"
    " \"ips\":["
    "  {\"address\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\",\"interface\":2},"
    "  {\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"interface\":2},"
    "  {\"address\":\"10.2.0.5/24\"},"
    "  {\"address\":\"fd00:2::5/64\",\"interface\":0}],"
    " \"routes\":["
    "  {\"dst\":\"0.0.0.0/0\"},"
    "  {\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"
    "  {\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\",\"mtu\":1400,\"advmss\":1360,"
    "   \"priority\":10,\"table\":100,\"scope\":0},"
    "  {\"dst\":\"fd99::/16\",\"scope\":253}],"
    " \"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","
    "  \"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\",\"edns0\"]}}";

/* rich_110 as each older version sees it */
/* 1.0.0 and older have none of the 1.1.0 interface and route fields */
#define RICH_100(V)                                                                                \
	"{\"cniVersion\":\"" V "\","                                                               \
	" \"interfaces\":["                                                                        \
	"  {\"name\":\"cni0\",\"mac\":\"aa:bb:cc:dd:ee:01\"},"                                     \
	"  {\"name\":\"veth1\",\"mac\":\"aa:bb:cc:dd:ee:02\"},"                                    \
	"  {\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:03\",\"sandbox\":\"/var/run/netns/c1\"}],"  \
	" \"ips\":["                                                                               \
	"  {\"address\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\",\"interface\":2},"              \
	"  {\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"interface\":2},"                \
	"  {\"address\":\"10.2.0.5/24\"},"                                                         \
	"  {\"address\":\"fd00:2::5/64\",\"interface\":0}],"                                       \
	" \"routes\":["                                                                            \
	"  {\"dst\":\"0.0.0.0/0\"},"                                                               \
	"  {\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"                                               \
	"  {\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\"},"                                    \
	"  {\"dst\":\"fd99::/16\"}],"                                                              \
	" \"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","     \
	"  \"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\",\"edns0\"]}}"

#define RICH_04X(V)                                                                                \
	"{\"cniVersion\":\"" V "\","                                                               \
	" \"interfaces\":["                                                                        \
	"  {\"name\":\"cni0\",\"mac\":\"aa:bb:cc:dd:ee:01\"},"                                     \
	"  {\"name\":\"veth1\",\"mac\":\"aa:bb:cc:dd:ee:02\"},"                                    \
	"  {\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:03\",\"sandbox\":\"/var/run/netns/c1\"}],"  \
	" \"ips\":["                                                                               \
	"  "                                                                                       \
	"{\"version\":\"6\",\"address\":\"fd00:1::5/"                                              \
	"64\",\"gateway\":\"fd00:1::1\",\"interface\":2},"                                         \
	"  "                                                                                       \
	"{\"version\":\"4\",\"address\":\"10.1.0.5/"                                               \
	"16\",\"gateway\":\"10.1.0.1\",\"interface\":2},"                                          \
	"  {\"version\":\"4\",\"address\":\"10.2.0.5/24\"},"                                       \
	"  {\"version\":\"6\",\"address\":\"fd00:2::5/64\",\"interface\":0}],"                     \
	" \"routes\":["                                                                            \
	"  {\"dst\":\"0.0.0.0/0\"},"                                                               \
	"  {\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"                                               \
	"  {\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\"},"                                    \
	"  {\"dst\":\"fd99::/16\"}],"                                                              \
	" \"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","     \
	"  \"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\",\"edns0\"]}}"

/* 0.2.0: the first address of each family; routes by their family, dst and gw only */
#define RICH_02X(V)                                                                                \
	"{\"cniVersion\":\"" V "\","                                                               \
	" \"ip4\":{\"ip\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"routes\":["                   \
	"   {\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\"}]},"         \
	" \"ip6\":{\"ip\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\",\"routes\":["                 \
	"   {\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},{\"dst\":\"fd99::/16\"}]},"                    \
	" \"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","     \
	"  \"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\",\"edns0\"]}}"

static const char *rich_as(const char *v)
{
	if (streq(v, "1.1.0"))
		return rich_110;
	if (streq(v, "1.0.0"))
		return RICH_100("1.0.0");
	if (streq(v, "0.4.0"))
		return RICH_04X("0.4.0");
	if (streq(v, "0.3.1"))
		return RICH_04X("0.3.1");
	if (streq(v, "0.3.0"))
		return RICH_04X("0.3.0");
	if (streq(v, "0.2.0"))
		return RICH_02X("0.2.0");
	return RICH_02X("0.1.0");
}

/* --- tests ---------------------------------------------------------------- */

static void test_decode_model(void **state)
{
	struct ccni_result *r = decode_ok(rich_110, NULL);
	char b[CCNI_IPNET_STRLEN];

	(void)state;
	assert_string_equal(r->cni_version, "1.1.0");
	assert_int_equal(r->n_interfaces, 3);
	assert_string_equal(r->interfaces[2].name, "eth0");
	assert_string_equal(r->interfaces[2].sandbox, "/var/run/netns/c1");
	assert_int_equal(r->interfaces[2].mtu, 9000);
	assert_string_equal(r->interfaces[2].socket_path, "/run/vhost-user.sock");
	assert_string_equal(r->interfaces[2].pci_id, "0000:00:1f.6");
	assert_null(r->interfaces[1].sandbox);
	assert_null(r->interfaces[1].pci_id);
	assert_int_equal(r->n_ips, 4);
	assert_string_equal(ccni_ipnet_format(&r->ips[1].address, b), "10.1.0.5/16");
	assert_string_equal(ccni_ip_format(&r->ips[1].gateway, b), "10.1.0.1");
	assert_int_equal(r->ips[1].interface, 2);
	assert_int_equal(r->ips[2].interface, -1);
	assert_int_equal(r->ips[2].gateway.family, 0);
	assert_int_equal(r->n_routes, 4);
	assert_int_equal(r->routes[0].scope, -1);
	assert_int_equal(r->routes[0].gw.family, 0);
	assert_int_equal(r->routes[2].mtu, 1400);
	assert_int_equal(r->routes[2].advmss, 1360);
	assert_int_equal(r->routes[2].priority, 10);
	assert_int_equal(r->routes[2].table, 100);
	assert_int_equal(r->routes[2].scope, 0);
	assert_int_equal(r->routes[3].scope, 253);
	assert_int_equal(r->dns.n_nameservers, 2);
	assert_string_equal(r->dns.domain, "example.org");
	assert_int_equal(r->dns.n_search, 2);
	assert_int_equal(r->dns.n_options, 2);
	ccni_result_free(r);
}

/* Each version's form of the rich result decodes and encodes back to itself. */
static void test_round_trip_every_version(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		struct ccni_result *r = decode_ok(rich_as(versions[i]), NULL);
		json_t *j;

		assert_string_equal(r->cni_version, versions[i]);
		j = encode_ok(r, NULL);
		assert_json(j, rich_as(versions[i]));
		json_decref(j);
		ccni_result_free(r);
	}
}

/* The full model encoded as each version: what each version keeps. */
static void test_down_conversion_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++)
		convert_check(rich_110, NULL, versions[i], rich_as(versions[i]));
}

/*
 * Every pair (a, b): the model through a's form, then encoded as b.
 * Each version keeps at least what every older one keeps, so through a
 * newer form first loses nothing more than b itself does; through an older
 * form, b carries exactly what a kept, which encodes back to a's form.
 */
static void test_every_pair(void **state)
{
	struct ccni_result *m = decode_ok(rich_110, NULL);

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(versions); a++) {
		for (size_t b = 0; b < ARRAY_SIZE(versions); b++) {
			json_t *ja = encode_ok(m, versions[a]), *jb, *jback;
			struct ccni_error err = CCNI_ERROR_INIT;
			struct ccni_result *ra = NULL, *rb = NULL;

			assert_int_equal(ccni_result_decode(ja, NULL, &ra, &err), 0);
			assert_string_equal(ra->cni_version, versions[a]);
			jb = encode_ok(ra, versions[b]);
			assert_string_equal(json_string_value(json_object_get(jb, "cniVersion")),
					    versions[b]);
			if (a >= b)
				assert_json(jb, rich_as(versions[b]));
			/* and back down to a: a's form again */
			assert_int_equal(ccni_result_decode(jb, "0.1.0", &rb, &err), 0);
			jback = encode_ok(rb, versions[a]);
			if (a <= b && !json_equal(jback, ja)) {
				char *g = json_dumps(jback, JSON_COMPACT);

				fail_msg("%s -> %s -> %s: %s", versions[a], versions[b],
					 versions[a], g);
			}
			json_decref(ja);
			json_decref(jb);
			json_decref(jback);
			ccni_result_free(ra);
			ccni_result_free(rb);
		}
	}
	ccni_result_free(m);
}

static void test_up_conversion_vectors(void **state)
{
	(void)state;
	/* 0.2.0 -> 1.x: ips without interface, routes of both families at the top */
	convert_check(
	    "{\"cniVersion\":\"0.2.0\","
	    " \"ip4\":{\"ip\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\","
	    "  \"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\"}]},"
	    " \"ip6\":{\"ip\":\"fd00::2/64\",\"routes\":[{\"dst\":\"::/0\"}]},"
	    " \"dns\":{\"nameservers\":[\"10.0.0.53\"]}}",
	    NULL, "1.1.0",
	    "{\"cniVersion\":\"1.1.0\","
	    " \"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\"},"
	    "  {\"address\":\"fd00::2/64\"}],"
	    " \"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\"},{\"dst\":\"::/0\"}],"
	    " \"dns\":{\"nameservers\":[\"10.0.0.53\"]}}");
	/* 0.1.0 -> 0.4.0 */
	convert_check("{\"cniVersion\":\"0.1.0\",\"ip4\":{\"ip\":\"10.0.0.2/24\"},\"dns\":{}}",
		      NULL, "0.4.0",
		      "{\"cniVersion\":\"0.4.0\","
		      " \"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/24\"}],\"dns\":{}}");
	/* 0.3.1 -> 1.0.0: the version key goes, the interface index stays */
	convert_check(
	    "{\"cniVersion\":\"0.3.1\","
	    " \"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/ns\"}],"
	    " \"ips\":[{\"version\":\"6\",\"interface\":0,\"address\":\"fd00::2/64\","
	    "  \"gateway\":\"fd00::1\"}],"
	    " \"dns\":{}}",
	    NULL, "1.0.0",
	    "{\"cniVersion\":\"1.0.0\","
	    " \"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/ns\"}],"
	    " \"ips\":[{\"interface\":0,\"address\":\"fd00::2/64\",\"gateway\":\"fd00::1\"}],"
	    " \"dns\":{}}");
	/* 1.0.0 -> 1.1.0: the same shape; 1.1.0 fields read from 1.0.0 input survive */
	convert_check(RICH_100("1.0.0"), NULL, "1.1.0", RICH_100("1.1.0"));
	convert_check("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":9000}],"
		      " \"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":7}]}",
		      NULL, "1.1.0",
		      "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":9000}],"
		      " \"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":7}]}");
}

/* The 0.2.0 split: first IPv4 and first IPv6, routes by destination family. */
static void test_legacy_split(void **state)
{
	const char *in =
	    "{\"cniVersion\":\"1.1.0\","
	    " \"ips\":[{\"address\":\"10.0.0.2/24\"},{\"address\":\"10.0.1.2/24\","
	    "  \"gateway\":\"10.0.1.1\"}],"
	    " \"routes\":[{\"dst\":\"fd00::/8\"},{\"dst\":\"10.9.0.0/16\",\"mtu\":1300},"
	    "  {\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\",\"priority\":5}]}";
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_result *r;

	(void)state;
	/* IPv4 only: the IPv6 route has nowhere to go */
	convert_check(in, NULL, "0.2.0",
		      "{\"cniVersion\":\"0.2.0\","
		      " \"ip4\":{\"ip\":\"10.0.0.2/24\",\"routes\":[{\"dst\":\"10.9.0.0/16\"},"
		      "  {\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\"}]},"
		      " \"dns\":{}}");
	/* IPv6 only, without routes of its family: no "routes" key */
	convert_check("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"fd00::9/64\"}],"
		      " \"routes\":[{\"dst\":\"0.0.0.0/0\"}]}",
		      NULL, "0.1.0",
		      "{\"cniVersion\":\"0.1.0\",\"ip6\":{\"ip\":\"fd00::9/64\"},\"dns\":{}}");
	/* no address at all cannot be expressed before 0.3.0 */
	r = decode_ok("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"lo\"}]}", NULL);
	assert_null(ccni_result_encode(r, "0.2.0", &err));
	assert_int_equal(err.code, CCNI_ERR_INCOMPATIBLE_VERSION);
	assert_non_null(strstr(err.msg, "0.2.0"));
	ccni_error_clear(&err);
	ccni_result_free(r);
}

static void test_dns_presence(void **state)
{
	struct ccni_result *r = ccni_result_new("1.1.0");
	struct ccni_ipnet a;
	json_t *j;

	(void)state;
	assert_int_equal(ccni_ipnet_parse("10.0.0.2/24", &a), 0);
	assert_int_equal(ccni_result_add_ip(r, &a, NULL, -1), 0);
	/* 1.1.0: an empty dns is left out; older versions always print it */
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		j = encode_ok(r, versions[i]);
		if (ccni_version_cmp(versions[i], "1.1.0") >= 0)
			assert_null(json_object_get(j, "dns"));
		else
			assert_int_equal(json_object_size(json_object_get(j, "dns")), 0);
		json_decref(j);
	}
	/* an empty domain is no domain */
	r->dns.domain = strdup("");
	j = encode_ok(r, "1.1.0");
	assert_null(json_object_get(j, "dns"));
	json_decref(j);
	ccni_result_free(r);

	r = decode_ok("{\"cniVersion\":\"1.0.0\",\"dns\":{\"domain\":\"\",\"search\":[]}}", NULL);
	assert_null(r->dns.domain);
	assert_int_equal(r->dns.n_search, 0);
	ccni_result_free(r);
}

/* Key order as the reference prints: struct order up to 1.0.0, byte order in 1.1.0. */
static void test_key_order(void **state)
{
	struct ccni_result *r = decode_ok(rich_110, NULL);
	json_t *j;

	(void)state;
	j = encode_ok(r, "1.1.0");
	assert_dump(
	    j,
	    "{\"cniVersion\":\"1.1.0\","
	    "\"dns\":{\"domain\":\"example.org\",\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],"
	    "\"options\":[\"ndots:2\",\"edns0\"],\"search\":[\"a.example.org\",\"b.example.org\"]},"
	    "\"interfaces\":[{\"mac\":\"aa:bb:cc:dd:ee:01\",\"mtu\":1500,\"name\":\"cni0\"},"
	    "{\"mac\":\"aa:bb:cc:dd:ee:02\",\"name\":\"veth1\"},"
	    "{\"mac\":\"aa:bb:cc:dd:ee:03\",\"mtu\":9000,\"name\":\"eth0\",\"pciID\":\"0000:00:1f."
	    "6\","
	    "\"sandbox\":\"/var/run/netns/c1\",\"socketPath\":\"/run/vhost-user.sock\"}],"
	    "\"ips\":[{\"address\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\",\"interface\":2},"
	    "{\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"interface\":2},"
	    "{\"address\":\"10.2.0.5/24\"},{\"address\":\"fd00:2::5/64\",\"interface\":0}],"
	    "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"
	    "{\"advmss\":1360,\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\",\"mtu\":1400,"
	    "\"priority\":10,\"scope\":0,\"table\":100},{\"dst\":\"fd99::/16\",\"scope\":253}]}");
	json_decref(j);
	j = encode_ok(r, "0.4.0");
	assert_dump(
	    j,
	    "{\"cniVersion\":\"0.4.0\","
	    "\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"aa:bb:cc:dd:ee:01\"},"
	    "{\"name\":\"veth1\",\"mac\":\"aa:bb:cc:dd:ee:02\"},"
	    "{\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:03\",\"sandbox\":\"/var/run/netns/c1\"}],"
	    "\"ips\":[{\"version\":\"6\",\"interface\":2,\"address\":\"fd00:1::5/"
	    "64\",\"gateway\":\"fd00:1::1\"},"
	    "{\"version\":\"4\",\"interface\":2,\"address\":\"10.1.0.5/"
	    "16\",\"gateway\":\"10.1.0.1\"},"
	    "{\"version\":\"4\",\"address\":\"10.2.0.5/24\"},"
	    "{\"version\":\"6\",\"interface\":0,\"address\":\"fd00:2::5/64\"}],"
	    "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"
	    "{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\"},{\"dst\":\"fd99::/16\"}],"
	    "\"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","
	    "\"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\",\"edns0\"]}"
	    "}");
	json_decref(j);
	j = encode_ok(r, "0.2.0");
	assert_dump(
	    j, "{\"cniVersion\":\"0.2.0\","
	       "\"ip4\":{\"ip\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"routes\":"
	       "[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.0.254\"}]},"
	       "\"ip6\":{\"ip\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\",\"routes\":"
	       "[{\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},{\"dst\":\"fd99::/16\"}]},"
	       "\"dns\":{\"nameservers\":[\"10.1.0.53\",\"fd00:1::53\"],\"domain\":\"example.org\","
	       "\"search\":[\"a.example.org\",\"b.example.org\"],\"options\":[\"ndots:2\","
	       "\"edns0\"]}}");
	json_decref(j);
	ccni_result_free(r);
}

static void test_versions(void **state)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_result *r;
	json_t *j;

	(void)state;
	/* no cniVersion: the caller's version */
	r = decode_ok("{\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/24\"}]}", "0.4.0");
	assert_string_equal(r->cni_version, "0.4.0");
	assert_int_equal(r->n_ips, 1);
	ccni_result_free(r);
	r = decode_ok("{\"cniVersion\":\"\",\"ips\":[{\"address\":\"10.0.0.2/24\"}]}", "1.0.0");
	assert_string_equal(r->cni_version, "1.0.0");
	ccni_result_free(r);
	/* neither: 0.1.0, as the reference reads it */
	r = decode_ok("{\"ip4\":{\"ip\":\"10.0.0.2/24\"}}", NULL);
	assert_string_equal(r->cni_version, "0.1.0");
	assert_int_equal(r->n_ips, 1);
	ccni_result_free(r);
	/* the object's own version wins */
	r = decode_ok("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.0.0.2/24\"}}", "1.1.0");
	assert_string_equal(r->cni_version, "0.2.0");
	assert_int_equal(r->n_ips, 1);
	/* encode as an unknown version */
	assert_null(ccni_result_encode(r, "2.0.0", &err));
	assert_int_equal(err.code, CCNI_ERR_INCOMPATIBLE_VERSION);
	assert_non_null(strstr(err.msg, "\"2.0.0\""));
	ccni_error_clear(&err);
	/* NULL: its own version */
	j = encode_ok(r, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "0.2.0");
	json_decref(j);
	ccni_result_free(r);
	/* fields of the other generation are ignored */
	r = decode_ok("{\"cniVersion\":\"0.2.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}],"
		      " \"ip4\":{\"ip\":\"10.0.0.3/24\"}}",
		      NULL);
	assert_int_equal(r->n_ips, 1);
	ccni_result_free(r);
	r = decode_ok("{\"cniVersion\":\"0.4.0\",\"ip4\":{\"ip\":\"10.0.0.3/24\"}}", NULL);
	assert_int_equal(r->n_ips, 0);
	ccni_result_free(r);
	/* 1.1.0 interface fields are not read from a 0.x result */
	r = decode_ok("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":\"x\"}]}",
		      NULL);
	assert_int_equal(r->interfaces[0].mtu, 0);
	ccni_result_free(r);
	/* a JSON null is an absent key */
	r = decode_ok("{\"cniVersion\":\"1.1.0\",\"interfaces\":null,\"ips\":[{\"address\":"
		      "\"10.0.0.2/24\",\"gateway\":null,\"interface\":null}],\"dns\":null}",
		      NULL);
	assert_int_equal(r->ips[0].interface, -1);
	assert_int_equal(r->ips[0].gateway.family, 0);
	ccni_result_free(r);
	/* an empty gateway is no gateway */
	r = decode_ok("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\","
		      "\"gateway\":\"\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"\"}]}",
		      NULL);
	assert_int_equal(r->ips[0].gateway.family, 0);
	assert_int_equal(r->routes[0].gw.family, 0);
	ccni_result_free(r);
}

struct bad_case {
	const char *version;
	const char *text;
	int code;
	const char *msg; /* a part of the message */
};

static const struct bad_case bad_cases[] = {
    {NULL, "[]", 6, "result: expected an object"},
    {NULL, "\"x\"", 6, "result: expected an object"},
    {NULL, "{\"cniVersion\":\"0.5.0\"}", 1, "cniVersion: unsupported result version \"0.5.0\""},
    {NULL, "{\"cniVersion\":\"1.2.0\",\"ips\":[]}", 1, "\"1.2.0\""},
    {"9.9.9", "{}", 1, "\"9.9.9\""},
    {NULL, "{\"cniVersion\":1}", 6, "cniVersion: expected a string, got 1"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":{}}", 6, "ips: expected an array"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[1]}", 6, "ips[0]: expected an object, got 1"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.1/24\"},{\"address\":\"x\"}]}",
     6, "ips[1].address: invalid CIDR \"x\""},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.1/33\"}]}", 6,
     "ips[0].address: invalid CIDR \"10.0.0.1/33\""},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.1\"}]}", 6,
     "ips[0].address: invalid CIDR \"10.0.0.1\""},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"gateway\":\"10.0.0.1\"}]}", 6,
     "ips[0].address: missing"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":7}]}", 6,
     "ips[0].address: expected a string, got 7"},
    {NULL,
     "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0\"}]}", 6,
     "ips[0].gateway: invalid IP address \"10.0.0\""},
    {NULL,
     "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"fd00::1\"}]}",
     6, "ips[0].gateway: \"fd00::1\" is not of the family"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":0}]}", 6,
     "ips[0].interface: 0 is out of range (0 interfaces)"},
    {NULL,
     "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\"}],"
     "\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":1}]}",
     6, "ips[0].interface: 1 is out of range (1 interfaces)"},
    {NULL, "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":-1}]}", 6,
     "ips[0].interface: expected an integer"},
    {NULL, "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":\"0\"}]}",
     6, "ips[0].interface: expected an integer"},
    {NULL, "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"6\",\"address\":\"10.0.0.2/24\"}]}",
     6, "ips[0].version: \"6\" does not match the address \"10.0.0.2/24\""},
    {NULL, "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":4,\"address\":\"10.0.0.2/24\"}]}", 6,
     "ips[0].version: expected a string"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"interfaces\":[\"eth0\"]}", 6,
     "interfaces[0]: expected an object, got \"eth0\""},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":5}]}", 6,
     "interfaces[0].name: expected a string, got 5"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":-1}]}", 6,
     "interfaces[0].mtu: expected an integer 0..4294967295, got -1"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":1500.5}]}", 6,
     "interfaces[0].mtu"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"e\",\"pciID\":[]}]}", 6,
     "interfaces[0].pciID: expected a string"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"gw\":\"10.0.0.1\"}]}", 6,
     "routes[0].dst: missing"},
    {NULL,
     "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.0.0.0/8\","
     "\"gw\":\"x\"}]}",
     6, "routes[1].gw: invalid IP address \"x\""},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"scope\":256}]}", 6,
     "routes[0].scope: expected an integer 0..255, got 256"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":4294967296}]}",
     6, "routes[0].table"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"mtu\":true}]}", 6,
     "routes[0].mtu: expected an integer"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"routes\":[[]]}", 6, "routes[0]: expected an object"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"dns\":[]}", 6, "dns: expected an object"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"dns\":{\"nameservers\":\"1.1.1.1\"}}", 6,
     "dns.nameservers: expected an array"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"dns\":{\"search\":[\"a\",2]}}", 6,
     "dns.search[1]: expected a string, got 2"},
    {NULL, "{\"cniVersion\":\"1.1.0\",\"dns\":{\"domain\":{}}}", 6,
     "dns.domain: expected a string"},
    {NULL, "{\"cniVersion\":\"0.2.0\",\"ip4\":[]}", 6, "ip4: expected an object"},
    {NULL, "{\"cniVersion\":\"0.2.0\",\"ip4\":{}}", 6, "ip4.ip: missing"},
    {NULL, "{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"fd00::1/64\"}}", 6,
     "ip4.ip: \"fd00::1/64\" is not an IPv4 address"},
    {NULL, "{\"cniVersion\":\"0.1.0\",\"ip6\":{\"ip\":\"fd00::1/64\",\"gateway\":\"10.0.0.1\"}}", 6,
     "ip6.gateway: \"10.0.0.1\" is not an IPv6 address"},
    {NULL,
     "{\"cniVersion\":\"0.2.0\",\"ip6\":{\"ip\":\"fd00::1/64\",\"routes\":[{\"dst\":\"z\"}]}}", 6,
     "ip6.routes[0].dst: invalid CIDR \"z\""},
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ccni_error err = CCNI_ERROR_INIT;
		struct ccni_result *r = (struct ccni_result *)1;

		if (ccni_result_decode_text(c->text, strlen(c->text), c->version, &r, &err) == 0)
			fail_msg("accepted: %s", c->text);
		assert_null(r);
		if (err.code != c->code || !err.msg || !strstr(err.msg, c->msg))
			fail_msg("%s\n got %d \"%s\"\nwant %d \"...%s...\"", c->text, err.code,
				 err.msg ? err.msg : "(null)", c->code, c->msg);
		ccni_error_clear(&err);
	}
}

static void test_invalid_json(void **state)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_result *r;
	const char *t = "{\"cniVersion\":";

	(void)state;
	assert_int_equal(ccni_result_decode_text(t, strlen(t), NULL, &r, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_DECODE);
	assert_non_null(strstr(err.msg, "invalid JSON"));
	ccni_error_clear(&err);
	/* only len bytes are read */
	t = "{}garbage";
	assert_int_equal(ccni_result_decode_text(t, 2, "1.1.0", &r, &err), 0);
	assert_int_equal(r->n_ips, 0);
	ccni_result_free(r);
	/* a duplicate key is ambiguous */
	t = "{\"cniVersion\":\"1.1.0\",\"cniVersion\":\"0.2.0\"}";
	assert_int_equal(ccni_result_decode_text(t, strlen(t), NULL, &r, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_DECODE);
	ccni_error_clear(&err);
	assert_int_equal(ccni_result_decode(NULL, "1.1.0", &r, &err), -1);
	assert_int_equal(err.code, CCNI_ERR_DECODE);
	ccni_error_clear(&err);
}

/* 1024 entries per array are accepted, 1025 are not. */
static void test_array_bounds(void **state)
{
	static const char *const keys[] = {"interfaces", "ips", "routes"};

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		for (size_t n = 1024; n <= 1025; n++) {
			json_t *j = json_pack("{s:s}", "cniVersion", "1.1.0"), *a = json_array();
			struct ccni_error err = CCNI_ERROR_INIT;
			struct ccni_result *r = NULL;
			int rc;

			for (size_t i = 0; i < n; i++) {
				if (k == 0)
					json_array_append_new(a, json_pack("{s:s}", "name", "e"));
				else if (k == 1)
					json_array_append_new(
					    a, json_pack("{s:s}", "address", "10.0.0.1/8"));
				else
					json_array_append_new(
					    a, json_pack("{s:s}", "dst", "10.0.0.0/8"));
			}
			json_object_set_new(j, keys[k], a);
			rc = ccni_result_decode(j, NULL, &r, &err);
			if (n == 1024) {
				assert_int_equal(rc, 0);
			} else {
				assert_int_equal(rc, -1);
				assert_int_equal(err.code, CCNI_ERR_DECODE);
				assert_non_null(strstr(err.msg, keys[k]));
				assert_non_null(strstr(err.msg, "1025"));
			}
			ccni_error_clear(&err);
			ccni_result_free(r);
			json_decref(j);
		}
	}
}

/* A model built in code (interface index beyond the list is not printed). */
static void test_encode_built(void **state)
{
	struct ccni_result *r = ccni_result_new("1.0.0");
	struct ccni_route rt = ccni_route_init();
	struct ccni_ipnet a;
	json_t *j;

	(void)state;
	assert_int_equal(ccni_result_add_interface(r, "eth0", NULL, "/ns"), 0);
	assert_int_equal(ccni_ipnet_parse("10.0.0.2/24", &a), 0);
	assert_int_equal(ccni_result_add_ip(r, &a, NULL, 0), 0);
	assert_int_equal(ccni_result_add_ip(r, &a, NULL, 7), 1);
	assert_int_equal(ccni_ipnet_parse("0.0.0.0/0", &rt.dst), 0);
	assert_int_equal(ccni_result_add_route(r, &rt), 0);
	j = encode_ok(r, NULL);
	assert_dump(
	    j,
	    "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/ns\"}],"
	    "\"ips\":[{\"interface\":0,\"address\":\"10.0.0.2/24\"},{\"address\":\"10.0.0.2/24\"}],"
	    "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}");
	json_decref(j);
	ccni_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_model),
	    cmocka_unit_test(test_round_trip_every_version),
	    cmocka_unit_test(test_down_conversion_vectors),
	    cmocka_unit_test(test_up_conversion_vectors),
	    cmocka_unit_test(test_every_pair),
	    cmocka_unit_test(test_legacy_split),
	    cmocka_unit_test(test_dns_presence),
	    cmocka_unit_test(test_key_order),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_invalid_json),
	    cmocka_unit_test(test_array_bounds),
	    cmocka_unit_test(test_encode_built),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
