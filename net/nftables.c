/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nftables.c — one atomic nft batch per call, through libnftables.
 *
 * libnftables (and the libraries it pulls in: libnftnl, libmnl, libgmp,
 * libxtables) is loaded with dlopen on the first nft call, not at process
 * start: the plugins and calls that never touch the firewall (most of them)
 * neither pay its start-up nor carry its pages.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "lib/common/cleanup.h"
#include "net/nftables.h"

static struct {
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	void (*output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_output_buffer)(struct nft_ctx *ctx);
	const char *(*get_error_buffer)(struct nft_ctx *ctx);
	int (*run_cmd_from_buffer)(struct nft_ctx *nft, const char *buf);
	bool loaded;
	char why[160];
} nft;
static pthread_once_t nft_once = PTHREAD_ONCE_INIT;

static void nft_load(void)
{
	void *h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(nft.why, sizeof(nft.why), "%s", dlerror());
		return;
	}
#define SYM(field, name)                                                             \
	do {                                                                         \
		*(void **)&nft.field = dlsym(h, name);                               \
		if (!nft.field) {                                                    \
			snprintf(nft.why, sizeof(nft.why), "libnftables: no %s", name); \
			return;                                                      \
		}                                                                    \
	} while (0)
	SYM(ctx_new, "nft_ctx_new");
	SYM(ctx_free, "nft_ctx_free");
	SYM(output_set_flags, "nft_ctx_output_set_flags");
	SYM(buffer_output, "nft_ctx_buffer_output");
	SYM(buffer_error, "nft_ctx_buffer_error");
	SYM(get_output_buffer, "nft_ctx_get_output_buffer");
	SYM(get_error_buffer, "nft_ctx_get_error_buffer");
	SYM(run_cmd_from_buffer, "nft_run_cmd_from_buffer");
#undef SYM
	nft.loaded = true;
}

/* A new context, or NULL with err (libnftables missing, or no memory). */
static struct nft_ctx *ctx_new(bool json, struct ccni_error *err)
{
	struct nft_ctx *ctx;

	pthread_once(&nft_once, nft_load);
	if (!nft.loaded) {
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: cannot load libnftables: %s "
			       "(install the libnftables1 package)", nft.why);
		return NULL;
	}
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: cannot create a context");
		return NULL;
	}
	if (json)
		nft.output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	return ctx;
}

int nftables_run(const char *script, bool ok_missing, struct ccni_error *err)
{
	struct nft_ctx *ctx = ctx_new(false, err);
	const char *msg;
	int rc;

	if (!ctx)
		return -1;
	rc = nft.run_cmd_from_buffer(ctx, script);
	if (rc != 0) {
		msg = nft.get_error_buffer(ctx);
		if (ok_missing && msg && (strstr(msg, "No such file or directory") ||
					  strstr(msg, "does not exist"))) {
			nft.ctx_free(ctx);
			return 0;
		}
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables refused the change: %.300s",
			       msg && *msg ? msg : "(no message)");
		ccni_error_set_details(err, "script:\n%.2000s", script);
		nft.ctx_free(ctx);
		return -1;
	}
	nft.ctx_free(ctx);
	return 0;
}

/* Run one listing command; *out gets a copy of its output (JSON when
 * asked). 1 when ok_missing and the object does not exist. */
static int query(const char *cmd, bool json, char **out, bool ok_missing, struct ccni_error *err)
{
	struct nft_ctx *ctx = ctx_new(json, err);
	const char *msg, *text;
	int rc;

	*out = NULL;
	if (!ctx)
		return -1;
	rc = nft.run_cmd_from_buffer(ctx, cmd);
	if (rc != 0) {
		msg = nft.get_error_buffer(ctx);
		if (ok_missing && msg && (strstr(msg, "No such file or directory") ||
					  strstr(msg, "does not exist"))) {
			nft.ctx_free(ctx);
			return 1;
		}
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: %.200s: %.300s", cmd,
			       msg && *msg ? msg : "(no message)");
		nft.ctx_free(ctx);
		return -1;
	}
	text = nft.get_output_buffer(ctx);
	*out = strdup(text ? text : "");
	nft.ctx_free(ctx);
	if (!*out)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

int nftables_query(const char *cmd, json_t **out, bool ok_missing, struct ccni_error *err)
{
	char *text = NULL;
	int rc = query(cmd, true, &text, ok_missing, err);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = json_loads(text, 0, NULL);
	free(text);
	if (!*out)
		return ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: %.200s: unreadable output", cmd);
	return 0;
}

int nftables_get_text(const char *cmd, char **out, bool ok_missing, struct ccni_error *err)
{
	return query(cmd, false, out, ok_missing, err);
}

int nftables_run_json(const char *json, struct ccni_error *err)
{
	struct nft_ctx *ctx = ctx_new(true, err);
	const char *msg;
	int rc;

	if (!ctx)
		return -1;
	rc = nft.run_cmd_from_buffer(ctx, json);
	if (rc != 0) {
		msg = nft.get_error_buffer(ctx);
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables refused the change: %.300s",
			       msg && *msg ? msg : "(no message)");
		nft.ctx_free(ctx);
		return -1;
	}
	nft.ctx_free(ctx);
	return 0;
}

/* The delete command of a set or map element (set: {"elem":{val,comment}};
 * map: [{"elem":{val,comment}}, data]) whose comment doomed() picks, or
 * NULL. */
static json_t *element_delete(const char *family, const char *table, json_t *set, json_t *el,
			      bool (*doomed)(const char *comment, void *arg), void *arg)
{
	json_t *e = json_object_get(json_is_array(el) ? json_array_get(el, 0) : el, "elem");
	const char *cm = json_string_value(json_object_get(e, "comment"));

	if (!cm || !doomed(cm, arg))
		return NULL;
	return json_pack("{s:{s:{s:s,s:s,s:O,s:[O]}}}", "delete", "element", "family", family,
			 "table", table, "name", json_object_get(set, "name"), "elem",
			 json_object_get(e, "val"));
}

static json_t *rule_delete(const char *family, const char *table, json_t *rule,
			   bool (*doomed)(const char *comment, void *arg), void *arg)
{
	const char *cm = json_string_value(json_object_get(rule, "comment"));

	if (!cm || !doomed(cm, arg))
		return NULL;
	return json_pack("{s:{s:{s:s,s:s,s:O,s:O}}}", "delete", "rule", "family", family, "table",
			 table, "chain", json_object_get(rule, "chain"), "handle",
			 json_object_get(rule, "handle"));
}

/* One listing, then one JSON batch: the path for what a DEL without its
 * keys, or GC, must find by comment; its cost grows with the table. */
int nftables_del_where(const char *family, const char *table,
		       bool (*doomed)(const char *comment, void *arg), void *arg,
		       struct ccni_error *err)
{
	_cleanup_json_ json_t *j = NULL, *cmds = json_array();
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_free_ char *text = NULL;
	size_t i, k;
	json_t *item, *el, *d;
	char cmd[128];
	int rc;

	snprintf(cmd, sizeof(cmd), "list table %s %s", family, table);
	rc = nftables_query(cmd, &j, true, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!cmds)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(json_object_get(j, "nftables"), i, item) {
		json_t *set = json_object_get(item, "set") ?: json_object_get(item, "map");

		if ((d = rule_delete(family, table, json_object_get(item, "rule"), doomed, arg)))
			json_array_append_new(cmds, d);
		json_array_foreach(json_object_get(set, "elem"), k, el)
			if ((d = element_delete(family, table, set, el, doomed, arg)))
				json_array_append_new(cmds, d);
	}
	if (!json_array_size(cmds))
		return 0;
	doc = json_pack("{s:O}", "nftables", cmds);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (!text)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return nftables_run_json(text, err);
}

static bool comment_is(const char *comment, void *tag)
{
	return streq(comment, (const char *)tag);
}

int nftables_del_by_tag(const char *table, const char *tag, struct ccni_error *err)
{
	return nftables_del_where("inet", table, comment_is, (void *)tag, err);
}
