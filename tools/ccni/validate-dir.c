/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-dir.c — what is wrong only across the networks of a conf dir:
 * two files with the same network name (the runtime uses the first), one
 * bridge with different subnets, address ranges of two networks that
 * overlap (host-local's, static's addresses), and one host-local
 * store used by two files. It works on the facts each plugin's parser
 * published (ccni_conf_fact), not on rules of its own.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/ip.h>

#include "lib/common/cleanup.h"
#include "tools/ccni/locate.h"
#include "tools/ccni/validate.h"

/* One plugin object of a network: where it is, and what it means. */
struct vplugin {
	struct vdoc doc;
	const char *prefix;
	json_t *facts;
	json_t *net;
};

static void doc_of(json_t *p, struct vdoc *d, json_t *root_cache)
{
	d->file = json_string_value(json_object_get(p, "file"));
	d->text = json_string_value(json_object_get(p, "text"));
	d->root = root_cache;
}

/* "FILE:LINE:COL" of key in plugin p, for naming the other side. */
static void where(const struct vplugin *p, const char *key, char *out, size_t len)
{
	struct json_pos pos = { 0, 0 };

	if (p->doc.text)
		json_locate(p->doc.text, key, &pos);
	if (pos.line)
		snprintf(out, len, "%s:%d:%d", p->doc.file, pos.line, pos.column);
	else
		snprintf(out, len, "%s", p->doc.file);
}

static void key_of(const struct vplugin *p, const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", p->prefix, *p->prefix ? "." : "", rel);
}

static const char *net_name(const struct vplugin *p)
{
	return json_string_value(json_object_get(p->net, "name"));
}

/* The subnets of p's ranges, "10.1.0.0/16,10.2.0.0/16". */
static void subnets(const struct vplugin *p, char *out, size_t len)
{
	size_t i, off = 0;
	json_t *r;

	out[0] = '\0';
	json_array_foreach(json_object_get(p->facts, "ranges"), i, r)
		off += (size_t)snprintf(out + off, off < len ? len - off : 0, "%s%s", i ? "," : "",
					json_string_value(json_object_get(r, "subnet")));
}

/* A bridge's facts are the bridge's, its ranges those of its IPAM: both
 * in one plugin object. */
static void same_bridge(struct vctx *v, const struct vplugin *a, const struct vplugin *b)
{
	const char *ba = json_string_value(json_object_get(a->facts, "bridge"));
	const char *bb = json_string_value(json_object_get(b->facts, "bridge"));
	char sa[256], sb[256], key[300], at[300];

	if (!ba || !bb || strcmp(ba, bb))
		return;
	subnets(a, sa, sizeof(sa));
	subnets(b, sb, sizeof(sb));
	if (!*sa || !*sb || streq(sa, sb))
		return;
	key_of(b, "bridge", key, sizeof(key));
	key_of(a, json_object_get(json_path_get(a->doc.root, a->prefix), "bridge") ? "bridge" : "type",
	       at, sizeof(at));
	where(a, at, at, sizeof(at));
	vreport(v, &b->doc, true, key,
		"%s: bridge \"%s\"%s is also network \"%s\"'s (%s), with subnet %s, not %s: one "
		"bridge, one subnet",
		key, bb, json_path_get(b->doc.root, key) ? "" : " (the default)", net_name(a), at, sa,
		sb);
}

static bool ranges_overlap(json_t *x, json_t *y)
{
	struct ccni_ip xs, xe, ys, ye;

	if (ccni_ip_parse(json_string_value(json_object_get(x, "rangeStart")), &xs) < 0 ||
	    ccni_ip_parse(json_string_value(json_object_get(x, "rangeEnd")), &xe) < 0 ||
	    ccni_ip_parse(json_string_value(json_object_get(y, "rangeStart")), &ys) < 0 ||
	    ccni_ip_parse(json_string_value(json_object_get(y, "rangeEnd")), &ye) < 0 ||
	    xs.family != ys.family)
		return false;
	return ccni_ip_cmp(&xs, &ye) <= 0 && ccni_ip_cmp(&ys, &xe) <= 0;
}

static void overlapping_ranges(struct vctx *v, const struct vplugin *a, const struct vplugin *b)
{
	size_t i, k;
	json_t *ra, *rb;

	json_array_foreach(json_object_get(b->facts, "ranges"), i, rb)
		json_array_foreach(json_object_get(a->facts, "ranges"), k, ra) {
			char key[300], at[300];

			if (!ranges_overlap(ra, rb))
				continue;
			key_of(b, json_string_value(json_object_get(rb, "key")) ?: "ipam", key, sizeof(key));
			key_of(a, json_string_value(json_object_get(ra, "key")) ?: "ipam", at, sizeof(at));
			where(a, at, at, sizeof(at));
			vreport(v, &b->doc, true, key,
				"%s: %s (%s-%s) overlaps %s of network \"%s\" (%s): the same addresses "
				"in two networks",
				key, json_string_value(json_object_get(rb, "subnet")),
				json_string_value(json_object_get(rb, "rangeStart")),
				json_string_value(json_object_get(rb, "rangeEnd")),
				json_string_value(json_object_get(ra, "subnet")), net_name(a), at);
			return; /* one report per pair of plugins */
		}
}

static void same_store(struct vctx *v, const struct vplugin *a, const struct vplugin *b)
{
	const char *sa = json_string_value(json_object_get(a->facts, "store"));
	const char *sb = json_string_value(json_object_get(b->facts, "store"));
	char key[300], at[300];

	if (!sa || !sb || strcmp(sa, sb))
		return;
	key_of(b, "ipam", key, sizeof(key));
	key_of(a, "ipam", at, sizeof(at));
	where(a, at, at, sizeof(at));
	vreport(v, &b->doc, true, key,
		"%s: host-local keeps the addresses in %s, as the network defined in %s does: the same "
		"network name in the same dataDir",
		key, sb, at);
}

static void same_name(struct vctx *v, json_t *a, json_t *b)
{
	const char *na = json_string_value(json_object_get(a, "name"));
	const char *nb = json_string_value(json_object_get(b, "name"));
	struct vplugin pa = { .prefix = "", .net = a };
	_cleanup_json_ json_t *root = NULL;
	struct vdoc d;
	char at[300];

	if (!na || !nb || strcmp(na, nb))
		return;
	doc_of(a, &pa.doc, NULL);
	where(&pa, "name", at, sizeof(at));
	doc_of(b, &d, NULL);
	root = json_loads(d.text, 0, NULL);
	d.root = root;
	vreport(v, &d, true, "name",
		"name: network \"%s\" is also defined in %s; the runtime uses only that one", nb, at);
}

/* The plugins of network rec, with their documents parsed. */
static size_t plugins_of(json_t *rec, struct vplugin *out, size_t max, json_t **roots)
{
	size_t i, n = 0;
	json_t *p;

	json_array_foreach(json_object_get(rec, "plugins"), i, p) {
		if (n == max || !json_is_object(json_object_get(p, "facts")))
			continue;
		roots[n] = json_loads(json_string_value(json_object_get(p, "text")), 0, NULL);
		doc_of(p, &out[n].doc, roots[n]);
		out[n].prefix = json_string_value(json_object_get(p, "key"));
		out[n].facts = json_object_get(p, "facts");
		out[n].net = rec;
		n++;
	}
	return n;
}

static void compare(struct vctx *v, json_t *a, json_t *b)
{
	struct vplugin pa[16], pb[16];
	json_t *ra[16] = { 0 }, *rb[16] = { 0 };
	size_t na = plugins_of(a, pa, 16, ra), nb = plugins_of(b, pb, 16, rb);
	bool named_alike;

	same_name(v, a, b);
	named_alike = json_equal(json_object_get(a, "name"), json_object_get(b, "name"));
	for (size_t i = 0; i < nb; i++)
		for (size_t k = 0; k < na; k++) {
			same_bridge(v, &pa[k], &pb[i]);
			if (named_alike)
				same_store(v, &pa[k], &pb[i]);
			else
				overlapping_ranges(v, &pa[k], &pb[i]);
		}
	for (size_t i = 0; i < 16; i++) {
		json_decref(ra[i]);
		json_decref(rb[i]);
	}
}

void validate_dir(struct vctx *v)
{
	size_t n = json_array_size(v->networks);

	for (size_t b = 1; b < n; b++)
		for (size_t a = 0; a < b; a++)
			compare(v, json_array_get(v->networks, a), json_array_get(v->networks, b));
}
