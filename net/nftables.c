/* SPDX-License-Identifier: Apache-2.0 */
/* nftables.c — one atomic nft batch per call, through libnftables. */
#include <stdio.h>
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
