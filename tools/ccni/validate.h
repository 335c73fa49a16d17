/* SPDX-License-Identifier: Apache-2.0 */
/* validate.h — what the files of `ccni validate` share: the problems
 * found, the documents they point into, and each network's facts for the
 * checks across a conf dir. */
#ifndef CCNI_VALIDATE_H
#define CCNI_VALIDATE_H

#include <stdbool.h>
#include <jansson.h>

#include <ccni/ccni.h>

#include "tools/ccni/cli.h"

struct vctx {
	const struct cli *c;
	struct ccni_runtime *rt;
	const char *plugin_path; /* CNI_PATH as the runtime uses it */
	json_t *cap_args;	 /* CAP_ARGS: what the runtime would pass, or NULL */
	json_t *problems;	 /* [{"file","line","column","key","value","severity","message"}] */
	json_t *networks;	 /* [{"name","file","plugins":[{"key","facts"}]}], for validate-dir.c */
	json_t *order;		 /* {file: the order it was checked in}, to sort the problems */
	size_t errors, warnings;
};

/* A document problems point into: its file, text (for positions) and JSON
 * (for the values). */
struct vdoc {
	const char *file;
	const char *text;
	json_t *root;
};

/* Record a problem at key (a path in d's JSON, "" for the document; the
 * position is that of the nearest existing member above it). The message
 * is the text as printed, starting with the key when it names one. */
void vreport(struct vctx *v, const struct vdoc *d, bool error, const char *key,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check plugin object obj (at prefix in d: "plugins[1]", or "" for a
 * single-plugin file or an aggregated one) of network net: its type (and
 * ipam.type) in CNI_PATH, their versions, then the plugin's own parser
 * when it is one of ccni's. Its facts go to *facts (new reference). */
void validate_plugin(struct vctx *v, const struct vdoc *d, const char *prefix, json_t *obj,
		     const struct ccni_network *net, json_t **facts);

/* The checks across the networks of a conf dir (v->networks). */
void validate_dir(struct vctx *v);

#endif
