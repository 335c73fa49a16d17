/* SPDX-License-Identifier: Apache-2.0 */
/* nftables.c — one atomic nft batch per call, through libnftables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "net/kernel.h"

int knft_run(const char *script, bool ok_missing, struct ccni_error *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int rc;

	if (!ctx)
		return ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: cannot create a context");
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, script);
	if (rc != 0) {
		msg = nft_ctx_get_error_buffer(ctx);
		if (ok_missing && msg && (strstr(msg, "No such file or directory") ||
					  strstr(msg, "does not exist"))) {
			nft_ctx_free(ctx);
			return 0;
		}
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables refused the change: %.300s",
			       msg && *msg ? msg : "(no message)");
		ccni_error_set_details(err, "script:\n%.2000s", script);
		nft_ctx_free(ctx);
		return -1;
	}
	nft_ctx_free(ctx);
	return 0;
}

/* Run one listing command; *out gets a copy of its output (JSON when
 * asked). 1 when ok_missing and the object does not exist. */
static int query(const char *cmd, bool json, char **out, bool ok_missing, struct ccni_error *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg, *text;
	int rc;

	*out = NULL;
	if (!ctx)
		return ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: cannot create a context");
	if (json)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmd);
	if (rc != 0) {
		msg = nft_ctx_get_error_buffer(ctx);
		if (ok_missing && msg && (strstr(msg, "No such file or directory") ||
					  strstr(msg, "does not exist"))) {
			nft_ctx_free(ctx);
			return 1;
		}
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: %.200s: %.300s", cmd,
			       msg && *msg ? msg : "(no message)");
		nft_ctx_free(ctx);
		return -1;
	}
	text = nft_ctx_get_output_buffer(ctx);
	*out = strdup(text ? text : "");
	nft_ctx_free(ctx);
	if (!*out)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

int knft_query(const char *cmd, json_t **out, bool ok_missing, struct ccni_error *err)
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

int knft_get_text(const char *cmd, char **out, bool ok_missing, struct ccni_error *err)
{
	return query(cmd, false, out, ok_missing, err);
}

int knft_run_json(const char *json, struct ccni_error *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int rc;

	if (!ctx)
		return ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables: cannot create a context");
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, json);
	if (rc != 0) {
		msg = nft_ctx_get_error_buffer(ctx);
		ccni_error_set(err, CCNI_ERR_FIREWALL, "nftables refused the change: %.300s",
			       msg && *msg ? msg : "(no message)");
		nft_ctx_free(ctx);
		return -1;
	}
	nft_ctx_free(ctx);
	return 0;
}
