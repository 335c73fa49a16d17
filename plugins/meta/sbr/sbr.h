/* SPDX-License-Identifier: Apache-2.0 */
/* sbr.h — the sbr plugin's configuration and choices, for its unit tests. */
#ifndef CCNI_PLUGIN_SBR_H
#define CCNI_PLUGIN_SBR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/plugin.h>

#define SBR_FIRST_TABLE 100u

struct sbr_conf {
	bool has_table; /* "table" given: rules only, routes stay where they are */
	uint32_t table;
};

/* Read "table" (an integer from 1 to 4294967295, or absent/null). */
int sbr_conf_parse(const struct ccni_request *req, struct sbr_conf *c, struct ccni_error *err);

/* The first table id from `from` on that none of used[0..n) names. */
uint32_t sbr_table_next(const uint32_t *used, size_t n, uint32_t from);

/* The prevResult IPs that belong to ifname: those whose "interface" names it,
 * is absent or points outside "interfaces". Fills idx with their indices;
 * returns how many (at most r->n_ips). */
size_t sbr_ips_of(const struct ccni_result *r, const char *ifname, size_t *idx);

#endif
