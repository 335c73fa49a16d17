/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.h — the runtime's step log: one line per step (a config loaded, a
 * plugin run, a cache entry written), as text ("+1.234ms exec: ...") or,
 * for log collectors, as one JSON object per line. Lines go to a callback
 * or to stderr. The cache and the plugin invoker are handed a trace rather
 * than the whole runtime. Internal.
 */
#ifndef CCNI_TRACE_H
#define CCNI_TRACE_H

#include <stdbool.h>
#include <jansson.h>

typedef void (*trace_sink_fn)(void *data, const char *line);

struct trace {
	bool on;
	bool json;             /* JSON lines instead of text */
	trace_sink_fn fn;      /* NULL: stderr */
	void *data;
	unsigned long long t0; /* util_now_ns() when the runtime was made */
};

static inline bool trace_on(const struct trace *t)
{
	return t && t->on;
}

/*
 * One step: STEP is a short word ("load", "exec", "cache", "gc"), the
 * message says what happened. The text form is "+MS STEP: MESSAGE"; the
 * JSON form {"time","elapsed_ms","step","msg"} plus `fields` (stolen, may
 * be NULL) and the caller's TRACEPARENT, so that a collector can join the
 * line to the trace it belongs to. Does nothing when t is off or NULL.
 */
void trace_step(const struct trace *t, const char *step, json_t *fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
