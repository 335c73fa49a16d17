/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nftables.h — nft scripts and queries through libnftables (loaded on
 * first use): table and chain setup, listings, deletion by tag. The
 * per-container element path does not come here (nftset.h). Internal.
 */
#ifndef CCNI_NET_NFTABLES_H
#define CCNI_NET_NFTABLES_H

#include <stdbool.h>

#include <ccni/error.h>
#include <jansson.h>

/* Run an nft script as one atomic batch. Returns 0, or -1 with the error
 * (code 105) carrying nft's message. ok_missing: ENOENT-type failures
 * ("No such file or directory") are success. */
int nftables_run(const char *script, bool ok_missing, struct ccni_error *err);
/* Run a batch written in nft's JSON schema ({"nftables":[...]}). */
int nftables_run_json(const char *json, struct ccni_error *err);
/* Run a read-only nft command with JSON output; *out gets the parsed JSON
 * (a new reference). 0, or -1 with err (ok_missing: 1 when it does not exist). */
int nftables_query(const char *cmd, json_t **out, bool ok_missing, struct ccni_error *err);
/* The same with nft's text output (some commands, like "get element",
 * print only text); *out is malloc'd. */
int nftables_get_text(const char *cmd, char **out, bool ok_missing, struct ccni_error *err);
/* Delete every element (of any set or map) and every rule of table
 * (family "inet", "bridge", ...) whose comment doomed(comment, arg) picks:
 * one listing, one batch, so the cost grows with the table (DEL without
 * its keys, GC). 0 also when the table does not exist. */
int nftables_del_where(const char *family, const char *table,
		       bool (*doomed)(const char *comment, void *arg), void *arg,
		       struct ccni_error *err);
/* The same for the comment tag in inet table `table`. */
int nftables_del_by_tag(const char *table, const char *tag, struct ccni_error *err);

#endif
