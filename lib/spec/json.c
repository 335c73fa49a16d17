/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c — typed getters for config keys, and the character rules for
 * names, ids, plugin types and interface names. Every error names the key
 * path and the value found there.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ccni/conf.h>

#include "lib/common/cleanup.h"

const char *ccni_json_brief(json_t *v, char *buf, size_t len)
{
	_cleanup_free_ char *text = NULL;

	if (!len)
		return "";
	if (!v) {
		snprintf(buf, len, "nothing");
		return buf;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text) {
		snprintf(buf, len, "a value");
		return buf;
	}
	if (strlen(text) >= len && len > 4) {
		memcpy(buf, text, len - 4);
		strcpy(buf + len - 4, "...");
	} else {
		snprintf(buf, len, "%s", text);
	}
	return buf;
}

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

static int wrong_type(json_t *v, const char *where, const char *key, const char *want,
		      struct ccni_error *err)
{
	char b[72];

	return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s%s%s: expected %s, got %s %s",
			      where, *where ? "." : "", key, want, type_name(v),
			      ccni_json_brief(v, b, sizeof(b)));
}

int ccni_json_type_error(json_t *v, const char *where, const char *want,
			 struct ccni_error *err)
{
	if (!v || json_is_null(v))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s: missing (expected %s)", where,
				      want);
	return wrong_type(v, "", where, want, err);
}

static json_t *lookup(json_t *obj, const char *key)
{
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int ccni_json_get_string(json_t *obj, const char *where, const char *key, const char **out,
			 struct ccni_error *err)
{
	json_t *v = lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return wrong_type(v, where, key, "a string", err);
	*out = json_string_value(v);
	return 0;
}

int ccni_json_require_string(json_t *obj, const char *where, const char *key,
			     const char **out, struct ccni_error *err)
{
	const char *s = NULL;

	if (ccni_json_get_string(obj, where, key, &s, err) < 0)
		return -1;
	if (!s)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "%s%s%s: missing", where,
				      *where ? "." : "", key);
	*out = s;
	return 0;
}

int ccni_json_get_bool(json_t *obj, const char *where, const char *key, bool *out,
		       struct ccni_error *err)
{
	json_t *v = lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(v, where, key, "true or false", err);
	*out = json_is_true(v);
	return 0;
}

int ccni_json_get_int(json_t *obj, const char *where, const char *key, long long min,
		      long long max, long long *out, struct ccni_error *err)
{
	json_t *v = lookup(obj, key);
	long long n;

	if (!v)
		return 0;
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != (double)(long long)d)
			return wrong_type(v, where, key, "an integer", err);
		n = (long long)d;
	} else if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else {
		return wrong_type(v, where, key, "an integer", err);
	}
	if (n < min || n > max)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "%s%s%s: %lld is out of range [%lld, %lld]", where,
				      *where ? "." : "", key, n, min, max);
	*out = n;
	return 0;
}

/* [A-Za-z0-9][A-Za-z0-9_.-]* — the spec's rule for network names and
 * container ids. */
static bool id_valid(const char *s, size_t max)
{
	size_t n;

	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (n = 1; s[n]; n++) {
		unsigned char c = s[n];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
		if (n >= max)
			return false;
	}
	return true;
}

bool ccni_name_valid(const char *name)
{
	return id_valid(name, 1024);
}

bool ccni_container_id_valid(const char *id)
{
	return id_valid(id, 1024);
}

bool ccni_plugin_type_valid(const char *type)
{
	if (!type || !*type || streq(type, ".") || streq(type, ".."))
		return false;
	if (strlen(type) > 255)
		return false;
	return strpbrk(type, "/\\") == NULL;
}

bool ccni_ifname_valid(const char *ifname)
{
	size_t n;

	if (!ifname)
		return false;
	n = strlen(ifname);
	if (n == 0 || n > 15 || streq(ifname, ".") || streq(ifname, ".."))
		return false;
	for (const char *p = ifname; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}
