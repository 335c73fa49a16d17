/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c — HTTP/1.1 for Docker's plugin client (Go's net/http): keep-alive
 * (Docker sends a whole `docker run` over one connection), pipelined
 * requests answered in order, an empty Host header accepted, bodies given
 * by Content-Length only (Go sends no chunked bodies to plugins; chunked is
 * refused with 501 rather than half-supported). Every limit is enforced
 * before memory is spent: the head is read into a fixed-size buffer and the
 * body is allocated only once its length is known to be within bounds.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/http.h"

struct conn {
	int fd, stop_fd;
	char *buf;
	size_t len, cap;
};

char *http_error_body(const char *msg)
{
	_cleanup_free_ char *m = util_asprintf("ccni: %s", msg);
	_cleanup_json_ json_t *j = json_pack("{s:s}", "Err", m ? m : "out of memory");

	return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	default: return "Internal Server Error";
	}
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int respond(int fd, int status, const char *body, bool keep_alive)
{
	char head[256];
	size_t blen = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: " HTTP_CONTENT_TYPE
			 "\r\nContent-Length: %zu\r\n%s\r\n",
			 status, reason(status), blen, keep_alive ? "" : "Connection: close\r\n");

	if (send_all(fd, head, (size_t)n) < 0)
		return -1;
	return blen ? send_all(fd, body, blen) : 0;
}

/* Answer an error and tell the caller to close: returns 0. The rest of
 * what the client sends is read and dropped for a moment first (a
 * "lingering close"): closing on unread data would reset the connection,
 * and a client still writing its request would never see the answer. */
static int refuse(int fd, int status, const char *msg)
{
	_cleanup_free_ char *b = http_error_body(msg);
	char sink[4096];
	size_t left = 4 * HTTP_HEAD_MAX + HTTP_BODY_MAX;

	respond(fd, status, b, false);
	shutdown(fd, SHUT_WR);
	while (left) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 500) <= 0 || (r = recv(fd, sink, sizeof(sink), 0)) <= 0)
			break;
		left -= (size_t)r < left ? (size_t)r : left;
	}
	return 0;
}

/* Read more into the buffer. Idle (nothing buffered): wait without limit
 * but give up when stop_fd fires; mid-request: at most until deadline.
 * >0 bytes read, 0 peer closed, -1 error, timeout or stop. */
static ssize_t fill(struct conn *c, unsigned long long deadline_ns)
{
	struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->stop_fd, POLLIN, 0 } };
	ssize_t r;

	for (;;) {
		int timeout = -1;

		if (deadline_ns) {
			unsigned long long now = util_now_ns();

			if (now >= deadline_ns)
				return -1;
			timeout = (int)((deadline_ns - now) / 1000000 + 1);
		}
		r = poll(p, deadline_ns ? 1 : 2, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (p[1].revents & POLLIN))
			return -1;
		break;
	}
	r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (r < 0 && errno == EINTR)
		return fill(c, deadline_ns);
	if (r > 0)
		c->len += (size_t)r;
	return r;
}

static bool header_is(const char *line, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	for (line += n + 1; *line == ' ' || *line == '\t'; line++)
		;
	*value = line;
	return true;
}

struct head {
	long long content_length;
	bool chunked;
	bool keep_alive;
};

/* Parse the request line and headers (NUL-terminated, CRLF lines). 0, or
 * an HTTP status to answer with. */
static int parse_head(char *text, struct http_request *req, struct head *h)
{
	char *save = NULL, *line = strtok_r(text, "\r\n", &save), *sp, *sp2;
	bool http10;

	h->content_length = -1;
	if (!line || !(sp = strchr(line, ' ')) || !(sp2 = strchr(sp + 1, ' ')))
		return 400;
	*sp = *sp2 = '\0';
	if ((size_t)(sp - line) >= sizeof(req->method) ||
	    (size_t)(sp2 - sp - 1) >= sizeof(req->path) || sp[1] != '/')
		return 400;
	snprintf(req->method, sizeof(req->method), "%s", line);
	snprintf(req->path, sizeof(req->path), "%s", sp + 1);
	if (!streq(sp2 + 1, "HTTP/1.1") && !streq(sp2 + 1, "HTTP/1.0"))
		return 400;
	http10 = streq(sp2 + 1, "HTTP/1.0");
	h->keep_alive = !http10;
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		const char *v;

		if (header_is(line, "Content-Length", &v)) {
			char *end;
			long long n;

			errno = 0;
			n = strtoll(v, &end, 10);
			if (errno || end == v || *end || n < 0 ||
			    (h->content_length >= 0 && h->content_length != n))
				return 400;
			h->content_length = n;
		} else if (header_is(line, "Transfer-Encoding", &v)) {
			h->chunked = true;
		} else if (header_is(line, "Connection", &v)) {
			if (strcasestr(v, "close"))
				h->keep_alive = false;
			else if (http10 && strcasestr(v, "keep-alive"))
				h->keep_alive = true;
		}
	}
	return 0;
}

/* Read one request's head; its length (including the blank line) or 0
 * when the connection should just close, -status to answer an error. */
static long read_head(struct conn *c)
{
	unsigned long long deadline = 0;

	for (;;) {
		char *end = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
		ssize_t r;

		if (end)
			return end + 4 - c->buf;
		if (c->len >= HTTP_HEAD_MAX)
			return -431;
		if (c->len && !deadline)
			deadline = util_now_ns() + HTTP_REQUEST_TIMEOUT_MS * 1000000ULL;
		r = fill(c, deadline);
		if (r <= 0)
			return c->len && r < 0 && deadline && util_now_ns() >= deadline ? -408 : 0;
	}
}

static bool grow(struct conn *c, size_t need)
{
	char *n;

	if (need <= c->cap)
		return true;
	n = realloc(c->buf, need);
	if (!n)
		return false;
	c->buf = n;
	c->cap = need;
	return true;
}

/* The body after a head of hl bytes, once all of it is in (malloc'd,
 * consumed from the buffer), or an HTTP status to refuse with. */
static int read_body(struct conn *c, long hl, long long length, char **body, size_t *len)
{
	unsigned long long deadline = util_now_ns() + HTTP_REQUEST_TIMEOUT_MS * 1000000ULL;
	size_t total = (size_t)hl + (size_t)(length > 0 ? length : 0);

	if (!grow(c, total + 1))
		return 500;
	while (c->len < total)
		if (fill(c, deadline) <= 0)
			return 408;
	*len = total - (size_t)hl;
	*body = malloc(*len + 1);
	if (!*body)
		return 500;
	memcpy(*body, c->buf + hl, *len);
	(*body)[*len] = '\0';
	memmove(c->buf, c->buf + total, c->len - total);
	c->len -= total;
	return 0;
}

/* One request: 1 to go on, 0 to close. */
static int serve_one(struct conn *c, http_handler_fn fn, void *data)
{
	char head_text[HTTP_HEAD_MAX + 1], m[96];
	struct http_request req = { 0 };
	struct head h = { 0 };
	long hl = read_head(c);
	int status = 200, rc;
	_cleanup_free_ char *body = NULL, *reply = NULL;

	if (hl < 0 || hl > HTTP_HEAD_MAX)
		return refuse(c->fd, hl < 0 ? (int)-hl : 431,
			      hl == -408 ? "request not received in time" : "request head too large");
	if (hl == 0)
		return 0;
	memcpy(head_text, c->buf, (size_t)hl - 2);
	head_text[hl - 2] = '\0';
	rc = parse_head(head_text, &req, &h);
	if (rc)
		return refuse(c->fd, rc, "malformed HTTP request");
	if (h.chunked)
		return refuse(c->fd, 501, "chunked request bodies are not supported (send a "
					  "Content-Length)");
	snprintf(m, sizeof(m), "request body of %lld bytes is over the limit of %d",
		 h.content_length, HTTP_BODY_MAX);
	if (h.content_length > HTTP_BODY_MAX)
		return refuse(c->fd, 413, m);
	rc = read_body(c, hl, h.content_length, &body, &req.body_len);
	if (rc)
		return refuse(c->fd, rc, rc == 408 ? "request body not received in time" : "out of memory");
	req.body = body;
	req.keep_alive = h.keep_alive;
	if (!streq(req.method, "POST")) {
		reply = http_error_body("plugin requests are POSTs");
		status = 405;
	} else {
		reply = fn(data, &req, &status);
	}
	if (!reply) {
		reply = http_error_body("out of memory");
		status = 500;
	}
	if (respond(c->fd, status, reply, h.keep_alive) < 0)
		return 0;
	return h.keep_alive ? 1 : 0;
}

void http_serve(int fd, int stop_fd, http_handler_fn fn, void *data)
{
	struct conn c = { fd, stop_fd, malloc(HTTP_HEAD_MAX), 0, HTTP_HEAD_MAX };

	if (!c.buf)
		return;
	while (serve_one(&c, fn, data) == 1)
		if (c.cap > 4 * HTTP_HEAD_MAX && c.len < HTTP_HEAD_MAX) {
			/* a large body came and went: give the memory back */
			char *n = realloc(c.buf, HTTP_HEAD_MAX);

			if (n) {
				c.buf = n;
				c.cap = HTTP_HEAD_MAX;
			}
		}
	free(c.buf);
}
