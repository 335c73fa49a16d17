/* SPDX-License-Identifier: Apache-2.0 */
/* static.h — the static IPAM plugin's configuration, read into its result. */
#ifndef CCNI_STATIC_H
#define CCNI_STATIC_H

#include <ccni/plugin.h>

/* Addresses one attachment may get (config, CNI_ARGS or the ips lists). */
#define STATIC_MAX_ADDRESSES 256

/*
 * The result the config and the request describe, in req->cni_version, as
 * the reference reads them: "ipam.addresses" (address + optional gateway),
 * then CNI_ARGS IP= (with GATEWAY= for those addresses only) appended;
 * args.cni.ips, then runtimeConfig.ips, each replacing every address (with
 * no gateway); "ipam.routes" and "ipam.dns" as given. Every error names the
 * key and the value (code 7). *out is malloc'd (ccni_result_free).
 */
int static_conf_parse(const struct ccni_request *req, struct ccni_result **out,
		      struct ccni_error *err);

/* `ccni validate` (static-validate.c). */
extern const char *const static_keys[];
int static_validate(const struct ccni_request *req, struct ccni_error *err);

#endif
