/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccni/conf.h — network configuration (SPEC.md section 1): a .conflist, or a
 * single-plugin .conf turned into a one-plugin list; name/type/ifname/id
 * character rules; and small typed getters for plugin config fields whose
 * errors name the field and the value.
 *
 * Unknown keys are kept as they were, in order: the parsed list holds the
 * jansson objects themselves.
 */
#ifndef CCNI_CONF_H
#define CCNI_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include <ccni/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of one config document or result: far above any real config (large
 * route lists and runtimeConfig are real), still a bound. Memory use follows
 * the input's size, not this limit. */
#define CCNI_CONF_MAX_SIZE (64 * 1024 * 1024)
#define CCNI_CONF_MAX_PLUGINS 64

struct ccni_conflist {
	json_t *json;        /* the whole document (owned reference) */
	const char *cni_version;  /* borrowed from json; may be NULL for .conf without it */
	char **cni_versions; /* owned copy of "cniVersions", NULL-terminated, may be NULL */
	const char *name;    /* borrowed from json */
	bool disable_check;
	bool disable_gc;
	bool load_only_inlined;
	json_t **plugins;    /* borrowed references into json (for .conf: json itself) */
	size_t n_plugins;
	bool single;         /* came from a single-plugin .conf */
	char *source;        /* owned: the file it came from, or NULL */
};

/*
 * Parse a config document (conflist or single conf). Errors: code 6 for
 * malformed JSON (message with source:line:column), code 7 for a config that
 * breaks the spec's rules, naming the key and value.
 */
int ccni_conflist_parse(const char *data, size_t len, const char *source,
			struct ccni_conflist **out, struct ccni_error *err);
int ccni_conflist_load_file(const char *path, struct ccni_conflist **out,
			    struct ccni_error *err);
void ccni_conflist_free(struct ccni_conflist *list);
/* For a cleanup attribute (see ccni_result_freep). */
static inline void ccni_conflist_freep(struct ccni_conflist **list)
{
	ccni_conflist_free(*list);
}

/* Character rules. Network name and container id: [A-Za-z0-9][A-Za-z0-9_.-]*;
 * plugin type: non-empty, no '/', '\\', NUL, not "." or "..";
 * ifname: 1..15 bytes, no '/', ':', whitespace, not "." or "..". */
bool ccni_name_valid(const char *name);
bool ccni_container_id_valid(const char *id);
bool ccni_plugin_type_valid(const char *type);
bool ccni_ifname_valid(const char *ifname);

/*
 * Typed getters for optional config keys. `where` is the path of obj for
 * messages ("" for the top, "ipam", "ranges[0][1]"). An absent key (or JSON
 * null) leaves *out untouched and returns 0; a wrong type is a code 7 error
 * "WHERE.KEY: expected TYPE, got VALUE". Strings are borrowed from obj.
 */
int ccni_json_get_string(json_t *obj, const char *where, const char *key, const char **out,
			 struct ccni_error *err);
int ccni_json_get_bool(json_t *obj, const char *where, const char *key, bool *out,
		       struct ccni_error *err);
int ccni_json_get_int(json_t *obj, const char *where, const char *key, long long min,
		      long long max, long long *out, struct ccni_error *err);
/* Same, for a key that must be present (code 7 "WHERE.KEY: missing"). */
int ccni_json_require_string(json_t *obj, const char *where, const char *key,
			     const char **out, struct ccni_error *err);
/* A short text form of a JSON value for messages (at most ~64 chars). */
const char *ccni_json_brief(json_t *v, char *buf, size_t len);
/* Code 7 "WHERE: expected WANT, got TYPE VALUE" ("expected an array, got
 * string \"x\""), for a value of the wrong type found at WHERE; "WHERE:
 * missing (expected WANT)" when v is NULL or null. -1. */
int ccni_json_type_error(json_t *v, const char *where, const char *want,
			 struct ccni_error *err);

#ifdef __cplusplus
}
#endif
#endif
