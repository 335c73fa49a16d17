/* SPDX-License-Identifier: Apache-2.0 */
/*
 * noop.c — the smallest useful plugin written with the SDK: ADD passes the
 * previous result on (or returns an empty one), the other verbs succeed.
 * Config keys: "fail" (an error code to return on ADD, to try error paths).
 * Build: cc noop.c $(pkg-config --cflags --libs ccni) -o noop
 */
#include <ccni/conf.h>
#include <ccni/plugin.h>

static int noop_add(const struct ccni_request *req, struct ccni_result **result,
		    struct ccni_error *err)
{
	long long code = 0;

	/* parse + validate: typed getters name the key in their errors */
	if (ccni_json_get_int(req->config, "", "fail", 0, 999, &code, err) < 0)
		return -1;
	if (code)
		return ccni_error_set(err, (int)code, "noop: failing with code %lld as asked", code);
	/* act + result */
	*result = req->prev_result ? ccni_result_copy(req->prev_result) :
				     ccni_result_new(req->cni_version);
	return *result ? 0 : ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
}

static int noop_del(const struct ccni_request *req, struct ccni_result **result,
		    struct ccni_error *err)
{
	(void)req;
	(void)result;
	(void)err;
	return 0;
}

/* `ccni validate`: noop reads no key of its own (any other is a warning),
 * and its config has nothing to parse. */
static const char *const noop_keys[] = { NULL };

static int noop_validate(const struct ccni_request *req, struct ccni_error *err)
{
	(void)req;
	(void)err;
	return 0;
}

static const struct ccni_plugin noop = {
	.name = "noop",
	.about = "noop: an example ccni plugin",
	.add = noop_add,
	.del = noop_del,
	.validate = noop_validate,
	.keys = noop_keys,
};

int main(int argc, char **argv)
{
	return ccni_plugin_main(&noop, argc, argv);
}
