/* SPDX-License-Identifier: Apache-2.0 */
/* error.c — the one error type, and its spec JSON form {cniVersion, code, msg, details}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/error.h>
#include <ccni/version.h>

#include "../common/cleanup.h"

int ccni_error_setv(struct ccni_error *err, int code, const char *fmt, va_list ap)
{
	char *msg;

	if (!err)
		return -1;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(err->msg);
	free(err->details);
	err->code = code ? code : CCNI_ERR_INTERNAL;
	err->msg = msg;
	err->details = NULL;
	err->errnum = 0;
	return -1;
}

int ccni_error_set(struct ccni_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ccni_error_setv(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int ccni_error_errno(struct ccni_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *head = NULL;

	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	ccni_error_set(err, code, "%s: %s", head ? head : "", strerror(errnum));
	free(head);
	if (err)
		err->errnum = errnum;
	return -1;
}

int ccni_error_set_details(struct ccni_error *err, const char *fmt, ...)
{
	va_list ap;
	char *d;

	if (!err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	free(err->details);
	err->details = d;
	return -1;
}

int ccni_error_prefix(struct ccni_error *err, const char *fmt, ...)
{
	va_list ap;
	char *p = NULL, *msg = NULL;

	if (!err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		p = NULL;
	va_end(ap);
	if (p && asprintf(&msg, "%s: %s", p, err->msg ? err->msg : "") >= 0) {
		free(err->msg);
		err->msg = msg;
	}
	free(p);
	if (!err->code)
		err->code = CCNI_ERR_INTERNAL;
	return -1;
}

void ccni_error_move(struct ccni_error *dst, struct ccni_error *src)
{
	if (dst == src)
		return;
	ccni_error_clear(dst);
	*dst = *src;
	src->code = 0;
	src->msg = NULL;
	src->details = NULL;
	src->errnum = 0;
}

void ccni_error_clear(struct ccni_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err->details);
	err->code = 0;
	err->msg = NULL;
	err->details = NULL;
	err->errnum = 0;
}

json_t *ccni_error_to_json(const struct ccni_error *err, const char *cni_version)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "cniVersion", json_string(cni_version ? cni_version : CCNI_SPEC_VERSION));
	json_object_set_new(j, "code", json_integer(err->code ? err->code : CCNI_ERR_INTERNAL));
	json_object_set_new(j, "msg", json_string(err->msg ? err->msg : ccni_error_code_name(err->code)));
	if (err->details && *err->details)
		json_object_set_new(j, "details", json_string(err->details));
	return j;
}

int ccni_error_from_json(json_t *j, struct ccni_error *out)
{
	json_t *code = json_object_get(j, "code");
	json_t *msg = json_object_get(j, "msg");
	json_t *details = json_object_get(j, "details");

	if (!json_is_object(j) || !json_is_integer(code))
		return -1;
	ccni_error_clear(out);
	out->code = (int)json_integer_value(code);
	if (out->code == 0)
		out->code = CCNI_ERR_INTERNAL;
	out->msg = strdup(json_is_string(msg) ? json_string_value(msg) : ccni_error_code_name(out->code));
	if (json_is_string(details) && *json_string_value(details))
		out->details = strdup(json_string_value(details));
	return 0;
}

const char *ccni_error_code_name(int code)
{
	switch (code) {
	case CCNI_OK: return "success";
	case CCNI_ERR_INCOMPATIBLE_VERSION: return "incompatible CNI version";
	case CCNI_ERR_UNSUPPORTED_FIELD: return "unsupported field in network configuration";
	case CCNI_ERR_UNKNOWN_CONTAINER: return "container unknown or does not exist";
	case CCNI_ERR_INVALID_ENV: return "invalid environment variables";
	case CCNI_ERR_IO: return "I/O failure";
	case CCNI_ERR_DECODE: return "failed to decode content";
	case CCNI_ERR_INVALID_CONFIG: return "invalid network config";
	case CCNI_ERR_INVALID_NETNS: return "invalid network namespace";
	case CCNI_ERR_TRY_AGAIN: return "try again later";
	case CCNI_ERR_PLUGIN_UNAVAILABLE: return "plugin not available";
	case CCNI_ERR_PLUGIN_DEGRADED: return "plugin not available, connectivity may be limited";
	case CCNI_ERR_INTERNAL: return "internal error";
	case CCNI_ERR_NETLINK: return "netlink request failed";
	case CCNI_ERR_EXEC: return "plugin execution failed";
	case CCNI_ERR_ADDR_EXHAUSTED: return "no free address";
	case CCNI_ERR_ADDR_CONFLICT: return "address conflict";
	case CCNI_ERR_FIREWALL: return "firewall change failed";
	case CCNI_ERR_TIMEOUT: return "plugin timed out";
	case CCNI_ERR_NOT_FOUND: return "not found";
	case CCNI_ERR_CHECK_FAILED: return "check failed";
	default: return "error";
	}
}
