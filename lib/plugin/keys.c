/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keys.c — unknown keys of a plugin's config, for `ccni validate`: every
 * key that no key list names is a warning (the plugin ignores it, which is
 * rarely what its author meant), with the closest known key at the same
 * place as a suggestion ("ipMask" -> "ipMasq").
 *
 * A list holds paths below the plugin's object: "mtu", "vlanTrunk[].minID"
 * ("[]" is any array index), "args.*" (anything below). A key is known when
 * a list names it, names something below it, or has a ".*" above it.
 */
#include <stdio.h>
#include <string.h>

#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "lib/common/distance.h"
#include "lib/plugin/internal.h"

#define KEY_PATH_MAX 256

/* Keys of every plugin object, put there by the spec or by the runtime. */
static const char *const common_keys[] = {
	"type", "name", "cniVersion", "capabilities.*", "runtimeConfig.*", "args.*",
	"prevResult.*", "dns.nameservers", "dns.domain", "dns.search", "dns.options",
	"cni.dev/valid-attachments", NULL,
};

static bool boundary(char c)
{
	return c == '\0' || c == '.' || c == '[';
}

static bool pattern_knows(const char *pat, const char *path)
{
	size_t pl = strlen(pat), n = strlen(path);

	if (pl >= 2 && streq(pat + pl - 2, ".*"))
		return n >= pl - 2 && !strncmp(path, pat, pl - 2) && boundary(path[pl - 2]);
	return !strncmp(pat, path, n) && boundary(pat[n]);
}

static bool known(const char *const *const *lists, const char *path)
{
	for (const char *const *const *l = lists; *l; l++)
		for (const char *const *k = *l; *k; k++)
			if (pattern_knows(*k, path))
				return true;
	return false;
}

/* The known key closest to `key` among those directly below `parent` (a
 * normalized path, "" for the top), when close enough to be a typo. */
static void suggest(const char *const *const *lists, const char *parent, const char *key,
		    char *out, size_t len)
{
	size_t pl = strlen(parent), best = 99;

	out[0] = '\0';
	for (const char *const *const *l = lists; *l; l++)
		for (const char *const *k = *l; *k; k++) {
			const char *name = *k + pl + (pl ? 1 : 0);
			size_t nl, d;
			char cand[64];

			if (pl && (strncmp(*k, parent, pl) || (*k)[pl] != '.'))
				continue;
			nl = strcspn(name, ".[");
			if (!nl || nl >= sizeof(cand) || (name[0] == '*' && nl == 1))
				continue;
			memcpy(cand, name, nl);
			cand[nl] = '\0';
			d = util_distance(key, cand);
			if (util_close(key, cand) && d < best) {
				best = d;
				snprintf(out, len, "%s", cand);
			}
		}
}

struct walk {
	const struct ccni_request *req;
	const char *plugin, *ipam_plugin;
	const char *const *const *lists;
};

static const char *owner(const struct walk *w, const char *path)
{
	return w->ipam_plugin && !strncmp(path, "ipam.", 5) ? w->ipam_plugin : w->plugin;
}

static void walk(const struct walk *w, json_t *v, const char *real, const char *norm);

static void walk_object(const struct walk *w, json_t *o, const char *real, const char *norm)
{
	const char *key;
	json_t *child;

	json_object_foreach(o, key, child) {
		char r[KEY_PATH_MAX], n[KEY_PATH_MAX], close[64];

		snprintf(r, sizeof(r), "%s%s%s", real, *real ? "." : "", key);
		snprintf(n, sizeof(n), "%s%s%s", norm, *norm ? "." : "", key);
		if (known(w->lists, n)) {
			walk(w, child, r, n);
			continue;
		}
		suggest(w->lists, norm, key, close, sizeof(close));
		if (*close)
			ccni_conf_warning(w->req, "%s: unknown key of %s (did you mean \"%s\"?)", r,
					  owner(w, r), close);
		else
			ccni_conf_warning(w->req, "%s: unknown key of %s, ignored", r, owner(w, r));
	}
}

static void walk(const struct walk *w, json_t *v, const char *real, const char *norm)
{
	size_t i;
	json_t *e;

	if (json_is_object(v)) {
		walk_object(w, v, real, norm);
		return;
	}
	json_array_foreach(v, i, e) {
		char r[KEY_PATH_MAX], n[KEY_PATH_MAX];

		snprintf(r, sizeof(r), "%s[%zu]", real, i);
		snprintf(n, sizeof(n), "%s[]", norm);
		walk(w, e, r, n);
	}
}

void keys_check(const struct ccni_request *req, const char *plugin, const char *ipam_plugin,
		const char *const *const *lists)
{
	const char *const *all[8] = { common_keys };
	size_t n = 1;
	struct walk w = { req, plugin, ipam_plugin, all };

	for (const char *const *const *l = lists; *l && n < ARRAY_SIZE(all) - 1; l++)
		all[n++] = *l;
	walk(&w, req->config, "", "");
}
