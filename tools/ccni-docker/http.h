/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h — the part of HTTP/1.1 Docker's plugin client speaks: requests
 * with a Content-Length body (possibly 0) over one persistent connection,
 * answered in order. Bounded: a head of at most HTTP_HEAD_MAX bytes, a body
 * of at most HTTP_BODY_MAX, and a request that has begun must arrive in
 * full within HTTP_REQUEST_TIMEOUT_MS.
 */
#ifndef CCNI_DOCKER_HTTP_H
#define CCNI_DOCKER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX (16 * 1024)
#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_REQUEST_TIMEOUT_MS 30000
#define HTTP_CONTENT_TYPE "application/vnd.docker.plugins.v1.2+json"

struct http_request {
	char method[16];
	char path[512];
	const char *body; /* NUL-terminated */
	size_t body_len;
	bool keep_alive;
};

/* Answer one request: the body (malloc'd JSON text) and *status. */
typedef char *(*http_handler_fn)(void *data, const struct http_request *req, int *status);

/* Serve requests on a connected socket until the peer closes it, a request
 * is malformed (answered, then closed) or stop_fd becomes readable while
 * the connection is idle. Does not close fd. */
void http_serve(int fd, int stop_fd, http_handler_fn fn, void *data);

/* {"Err": "ccni: MSG"} as malloc'd text. */
char *http_error_body(const char *msg);

#endif
