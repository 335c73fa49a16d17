/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/error.h — the one error type threaded through libccni, the SDK and
 * the plugins. A fallible function takes `struct ccni_error *err` as its last
 * argument, returns a negative number on failure and fills `err` once, at the
 * point that knows what went wrong (the field and the value in the message).
 */
#ifndef CCNI_ERROR_H
#define CCNI_ERROR_H

#include <stdarg.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Codes 0-99 are the spec's (SPEC.md section 5), 100+ are ccni's own. */
enum ccni_error_code {
	CCNI_OK = 0,
	CCNI_ERR_INCOMPATIBLE_VERSION = 1,
	CCNI_ERR_UNSUPPORTED_FIELD = 2,
	CCNI_ERR_UNKNOWN_CONTAINER = 3,
	CCNI_ERR_INVALID_ENV = 4,
	CCNI_ERR_IO = 5,
	CCNI_ERR_DECODE = 6,
	CCNI_ERR_INVALID_CONFIG = 7,
	CCNI_ERR_INVALID_NETNS = 8,
	CCNI_ERR_TRY_AGAIN = 11,
	CCNI_ERR_PLUGIN_UNAVAILABLE = 50,
	CCNI_ERR_PLUGIN_DEGRADED = 51,

	CCNI_ERR_INTERNAL = 100,   /* a bug or an allocation failure */
	CCNI_ERR_NETLINK = 101,    /* the kernel refused a netlink request */
	CCNI_ERR_EXEC = 102,       /* a plugin could not be found, run or understood */
	CCNI_ERR_ADDR_EXHAUSTED = 103, /* no free address in the ranges */
	CCNI_ERR_ADDR_CONFLICT = 104,  /* a requested address is taken or outside */
	CCNI_ERR_FIREWALL = 105,   /* nftables/iptables refused the change */
	CCNI_ERR_TIMEOUT = 106,    /* a plugin ran longer than allowed */
	CCNI_ERR_NOT_FOUND = 107,  /* a network, interface or cache entry is missing */
	CCNI_ERR_CHECK_FAILED = 108, /* CHECK found the attachment not as expected */
};

struct ccni_error {
	int code;      /* 0 while unset */
	char *msg;     /* owned; short, names the field and the value */
	char *details; /* owned, may be NULL; longer text (kernel message, stderr) */
	int errnum;    /* the errno behind it (a system call's, or the kernel's answer
			* to a request), 0 when none: data for callers that act on
			* it, never serialized */
};

#define CCNI_ERROR_INIT { 0, NULL, NULL, 0 }

/* Fill err (replacing what it held, errnum 0) and return -1, so callers can write
 * `return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "bridge: ...");`. */
int ccni_error_set(struct ccni_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ccni_error_setv(struct ccni_error *err, int code, const char *fmt, va_list ap);
/* Like ccni_error_set, appending ": strerror(errnum)"; err->errnum = errnum. */
int ccni_error_errno(struct ccni_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Replace the details text. Returns -1. */
int ccni_error_set_details(struct ccni_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepend "PREFIX: " to the message of an error already set (adds context on
 * the way up). Returns -1. */
int ccni_error_prefix(struct ccni_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Move src into dst (dst's old content is freed, src is left empty). */
void ccni_error_move(struct ccni_error *dst, struct ccni_error *src);
void ccni_error_clear(struct ccni_error *err);
static inline int ccni_error_is_set(const struct ccni_error *err) { return err->code != 0; }

/* The spec's error object {cniVersion, code, msg, details}. New reference. */
json_t *ccni_error_to_json(const struct ccni_error *err, const char *cni_version);
/* Decode an error object printed by a plugin. Returns 0 when `j` is one. */
int ccni_error_from_json(json_t *j, struct ccni_error *out);
/* A short human name for a code ("invalid network config"). Never NULL. */
const char *ccni_error_code_name(int code);

#ifdef __cplusplus
}
#endif
#endif
