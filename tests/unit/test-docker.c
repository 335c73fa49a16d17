/* SPDX-License-Identifier: Apache-2.0 */
/* ccni-docker's parts without Docker: the HTTP layer over a socketpair
 * (keep-alive, pipelining, bodies in pieces, every limit and refusal), the
 * dispatch (paths, empty bodies, errors as 500 {"Err"}), pool ids and the
 * id rule for file names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"
#include "tools/ccni-docker/http.h"

struct server {
	int fds[2];   /* [0] the test's end, [1] the server's */
	int stop[2];
	pthread_t t;
};

/* Echo: {"path": ..., "len": N}; "/fail" answers 500. */
static char *echo(void *data, const struct http_request *req, int *status)
{
	(void)data;
	if (streq(req->path, "/fail")) {
		*status = 500;
		return http_error_body("failed on purpose");
	}
	*status = 200;
	return util_asprintf("{\"path\":\"%s\",\"len\":%zu,\"body\":\"%s\"}", req->path, req->body_len,
			     req->body);
}

static void *serve(void *arg)
{
	struct server *s = arg;

	http_serve(s->fds[1], s->stop[0], echo, NULL);
	close(s->fds[1]);
	return NULL;
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));

	if (!s || socketpair(AF_UNIX, SOCK_STREAM, 0, s->fds) < 0 || pipe(s->stop) < 0)
		return -1;
	pthread_create(&s->t, NULL, serve, s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;

	if (write(s->stop[1], "x", 1) != 1)
		return -1;
	pthread_join(s->t, NULL);
	close(s->fds[0]);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s);
	return 0;
}

static void send_text(struct server *s, const char *text)
{
	assert_int_equal(write(s->fds[0], text, strlen(text)), (ssize_t)strlen(text));
}

/* Read until the server closes the connection. */
static char *read_all(struct server *s)
{
	size_t len;
	char *out;

	shutdown(s->fds[0], SHUT_WR);
	out = util_read_fd(s->fds[0], 1 << 20, &len);
	assert_non_null(out);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_keep_alive_pipelined_in_order(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *out = NULL;

	send_text(s, "POST /a HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n"
		     "POST /b HTTP/1.1\r\nhost: \r\ncontent-length: 2\r\n\r\n{}"
		     "POST /c HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n");
	out = read_all(s);
	assert_int_equal(count(out, "HTTP/1.1 200 OK\r\n"), 3);
	assert_int_equal(count(out, "Content-Type: " HTTP_CONTENT_TYPE), 3);
	assert_non_null(strstr(out, "{\"path\":\"/a\",\"len\":0,\"body\":\"\"}"));
	assert_true(strstr(out, "\"/a\"") < strstr(out, "\"/b\",\"len\":2,\"body\":\"{}\"") &&
		    strstr(out, "\"/b\"") < strstr(out, "\"/c\""));
}

static void test_body_in_pieces(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *out = NULL;

	send_text(s, "POST /x HTTP/1.1\r\nContent-");
	usleep(20000);
	send_text(s, "Length: 10\r\nConnection: close\r\n\r\n{\"a\":");
	usleep(20000);
	send_text(s, "\"bc\"}");
	out = read_all(s);
	assert_non_null(strstr(out, "\"len\":10,\"body\":\"{\"a\":\"bc\"}\""));
	assert_non_null(strstr(out, "Connection: close"));
	assert_int_equal(count(out, "HTTP/1.1"), 1);
}

static void test_error_status_passed_on(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *out = NULL;

	send_text(s, "POST /fail HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	out = read_all(s);
	assert_non_null(strstr(out, "HTTP/1.1 500 Internal Server Error\r\n"));
	assert_non_null(strstr(out, "{\"Err\":\"ccni: failed on purpose\"}"));
}

/* expect(REQUEST, STATUS LINE): the request is refused and the
 * connection closed (a later request on it is not answered). */
static void expect_refused(struct server *s, const char *req, const char *status)
{
	_cleanup_free_ char *out = NULL;

	send_text(s, req);
	send_text(s, "POST /after HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	out = read_all(s);
	assert_non_null(strstr(out, status));
	assert_non_null(strstr(out, "{\"Err\":\"ccni: "));
	assert_null(strstr(out, "/after"));
}

static void test_oversized_body_refused(void **state)
{
	expect_refused(*state, "POST /x HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n",
		       "HTTP/1.1 413 ");
}

static void test_chunked_refused(void **state)
{
	expect_refused(*state, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		       "HTTP/1.1 501 ");
}

static void test_malformed_refused(void **state)
{
	expect_refused(*state, "POST\r\n\r\n", "HTTP/1.1 400 ");
}

static void test_bad_content_length_refused(void **state)
{
	expect_refused(*state, "POST /x HTTP/1.1\r\nContent-Length: -4\r\n\r\n", "HTTP/1.1 400 ");
}

static void test_conflicting_content_lengths_refused(void **state)
{
	expect_refused(*state, "POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		       "HTTP/1.1 400 ");
}

static void test_oversized_head_refused(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *big = malloc(HTTP_HEAD_MAX + 64);
	_cleanup_free_ char *out = NULL;

	memset(big, 'a', HTTP_HEAD_MAX + 63);
	big[HTTP_HEAD_MAX + 63] = '\0';
	send_text(s, "POST /x HTTP/1.1\r\nX: ");
	send_text(s, big);
	out = read_all(s);
	assert_non_null(strstr(out, "HTTP/1.1 431 "));
}

static void test_only_post(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *out = NULL;

	send_text(s, "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n");
	out = read_all(s);
	assert_non_null(strstr(out, "HTTP/1.1 405 "));
}

static void test_http10_closes_unless_asked(void **state)
{
	struct server *s = *state;
	_cleanup_free_ char *out = NULL;

	send_text(s, "POST /x HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
		     "POST /y HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	out = read_all(s);
	assert_int_equal(count(out, "HTTP/1.1 200 OK"), 1);
	assert_non_null(strstr(out, "Connection: close"));
}

static char *dispatch(const char *path, const char *body, int *status)
{
	static struct cd cd;

	return cd_dispatch(&cd, path, body, strlen(body), status);
}

static void test_dispatch(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
	int st;

	(void)state;
	a = dispatch("/Plugin.Activate", "", &st);
	assert_int_equal(st, 200);
	assert_string_equal(a, "{\"Implements\":[\"NetworkDriver\",\"IpamDriver\"]}");
	b = dispatch("/NetworkDriver.Nope", "{}", &st);
	assert_int_equal(st, 404);
	assert_string_equal(b, "{\"Err\":\"ccni: /NetworkDriver.Nope is not an endpoint of this plugin\"}");
	c = dispatch("/IpamDriver.GetCapabilities", "", &st);
	assert_string_equal(c, "{\"RequiresMACAddress\":true,\"RequiresRequestReplay\":false}");
	d = dispatch("/NetworkDriver.EndpointOperInfo", "[1]", &st);
	assert_int_equal(st, 500);
	assert_non_null(strstr(d, "the body is not a JSON object"));
	e = dispatch("/IpamDriver.RequestPool", "{\"Pool\":\"\",\"Options\":null,\"V6\":true}", &st);
	assert_int_equal(st, 500);
	assert_string_equal(e, "{\"Err\":\"ccni: IPv6 pools are not supported by ccni-docker (drop --ipv6)\"}");
}

static void test_pool_ids_and_docker_ids(void **state)
{
	struct ccni_ipnet n, got;
	char net[256];
	struct ccni_error err = CCNI_ERROR_INIT;
	_cleanup_free_ char *id = NULL;

	(void)state;
	assert_int_equal(ccni_ipnet_parse("10.88.0.0/16", &n), 0);
	id = cnet_pool_id("my-net", &n);
	assert_string_equal(id, "ccni/my-net/10.88.0.0/16");
	assert_int_equal(cnet_parse_pool_id(id, net, sizeof(net), &got, &err), 0);
	assert_string_equal(net, "my-net");
	assert_true(ccni_ipnet_equal(&got, &n));
	assert_int_equal(cnet_parse_pool_id("ccni:test:10.99.0.0/24", net, sizeof(net), &got, &err), -1);
	assert_non_null(strstr(err.msg, "is not a pool of ccni's"));
	ccni_error_clear(&err);
	assert_int_equal(cnet_parse_pool_id("ccni/../10.1.0.0/24", net, sizeof(net), &got, &err), -1);
	ccni_error_clear(&err);
	assert_true(state_id_valid("f4c7462a7414eba2ee44e16751ca6644b56066b2095b0afc0f78aee501a340a7"));
	assert_false(state_id_valid("../etc"));
	assert_false(state_id_valid(""));
	assert_false(state_id_valid("f4c7462a7414eba2ee44e16751ca6644b56066b2095b0afc0f78aee501a340a7a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_alive_pipelined_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_status_passed_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_body_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_content_length_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicting_content_lengths_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_head_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http10_closes_unless_asked, setup, teardown),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_pool_ids_and_docker_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
