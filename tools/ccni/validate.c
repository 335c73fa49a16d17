/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c — `ccni validate FILE|DIR`: every problem of a config file or
 * of a conf dir, as FILE:LINE:COL with the key at fault. The network level
 * (JSON, name, versions, the plugin list, the keys of a conflist) is here;
 * each plugin object in validate-plugin.c; the checks across the networks
 * of a dir in validate-dir.c. Exit status 1 when there is an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ccni/ccni.h>
#include <ccni/conf.h>

#include "lib/common/cleanup.h"
#include "lib/common/distance.h"
#include "lib/common/util.h"
#include "tools/ccni/locate.h"
#include "tools/ccni/validate.h"


/* The keys of a conflist's top level (SPEC.md section 1). */
static const char *const list_keys[] = {
	"cniVersion", "cniVersions", "name", "plugins", "disableCheck", "disableGC",
	"loadOnlyInlinedPlugins", NULL,
};

static void record(struct vctx *v, const char *file, int line, int col, bool error,
		   const char *key, json_t *value, const char *msg)
{
	json_t *p = json_pack("{s:s,s:i,s:i,s:s,s:s}", "file", file, "line", line, "column", col,
			      "severity", error ? "error" : "warning", "message", msg);
	json_t *seen = json_object_get(v->order, file);

	/* files in the order they were checked, for sorting */
	if (!seen)
		json_object_set_new(v->order, file, json_integer((json_int_t)json_object_size(v->order)));

	if (key && *key)
		json_object_set_new(p, "key", json_string(key));
	if (value)
		json_object_set(p, "value", value);
	json_array_append_new(v->problems, p);
	if (error)
		v->errors++;
	else
		v->warnings++;
}

void vreport(struct vctx *v, const struct vdoc *d, bool error, const char *key,
	     const char *fmt, ...)
{
	char msg[1024], at[300];
	struct json_pos pos = { 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The key, or the nearest member above it that the file has. */
	snprintf(at, sizeof(at), "%s", key ? key : "");
	while (d->text && *at && json_locate(d->text, at, &pos) < 0) {
		char *dot = strrchr(at, '.'), *br = strrchr(at, '[');
		char *cut = dot > br ? dot : br;

		if (!cut)
			cut = at;
		*cut = '\0';
	}
	if (d->text && !*at && key) /* the document itself */
		pos.line = pos.column = 1;
	record(v, d->file, pos.line, pos.column, error, key,
	       key && d->root ? json_path_get(d->root, key) : NULL, msg);
}

static void check_versions(struct vctx *v, const struct vdoc *d)
{
	json_t *cv = json_object_get(d->root, "cniVersion"), *vs = json_object_get(d->root, "cniVersions"),
	       *x;
	size_t i;

	if (cv && !json_is_string(cv))
		vreport(v, d, true, "cniVersion", "cniVersion: expected a string");
	else if (cv && !ccni_version_supported(json_string_value(cv)))
		vreport(v, d, true, "cniVersion", "cniVersion: unknown version \"%s\"",
			json_string_value(cv));
	if (vs && !json_is_array(vs))
		vreport(v, d, true, "cniVersions", "cniVersions: expected an array");
	json_array_foreach(vs, i, x) {
		struct ccni_version ver;
		char key[48];

		if (json_is_string(x) && ccni_version_parse(json_string_value(x), &ver) == 0)
			continue;
		snprintf(key, sizeof(key), "cniVersions[%zu]", i);
		vreport(v, d, true, key, "%s: not a version", key);
	}
}

/* name, versions, the booleans and unknown keys of a conflist's top. */
static void check_list(struct vctx *v, const struct vdoc *d, bool conflist)
{
	static const char *const bools[] = { "disableCheck", "disableGC", "loadOnlyInlinedPlugins" };
	const char *name = json_string_value(json_object_get(d->root, "name")), *key;
	json_t *val;

	if (!name)
		vreport(v, d, true, "name", "name: missing (a network name is required)");
	else if (!ccni_name_valid(name))
		vreport(v, d, true, "name", "name: invalid network name \"%s\"", name);
	check_versions(v, d);
	for (size_t i = 0; conflist && i < ARRAY_SIZE(bools); i++) {
		val = json_object_get(d->root, bools[i]);
		if (val && !json_is_boolean(val))
			vreport(v, d, true, bools[i], "%s: expected true or false", bools[i]);
	}
	json_object_foreach(conflist ? d->root : NULL, key, val) {
		const char *close = NULL;

		for (const char *const *k = list_keys; *k && !close; k++)
			if (streq(*k, key))
				close = "";
		for (const char *const *k = list_keys; *k && !close; k++)
			if (util_close(key, *k))
				close = *k;
		if (close && !*close)
			continue;
		if (close)
			vreport(v, d, false, key, "%s: unknown key of a network list (did you mean \"%s\"?)",
				key, close);
		else
			vreport(v, d, false, key, "%s: unknown key of a network list, ignored", key);
	}
}

/* The objects the runtime aggregates from the network's folder (1.1.0),
 * each checked in its own file. */
static void check_aggregated(struct vctx *v, const char *file, const struct ccni_network *net,
			     size_t inlined, json_t *plugins)
{
	_cleanup_free_ char *dir = util_strdup0(file), *sub = NULL;
	struct dirent **names = NULL;
	int n;
	size_t k = inlined;

	if (!dir || ccni_network_n_plugins(net) <= inlined)
		return;
	*strrchr(dir, '/') = '\0';
	sub = util_asprintf("%s/%s", dir, ccni_network_name(net));
	n = sub ? scandir(sub, &names, NULL, alphasort) : -1;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		_cleanup_free_ char *path = NULL, *text = NULL;
		json_t *facts = NULL;

		if (l > 5 && streq(names[i]->d_name + l - 5, ".conf") && names[i]->d_name[0] != '.' &&
		    k < ccni_network_n_plugins(net) && (path = util_asprintf("%s/%s", sub, names[i]->d_name)) &&
		    (text = util_read_file(path, CCNI_CONF_MAX_SIZE, NULL, false))) {
			json_t *obj = ccni_network_plugin(net, k++);
			struct vdoc d = { path, text, obj };

			validate_plugin(v, &d, "", obj, net, &facts);
			json_array_append_new(plugins, json_pack("{s:s,s:s,s:s,s:o*}", "file", path,
								 "text", text, "key", "", "facts", facts));
		}
		free(names[i]);
	}
	free(names);
}

static void check_plugins(struct vctx *v, const struct vdoc *d, const struct ccni_network *net,
			  json_t *record)
{
	json_t *plugins = json_object_get(d->root, "plugins"), *p, *seen = json_array();
	size_t i;

	json_object_set_new(record, "plugins", seen);
	if (plugins && !json_is_array(plugins)) {
		vreport(v, d, true, "plugins", "plugins: expected an array");
		return;
	}
	if (!plugins) { /* a single-plugin .conf */
		json_t *facts = NULL;

		if (json_object_get(d->root, "type"))
			validate_plugin(v, d, "", d->root, net, &facts);
		json_array_append_new(seen, json_pack("{s:s,s:s,s:s,s:o*}", "file", d->file, "text",
						      d->text, "key", "", "facts", facts));
		return;
	}
	if (!json_array_size(plugins))
		vreport(v, d, true, "plugins", "plugins: the list is empty");
	json_array_foreach(plugins, i, p) {
		char prefix[48];
		json_t *facts = NULL;

		snprintf(prefix, sizeof(prefix), "plugins[%zu]", i);
		validate_plugin(v, d, prefix, p, net, &facts);
		json_array_append_new(seen, json_pack("{s:s,s:s,s:s,s:o*}", "file", d->file, "text",
						      d->text, "key", prefix, "facts", facts));
	}
	if (net)
		check_aggregated(v, d->file, net, json_array_size(plugins), seen);
}

static void validate_file(struct vctx *v, const char *file)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_(ccni_network_freep) struct ccni_network *net = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	size_t len, before = v->errors;
	json_error_t jerr;
	struct vdoc d = { file, NULL, NULL };
	json_t *rec;

	text = util_read_file(file, CCNI_CONF_MAX_SIZE, &len, false);
	if (!text) {
		char why[96], msg[128];

		snprintf(msg, sizeof(msg), "cannot read: %s",
			 util_read_why(errno, CCNI_CONF_MAX_SIZE, why, sizeof(why)));
		record(v, file, 0, 0, true, NULL, NULL, msg);
		return;
	}
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc) {
		char msg[256];

		snprintf(msg, sizeof(msg), "invalid JSON: %s", jerr.text);
		record(v, file, jerr.line, jerr.column, true, NULL, NULL, msg);
		return;
	}
	d.text = text;
	d.root = doc;
	if (!json_is_object(doc)) {
		vreport(v, &d, true, "", "expected a JSON object");
		return;
	}
	check_list(v, &d, json_object_get(doc, "plugins") != NULL);
	/* The version actually used and the aggregated plugins, as the runtime loads them. */
	if (ccni_network_load_file(v->rt, file, &net, &e) < 0)
		net = NULL;
	rec = json_pack("{s:s?,s:s,s:s}", "name", json_string_value(json_object_get(doc, "name")),
			"file", file, "text", text);
	check_plugins(v, &d, net, rec);
	json_array_append_new(v->networks, rec);
	if (!net && v->errors == before)
		record(v, file, 0, 0, true, NULL, NULL, e.msg ? e.msg : "cannot be loaded");
	ccni_error_clear(&e);
}

/* A conf dir's files in the runtime's order: every .conflist, then the
 * .conf and .json files, each in lexical order. */
static size_t validate_dir_files(struct vctx *v, const char *dir)
{
	static const char *const exts[][2] = { { ".conflist", NULL }, { ".conf", ".json" } };
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t files = 0;

	for (size_t pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			const char *fn = names[i]->d_name;
			size_t l = strlen(fn);
			bool match = false;

			for (size_t k = 0; k < 2; k++)
				match = match || (exts[pass][k] && l > strlen(exts[pass][k]) &&
						  streq(fn + l - strlen(exts[pass][k]), exts[pass][k]));
			if (match && fn[0] != '.') {
				_cleanup_free_ char *path = util_asprintf("%s/%s", dir, fn);

				if (path) {
					validate_file(v, path);
					files++;
				}
			}
		}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return files;
}

static const struct vctx *sort_ctx;

static int problem_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t fx = json_integer_value(json_object_get(sort_ctx->order,
							   json_string_value(json_object_get(x, "file"))));
	json_int_t fy = json_integer_value(json_object_get(sort_ctx->order,
							   json_string_value(json_object_get(y, "file"))));
	json_int_t d[] = {
		fx - fy,
		json_integer_value(json_object_get(x, "line")) - json_integer_value(json_object_get(y, "line")),
		json_integer_value(json_object_get(x, "column")) -
			json_integer_value(json_object_get(y, "column")),
		json_integer_value(json_object_get(x, "seq")) - json_integer_value(json_object_get(y, "seq")),
	};

	for (size_t i = 0; i < ARRAY_SIZE(d); i++)
		if (d[i])
			return d[i] < 0 ? -1 : 1;
	return 0;
}

/* Problems file by file, each file's by position (as a compiler lists
 * them); the order they were found breaks ties. */
static void sort_problems(struct vctx *v)
{
	size_t n = json_array_size(v->problems), i;
	json_t **a = calloc(n ? n : 1, sizeof(*a)), *p;

	if (!a)
		return;
	json_array_foreach(v->problems, i, p) {
		json_object_set_new(p, "seq", json_integer((json_int_t)i));
		a[i] = json_incref(p);
	}
	sort_ctx = v;
	qsort(a, n, sizeof(*a), problem_cmp);
	json_array_clear(v->problems);
	for (i = 0; i < n; i++) {
		json_object_del(a[i], "seq");
		json_array_append_new(v->problems, a[i]);
	}
	free(a);
}

static void print_text(const struct vctx *v, size_t files)
{
	size_t i, total = v->errors + v->warnings;
	json_t *p;

	json_array_foreach(v->problems, i, p) {
		int line = (int)json_integer_value(json_object_get(p, "line"));
		const char *sev = json_string_value(json_object_get(p, "severity"));

		if (line > 0)
			printf("%s:%d:%d: %s: %s\n", json_string_value(json_object_get(p, "file")), line,
			       (int)json_integer_value(json_object_get(p, "column")), sev,
			       json_string_value(json_object_get(p, "message")));
		else
			printf("%s: %s: %s\n", json_string_value(json_object_get(p, "file")), sev,
			       json_string_value(json_object_get(p, "message")));
	}
	printf("%zu file%s checked, %zu problem%s", files, files == 1 ? "" : "s", total,
	       total == 1 ? "" : "s");
	if (total)
		printf(" (%zu error%s, %zu warning%s)", v->errors, v->errors == 1 ? "" : "s",
		       v->warnings, v->warnings == 1 ? "" : "s");
	printf("\n");
}

int cli_validate(struct cli *c, const char *cmd, int argc, char **argv)
{
	_cleanup_(ccni_runtime_freep) struct ccni_runtime *rt = NULL;
	_cleanup_json_ json_t *problems = json_array(), *networks = json_array(), *caps = NULL,
			      *order = json_object();
	struct ccni_error err = CCNI_ERROR_INIT;
	const char *target = argc > 0 ? argv[0] : getenv("NETCONFPATH"), *capenv = getenv("CAP_ARGS");
	const char *path = getenv("CNI_PATH");
	struct vctx v = { .c = c, .problems = problems, .networks = networks, .order = order };
	struct stat st;
	size_t files = 1;

	(void)cmd;
	if (!target || !*target)
		target = CCNI_DEFAULT_CONF_DIR;
	if (capenv && *capenv)
		caps = json_loads(capenv, 0, NULL);
	if (capenv && *capenv && !json_is_object(caps)) { /* (a macro: its argument twice) */
		fprintf(stderr, "ccni validate: CAP_ARGS: expected a JSON object\n");
		return 2;
	}
	v.cap_args = caps;
	v.plugin_path = path && *path ? path : "/opt/cni/bin";
	if (cli_runtime(c, &rt, &err) < 0)
		return cli_fail(c, &err);
	v.rt = rt;
	if (stat(target, &st) < 0) {
		ccni_error_errno(&err, CCNI_ERR_IO, errno, "%s", target);
		return cli_fail(c, &err);
	}
	if (S_ISDIR(st.st_mode)) {
		files = validate_dir_files(&v, target);
		validate_dir(&v);
	} else {
		validate_file(&v, target);
	}
	sort_problems(&v);
	if (c->json) {
		_cleanup_json_ json_t *o = json_pack("{s:i,s:i,s:i,s:O}", "files", (int)files, "errors",
						     (int)v.errors, "warnings", (int)v.warnings,
						     "problems", problems);

		cli_print_json(o);
	} else {
		print_text(&v, files);
	}
	return v.errors ? 1 : 0;
}
