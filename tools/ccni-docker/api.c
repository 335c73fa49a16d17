/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c — from a request path to its handler and back: Plugin.Activate,
 * then "/NetworkDriver.*" and "/IpamDriver.*". Bodies are JSON objects, or
 * empty for the argument-less calls (Docker sends Content-Length: 0, not
 * "{}"). Every failure is answered as HTTP 500 {"Err": "ccni: ..."}: the
 * NetworkDriver client reads "Err" from any non-200 answer, and the IPAM
 * client would take a 200 with "Err" for success ("No address returned").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"
#include "tools/ccni-docker/http.h"

__thread unsigned long long cd_chain_ns;

void cd_log(const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ ccni-docker: ",
		      ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

static int activate(struct cd *cd, json_t *req, json_t **resp, struct ccni_error *err)
{
	(void)cd, (void)req, (void)err;
	*resp = json_pack("{s:[ss]}", "Implements", "NetworkDriver", "IpamDriver");
	return 0;
}

cd_handler_fn cd_route(const char *path)
{
	const char *dot;

	if (streq(path, "/Plugin.Activate"))
		return activate;
	dot = strchr(path, '.');
	if (!dot)
		return NULL;
	if ((size_t)(dot - path) == strlen("/NetworkDriver") && strncmp(path, "/NetworkDriver", 14) == 0)
		return netdrv_route(dot + 1);
	if ((size_t)(dot - path) == strlen("/IpamDriver") && strncmp(path, "/IpamDriver", 11) == 0)
		return ipam_route(dot + 1);
	return NULL;
}

/* What a log line says about a request: the ids it names, shortened. */
static void describe(json_t *req, char *buf, size_t len)
{
	static const char *const keys[] = { "EndpointID", "NetworkID", "PoolID", "Address", "Pool" };
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys) && off < len; i++) {
		const char *v = json_string_value(json_object_get(req, keys[i]));

		if (v && *v)
			off += (size_t)snprintf(buf + off, len - off, " %s=%.*s", keys[i],
						strstr(keys[i], "ID") && !strstr(keys[i], "Pool") ? 12 : 64, v);
	}
}

char *cd_dispatch(struct cd *cd, const char *path, const char *body, size_t len, int *status)
{
	cd_handler_fn fn = cd_route(path);
	_cleanup_json_ json_t *req = NULL, *resp = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	unsigned long long t0 = util_now_ns();
	json_error_t je;
	char what[256], *out;

	if (!fn) {
		_cleanup_free_ char *m = util_asprintf("%.200s is not an endpoint of this plugin", path);

		*status = 404;
		cd_log("%s: not found", path);
		return http_error_body(m ? m : "not found");
	}
	req = len ? json_loadb(body, len, 0, &je) : json_object();
	if (!json_is_object(req)) {
		ccni_error_set(&err, CCNI_ERR_DECODE, "%s: the body is not a JSON object (%s)", path,
			       req ? "another JSON value" : je.text);
		what[0] = '\0';
	} else {
		describe(req, what, sizeof(what));
		cd_chain_ns = 0;
		if (fn(cd, req, &resp, &err) == 0 && !resp)
			ccni_error_set(&err, CCNI_ERR_INTERNAL, "out of memory");
	}
	if (ccni_error_is_set(&err)) {
		cd_log("%s%s: failed in %.1f ms: %s%s%s", path + 1, what,
		       (double)(util_now_ns() - t0) / 1e6, err.msg, err.details ? " — " : "",
		       err.details ? err.details : "");
		*status = 500;
		out = http_error_body(err.msg);
		ccni_error_clear(&err);
		return out;
	}
	if (cd_chain_ns)
		cd_log("%s%s: %.1f ms (CNI chain %.1f ms)", path + 1, what,
		       (double)(util_now_ns() - t0) / 1e6, (double)cd_chain_ns / 1e6);
	else
		cd_log("%s%s: %.1f ms", path + 1, what, (double)(util_now_ns() - t0) / 1e6);
	*status = 200;
	return json_dumps(resp, JSON_COMPACT);
}
