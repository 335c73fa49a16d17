/* SPDX-License-Identifier: Apache-2.0 */
/*
 * skel.c — the plugin side of the protocol (SPEC.md sections 2 and 5):
 * environment, stdin, version checks, dispatch, and printing the result or
 * the error object. A plugin only writes its verbs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>
#include <ccni/version.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "lib/plugin/internal.h"

extern char **environ;

static const char *env_get(char *const *envp, const char *key)
{
	size_t n = strlen(key);

	for (char *const *e = envp; e && *e; e++)
		if (!strncmp(*e, key, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int print_json(int fd, json_t *j)
{
	_cleanup_free_ char *text = json_dumps(j, JSON_INDENT(4));

	if (!text)
		return -1;
	if (util_write_all(fd, text, strlen(text)) < 0 || util_write_all(fd, "\n", 1) < 0)
		return -1;
	return 0;
}

static void print_error(int fd, const struct ccni_error *err, const char *version)
{
	_cleanup_json_ json_t *j = ccni_error_to_json(err, version);

	if (j)
		print_json(fd, j);
}

static void versions_text(const struct ccni_plugin *plugin, char *buf, size_t len)
{
	const char *const *v = plugin->versions ? plugin->versions : ccni_supported_versions;
	size_t off = 0;

	buf[0] = '\0';
	for (; *v && off < len; v++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", *v);
}

static bool plugin_supports(const struct ccni_plugin *plugin, const char *version)
{
	return ccni_version_in(version,
			       plugin->versions ? plugin->versions : ccni_supported_versions);
}

/* Refuse to work on the namespace the plugin itself runs in (the runtime
 * passed the wrong path), unless CNI_NETNS_OVERRIDE says it is meant. */
static int check_not_own_netns(const char *netns, const char *override, struct ccni_error *err)
{
	struct stat a, b;

	if (!netns || !*netns)
		return 0;
	if (override && (!strcasecmp(override, "true") || streq(override, "1")))
		return 0;
	if (stat(netns, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return 0; /* a missing netns is the verb's business */
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return ccni_error_set(err, CCNI_ERR_INVALID_NETNS,
				      "CNI_NETNS: \"%s\" is the plugin's own network namespace", netns);
	return 0;
}

struct env_var {
	const char *name;
	unsigned required; /* bit per command */
};

#define B(c) (1u << (c))
static const struct env_var env_vars[] = {
	{ "CNI_CONTAINERID",
	  B(CCNI_CMD_ADD) | B(CCNI_CMD_DEL) | B(CCNI_CMD_CHECK) | B(CCNI_CMD_REAPPLY) },
	{ "CNI_NETNS", B(CCNI_CMD_ADD) | B(CCNI_CMD_CHECK) },
	{ "CNI_IFNAME", B(CCNI_CMD_ADD) | B(CCNI_CMD_DEL) | B(CCNI_CMD_CHECK) | B(CCNI_CMD_REAPPLY) },
	{ "CNI_PATH", B(CCNI_CMD_ADD) | B(CCNI_CMD_DEL) | B(CCNI_CMD_CHECK) | B(CCNI_CMD_GC) |
			      B(CCNI_CMD_STATUS) | B(CCNI_CMD_REAPPLY) },
};

static int read_env(struct ccni_request *req, char *const *envp, struct ccni_error *err)
{
	char missing[128] = "";
	const char *cmd = nonempty(env_get(envp, "CNI_COMMAND"));

	if (!cmd)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "required env variables [CNI_COMMAND] missing");
	if (ccni_command_parse(cmd, &req->command) < 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_COMMAND: unknown command \"%.32s\" (ADD, DEL, CHECK, STATUS, "
				      "GC or VERSION)",
				      cmd);
	req->command_name = ccni_command_name(req->command);
	req->envp = envp;
	req->container_id = nonempty(env_get(envp, "CNI_CONTAINERID"));
	req->netns = nonempty(env_get(envp, "CNI_NETNS"));
	req->ifname = nonempty(env_get(envp, "CNI_IFNAME"));
	req->path = nonempty(env_get(envp, "CNI_PATH"));
	req->args_text = nonempty(env_get(envp, "CNI_ARGS"));

	for (size_t i = 0; i < ARRAY_SIZE(env_vars); i++) {
		if (!(env_vars[i].required & B(req->command)) || nonempty(env_get(envp, env_vars[i].name)))
			continue;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 missing[0] ? "," : "", env_vars[i].name);
	}
	if (missing[0])
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV, "required env variables [%s] missing",
				      missing);
	if (req->container_id && !ccni_container_id_valid(req->container_id))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_CONTAINERID: invalid container id \"%.80s\" (letters, digits, "
				      "'_', '.', '-')",
				      req->container_id);
	if (req->ifname && !ccni_ifname_valid(req->ifname))
		return ccni_error_set(err, CCNI_ERR_INVALID_ENV,
				      "CNI_IFNAME: invalid interface name \"%.32s\" (1 to 15 bytes, no "
				      "'/', ':' or spaces)",
				      req->ifname);
	return ccni_args_parse(req->args_text, &req->args, err);
}
#undef B

static int min_version_for(enum ccni_command c, const char **min)
{
	*min = c == CCNI_CMD_CHECK ? "0.4.0" :
	       c == CCNI_CMD_STATUS || c == CCNI_CMD_GC ? "1.1.0" : NULL;
	return *min != NULL;
}

int skel_read_config(struct ccni_request *req, const struct ccni_plugin *plugin,
		     json_t **config, struct ccni_error *err)
{
	const char *min;
	json_error_t jerr;
	json_t *v;
	char vs[160];

	*config = json_loadb(req->stdin_data, req->stdin_len, 0, &jerr);
	if (!*config)
		return ccni_error_set(err, CCNI_ERR_DECODE, "stdin:%d:%d: invalid JSON: %s",
				      jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*config))
		return ccni_error_set(err, CCNI_ERR_DECODE, "stdin: the config is not a JSON object");
	req->config = *config;

	req->cni_version = "0.1.0"; /* what libcni assumes when the key is absent */
	if (ccni_json_get_string(*config, "", "cniVersion", &req->cni_version, err) < 0)
		return -1;
	if (ccni_json_get_string(*config, "", "name", &req->name, err) < 0)
		return -1;
	if (!req->name || !*req->name)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG, "name: missing network name");
	if (!ccni_name_valid(req->name))
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "name: invalid network name \"%.80s\" (letters, digits, '_', '.', "
				      "'-'; starting with a letter or digit)",
				      req->name);
	if (!plugin_supports(plugin, req->cni_version)) {
		versions_text(plugin, vs, sizeof(vs));
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "cniVersion: incompatible CNI version \"%.32s\" (%s supports %s)",
				      req->cni_version, plugin->name, vs);
	}
	if (min_version_for(req->command, &min) && !ccni_version_ge(req->cni_version, min))
		return ccni_error_set(err, CCNI_ERR_INCOMPATIBLE_VERSION,
				      "cniVersion: config version %s does not allow %s (needs %s or "
				      "later)",
				      req->cni_version, req->command_name, min);

	v = json_object_get(*config, "runtimeConfig");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v))
			return ccni_json_type_error(v, "runtimeConfig", "an object", err);
		req->runtime_config = v;
	}
	v = json_object_get(*config, "args");
	if (json_is_object(v)) {
		json_t *c = json_object_get(v, "cni");

		if (json_is_object(c))
			req->cni_args = c;
	}
	v = json_object_get(*config, "prevResult");
	if (v && !json_is_null(v)) {
		if (ccni_result_decode(v, req->cni_version, &req->prev_result, err) < 0)
			return ccni_error_prefix(err, "prevResult");
	}
	v = json_object_get(*config, "cni.dev/valid-attachments");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return ccni_json_type_error(v, "cni.dev/valid-attachments", "an array",
						    err);
		req->valid_attachments = v;
	}
	return 0;
}

static void print_about(const struct ccni_plugin *plugin)
{
	char vs[160];

	versions_text(plugin, vs, sizeof(vs));
	fprintf(stderr, "%s\nCNI protocol versions supported: %s\n",
		plugin->about ? plugin->about : plugin->name, vs);
}

static int print_version(const struct ccni_plugin *plugin, int out_fd)
{
	_cleanup_json_ json_t *j = json_object();
	json_t *arr = json_array();
	const char *const *v = plugin->versions ? plugin->versions : ccni_supported_versions;

	if (!j || !arr) {
		json_decref(arr);
		return -1;
	}
	for (; *v; v++)
		json_array_append_new(arr, json_string(*v));
	json_object_set_new(j, "cniVersion", json_string(CCNI_SPEC_VERSION));
	json_object_set_new(j, "supportedVersions", arr);
	return print_json(out_fd, j);
}

static ccni_verb_fn verb_for(const struct ccni_plugin *plugin, enum ccni_command c)
{
	switch (c) {
	case CCNI_CMD_ADD: return plugin->add;
	case CCNI_CMD_DEL: return plugin->del;
	case CCNI_CMD_CHECK: return plugin->check;
	case CCNI_CMD_STATUS: return plugin->status;
	case CCNI_CMD_GC: return plugin->gc;
	case CCNI_CMD_REAPPLY: return plugin->reapply;
	case CCNI_CMD_VERSION: break;
	}
	return NULL;
}

static int dispatch(const struct ccni_plugin *plugin, struct ccni_request *req, int in_fd,
		    int out_fd, json_t **config, struct ccni_result **result,
		    struct ccni_error *err)
{
	ccni_verb_fn fn;
	char *data;

	if (req->command == CCNI_CMD_VERSION) {
		if (print_version(plugin, out_fd) < 0)
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "stdout: cannot write");
		return 1;
	}
	data = util_read_fd(in_fd, CCNI_STDIN_MAX, &req->stdin_len);
	if (!data) {
		if (errno == EFBIG)
			return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
					      "stdin: the config is larger than the limit of %d bytes (%d "
					      "MiB)",
					      CCNI_STDIN_MAX, CCNI_STDIN_MAX >> 20);
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "stdin: cannot read the config");
	}
	req->stdin_data = data;
	if (skel_read_config(req, plugin, config, err) < 0)
		return -1;
	if ((req->command == CCNI_CMD_ADD || req->command == CCNI_CMD_DEL ||
	     req->command == CCNI_CMD_CHECK) &&
	    check_not_own_netns(req->netns, env_get(req->envp, "CNI_NETNS_OVERRIDE"), err) < 0)
		return -1;

	fn = verb_for(plugin, req->command);
	if (!fn)
		return 0;
	if (fn(req, result, err) < 0) {
		if (!ccni_error_is_set(err))
			ccni_error_set(err, CCNI_ERR_INTERNAL, "%s failed", req->command_name);
		return -1;
	}
	if (req->command == CCNI_CMD_ADD && !*result)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "%s: ADD produced no result",
				      plugin->name);
	return 0;
}

int ccni_plugin_run(const struct ccni_plugin *plugin, char *const *envp, int in_fd, int out_fd)
{
	struct ccni_request req = { 0 };
	struct ccni_error err = CCNI_ERROR_INIT;
	struct ccni_result *result = NULL;
	_cleanup_json_ json_t *config = NULL;
	_cleanup_json_ json_t *out = NULL;
	int rc, status = 0;

	if (!envp)
		envp = environ;
	if (!nonempty(env_get(envp, "CNI_COMMAND")) && plugin->about) {
		print_about(plugin);
		return 0;
	}
	rc = read_env(&req, envp, &err);
	if (rc == 0)
		rc = dispatch(plugin, &req, in_fd, out_fd, &config, &result, &err);
	if (rc < 0) {
		print_error(out_fd, &err,
			    req.config && ccni_version_supported(req.cni_version) ? req.cni_version :
										    CCNI_SPEC_VERSION);
		status = 1;
	} else if (result) {
		out = ccni_result_encode(result, req.cni_version, &err);
		if (!out || print_json(out_fd, out) < 0) {
			if (!ccni_error_is_set(&err))
				ccni_error_errno(&err, CCNI_ERR_IO, errno, "stdout: cannot write");
			print_error(out_fd, &err, req.cni_version);
			status = 1;
		}
	}
	ccni_result_free(result);
	ccni_result_free(req.prev_result);
	ccni_args_free(&req.args);
	free((char *)req.stdin_data);
	ccni_error_clear(&err);
	return status;
}

int ccni_plugin_main(const struct ccni_plugin *plugin, int argc, char **argv)
{
	util_std_fds_open();
	/* Runtimes run plugins without arguments; this one is ccni validate's. */
	if (argc == 2 && argv[1] && streq(argv[1], CCNI_VALIDATE_ARG))
		return ccni_plugin_validate(plugin, STDIN_FILENO, STDOUT_FILENO);
	if (plugin->command && argc > 1) {
		int rc = plugin->command(argc, argv);

		if (rc >= 0)
			return rc;
	}
	return ccni_plugin_run(plugin, NULL, STDIN_FILENO, STDOUT_FILENO);
}
