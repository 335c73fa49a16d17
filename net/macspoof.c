/* SPDX-License-Identifier: Apache-2.0 */
/*
 * macspoof.c — macspoofchk on nftables: one chain per checked bridge port,
 * reached through a verdict map by the port's name, dropping frames whose
 * source MAC is not the container's.
 *
 *   table bridge ccni_spoof: prerouting
 *     iifname vmap @ports            port name -> its chain
 *   chain port-NAME
 *     ether saddr != MAC drop
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/ip.h>

#include "lib/common/cleanup.h"
#include "net/macspoof.h"
#include "net/nftables.h"
#include "net/tag.h"

static const char spoof_setup[] =
	"create table bridge ccni_spoof { comment \"ccni: macspoofchk\"; }\n"
	"add map bridge ccni_spoof ports { type ifname : verdict; }\n"
	"add chain bridge ccni_spoof prerouting { type filter hook prerouting priority -300; policy accept; }\n"
	"add rule bridge ccni_spoof prerouting iifname vmap @ports\n";

/* Run the element batch; when the table is missing, make it (a racing
 * creator wins harmlessly: "create table" fails and the batch with it) and
 * try again. */
static int with_table(const char *setup, const char *script, struct ccni_error *err)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (nftables_run(script, false, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	nftables_run(setup, false, &e); /* EEXIST when another ADD made it first */
	ccni_error_clear(&e);
	return nftables_run(script, false, err);
}

/* Delete elements one batch at a time; missing ones are fine. */
static int delete_each(char *script)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char *save = NULL;

	if (nftables_run(script, true, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	for (char *line = strtok_r(script, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		nftables_run(line, true, &e);
		ccni_error_clear(&e);
	}
	return 0;
}

/* One chain per checked port, reached through the "ports" verdict map by
 * the port's name: DEL needs only the name, whatever the MAC is by then.
 * The map element carries the attachment's tag, for GC. */
int macspoof_add(const char *ifname, const uint8_t mac[6], const char *tag,
		 struct ccni_error *err)
{
	char script[768], m[18];

	ccni_mac_format(mac, m);
	snprintf(script, sizeof(script),
		 "add chain bridge ccni_spoof port-%s\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "add rule bridge ccni_spoof port-%s ether saddr != %s drop\n"
		 "add element bridge ccni_spoof ports { \"%s\" comment \"%s\" : jump port-%s }\n",
		 ifname, ifname, ifname, m, ifname, tag_script_safe(tag) ? tag : "", ifname);
	if (with_table(spoof_setup, script, err) < 0)
		return ccni_error_prefix(err, "macspoofchk");
	return 0;
}

int macspoof_del(const char *ifname, struct ccni_error *err)
{
	char script[512];

	(void)err;
	if (!tag_script_safe(ifname))
		return 0;
	snprintf(script, sizeof(script),
		 "delete element bridge ccni_spoof ports { \"%s\" }\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "delete chain bridge ccni_spoof port-%s\n",
		 ifname, ifname, ifname);
	return delete_each(script);
}

struct where_ctx {
	bool (*doomed)(const char *comment, void *arg);
	void *arg;
	char *script;
	size_t len, cap;
};

/* The port of one "ports" element, when doomed picks its tag. */
static void where_element(struct where_ctx *g, json_t *el)
{
	json_t *e = json_object_get(json_array_get(el, 0), "elem");
	const char *port = json_string_value(json_object_get(e, "val"));
	const char *comment = json_string_value(json_object_get(e, "comment"));
	int n;

	if (!port || !tag_script_safe(port) || !comment || !g->doomed(comment, g->arg))
		return;
	n = snprintf(g->script + g->len, g->cap - g->len,
		     "delete element bridge ccni_spoof ports { \"%s\" }\n"
		     "flush chain bridge ccni_spoof port-%s\n"
		     "delete chain bridge ccni_spoof port-%s\n",
		     port, port, port);
	if (n > 0 && (size_t)n < g->cap - g->len)
		g->len += (size_t)n;
}

/* The checks (element and chain) whose tag doomed picks: one listing of the
 * map, as GC and a DEL that knows no port name need. */
static int del_where(bool (*doomed)(const char *comment, void *arg), void *arg,
		     struct ccni_error *err)
{
	_cleanup_json_ json_t *j = NULL;
	struct where_ctx g = { doomed, arg, NULL, 0, 0 };
	size_t i, k;
	json_t *item, *el;
	int rc = nftables_query("list map bridge ccni_spoof ports", &j, true, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	json_array_foreach(json_object_get(j, "nftables"), i, item)
		g.cap += 256 * json_array_size(json_object_get(json_object_get(item, "map"), "elem"));
	if (!g.cap)
		return 0;
	if (!(g.script = calloc(1, g.cap)))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(json_object_get(j, "nftables"), i, item)
		json_array_foreach(json_object_get(json_object_get(item, "map"), "elem"), k, el)
			where_element(&g, el);
	rc = g.len ? delete_each(g.script) : 0;
	free(g.script);
	return rc;
}

static bool tag_equal(const char *comment, void *tag)
{
	return strcmp(comment, (const char *)tag) == 0;
}

int macspoof_del_by_tag(const char *tag, struct ccni_error *err)
{
	return del_where(tag_equal, (void *)tag, err);
}

struct gc_ctx {
	const char *network;
	json_t *valid;
};

static bool gc_stale(const char *comment, void *arg)
{
	struct gc_ctx *g = arg;

	return tag_is_stale(comment, g->network, g->valid);
}

int macspoof_gc(const char *network, json_t *valid, struct ccni_error *err)
{
	struct gc_ctx g = { network, valid };

	return del_where(gc_stale, &g, err);
}
