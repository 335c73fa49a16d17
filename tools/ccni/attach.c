/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach.c — the cnitool verbs, one function each: add, check, del, status
 * and gc. Each loads the network named by its first argument; add, check
 * and del also take a netns path, from which the container id is derived
 * as cnitool derives it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/ccni.h>

#include "lib/common/cleanup.h"
#include "tools/ccni/cli.h"
#include "tools/ccni/exec.h"

/* What one verb works on: the runtime, the network and the attachment. */
struct session {
	struct ccni_runtime *rt;
	struct ccni_network *net;
	char *netns;
	char *cid;
	json_t *caps;
	struct ccni_attachment att;
};

static void session_end(struct session *s)
{
	ccni_network_free(s->net);
	ccni_runtime_free(s->rt);
	free(s->netns);
	free(s->cid);
	json_decref(s->caps);
}

static int cap_args(json_t **caps, struct ccni_error *err)
{
	const char *text = getenv("CAP_ARGS");
	json_error_t je;

	*caps = NULL;
	if (!text || !*text)
		return 0;
	*caps = json_loads(text, 0, &je);
	if (!json_is_object(*caps))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "CAP_ARGS: expected a JSON object (%s)",
				      *caps ? "not an object" : je.text);
	return 0;
}

static int netns_and_id(struct session *s, const char *path, struct ccni_error *err)
{
	const char *env = getenv("CNI_CONTAINERID");

	s->netns = cli_abs(path);
	/* cnitool derives the id from the path; an attachment made by another
	 * runtime (a Docker endpoint) is named by its own id */
	s->cid = !s->netns ? NULL : env && *env ? strdup(env) : cli_container_id(s->netns);
	if (!s->cid)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

static const char *ifname(const struct cli *c)
{
	const char *env = getenv("CNI_IFNAME");

	if (c->ifname)
		return c->ifname;
	return env && *env ? env : "eth0";
}

/* 0: ready; 2: a usage error (printed); -1: err set. */
static int session_start(const struct cli *c, int argc, char **argv, bool needs_ns,
			 struct session *s, struct ccni_error *err)
{
	memset(s, 0, sizeof(*s));
	if (argc < (needs_ns ? 2 : 1)) {
		fprintf(stderr, "ccni %s: network name%s required\n", c->cmd,
			needs_ns ? " and namespace are" : " is");
		return 2;
	}
	if (cli_runtime(c, &s->rt, err) < 0 || ccni_network_load(s->rt, argv[0], &s->net, err) < 0 ||
	    cap_args(&s->caps, err) < 0)
		return -1;
	if (argc >= 2 && netns_and_id(s, argv[1], err) < 0)
		return -1;
	s->att = (struct ccni_attachment){
		.container_id = s->cid,
		.netns = s->netns,
		.ifname = ifname(c),
		.args = getenv("CNI_ARGS"),
		.capability_args = s->caps,
	};
	return 0;
}

/* Run one verb on a session: start it, call fn, report, end it. */
static int with_session(struct cli *c, int argc, char **argv, bool needs_ns,
			int (*fn)(struct cli *c, struct session *s, struct ccni_error *err))
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct session s;
	int rc = session_start(c, argc, argv, needs_ns, &s, &err);

	if (rc == 0)
		rc = fn(c, &s, &err);
	session_end(&s);
	if (rc == 2)
		return 2;
	return rc < 0 ? cli_fail(c, &err) : 0;
}

static int add(struct cli *c, struct session *s, struct ccni_error *err)
{
	_cleanup_json_ json_t *result = NULL;

	(void)c;
	if (ccni_add(s->rt, s->net, &s->att, &result, err) < 0)
		return -1;
	if (result)
		cli_print_json(result);
	return 0;
}

int cli_add(struct cli *c, const char *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_session(c, argc, argv, true, add);
}

static int check(struct cli *c, struct session *s, struct ccni_error *err)
{
	(void)c;
	return ccni_check(s->rt, s->net, &s->att, err);
}

int cli_check(struct cli *c, const char *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_session(c, argc, argv, true, check);
}

static int del(struct cli *c, struct session *s, struct ccni_error *err)
{
	(void)c;
	return ccni_del(s->rt, s->net, &s->att, err);
}

int cli_del(struct cli *c, const char *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_session(c, argc, argv, true, del);
}

static int status(struct cli *c, struct session *s, struct ccni_error *err)
{
	(void)c;
	return ccni_status(s->rt, s->net, err);
}

int cli_status(struct cli *c, const char *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_session(c, argc, argv, false, status);
}

/* --valid CONTAINERID/IFNAME... as cni.dev/valid-attachments. */
static int valid_list(const struct cli *c, json_t **valid, struct ccni_error *err)
{
	*valid = json_array();
	if (!*valid)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < c->n_valid; i++) {
		const char *slash = strchr(c->valid[i], '/');

		if (!slash)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "--valid %s: expected CONTAINERID/IFNAME", c->valid[i]);
		json_array_append_new(*valid, json_pack("{s:s%,s:s}", "containerID", c->valid[i],
							(size_t)(slash - c->valid[i]), "ifname",
							slash + 1));
	}
	return 0;
}

/* A cached attachment stays valid unless a killed `ccni exec` left it. */
static bool not_left_by_exec(json_t *entry, void *data)
{
	(void)data;
	return !exec_attachment_stale(json_string_value(json_object_get(entry, "containerId")),
				      json_string_value(json_object_get(entry, "netns")));
}

static int gc(struct cli *c, struct session *s, struct ccni_error *err)
{
	_cleanup_json_ json_t *valid = NULL;
	int rc;

	/* Without --valid, keep what the cache knows (read under GC's lock);
	 * a runtime passes its own list. */
	if (!c->n_valid)
		rc = ccni_gc_cached_keep(s->rt, s->net, not_left_by_exec, NULL, err);
	else if (valid_list(c, &valid, err) < 0)
		return -1;
	else
		rc = ccni_gc(s->rt, s->net, valid, err);
	/* then the namespaces and files of the execs no entry needs any more */
	if (rc == 0)
		exec_gc_sweep(s->rt);
	return rc;
}

int cli_gc(struct cli *c, const char *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_session(c, argc, argv, false, gc);
}
