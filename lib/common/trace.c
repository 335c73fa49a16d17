/* SPDX-License-Identifier: Apache-2.0 */
/* trace.c — step lines as text or JSON, to a callback or stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/common/cleanup.h"
#include "lib/common/trace.h"
#include "lib/common/util.h"

/* RFC 3339 in UTC with microseconds, as log collectors parse it. */
static void wall_clock(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", ts.tv_nsec / 1000);
}

static char *json_line(double ms, const char *step, const char *msg, json_t *fields)
{
	_cleanup_json_ json_t *o = json_object();
	const char *tp = getenv("TRACEPARENT");
	char when[40];

	if (!o)
		return NULL;
	wall_clock(when, sizeof(when));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "elapsed_ms", json_real((double)(long long)(ms * 1000) / 1000));
	json_object_set_new(o, "step", json_string(step));
	json_object_set_new(o, "msg", json_string(msg));
	if (fields)
		json_object_update(o, fields);
	if (tp && *tp)
		json_object_set_new(o, "traceparent", json_string(tp));
	return json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
}

void trace_step(const struct trace *t, const char *step, json_t *fields, const char *fmt, ...)
{
	_cleanup_json_ json_t *own = fields;
	_cleanup_free_ char *msg = NULL, *line = NULL;
	double ms;
	va_list ap;
	int n;

	if (!trace_on(t))
		return;
	ms = (double)(util_now_ns() - t->t0) / 1e6;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->json)
		line = json_line(ms, step, msg, own);
	else
		line = util_asprintf("+%.3fms %s: %s", ms, step, msg);
	if (!line)
		return;
	if (t->fn)
		t->fn(t->data, line);
	else if (t->json)
		fprintf(stderr, "%s\n", line);
	else
		fprintf(stderr, "ccni: trace: %s\n", line);
}
