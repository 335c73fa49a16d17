/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtbench — the runtime's own cost per attachment, with a plugin that does
 * nothing (examples/noop), through the public API as an embedding engine
 * calls it.
 *
 *   rtbench [-n SAMPLES] [-c CACHED,...] NOOP_DIR NETNS
 *
 * NETNS is a namespace path the plugin is given (ip netns add rtb;
 * /run/netns/rtb); noop does not touch it.
 *
 * For each CACHED count it first fills a fresh cache dir with that many
 * attachments, then times SAMPLES rounds of: load the network from the conf
 * dir + ccni_add (exec noop, parse its result, write the cache entry), and
 * ccni_del. It also times the bare exec of the noop plugin (spawn, stdin,
 * wait) the same number of times: the difference is what the runtime adds
 * on top of running the plugin. Last, it times GC_SAMPLES GCs that keep the
 * cache (what `ccni gc NET` does: list the cache under the lock, send GC
 * with the cached attachments as the valid ones), whose cost grows with the
 * cache by nature.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/ccni.h>

#include "lib/common/spawn.h"
#include "lib/common/util.h"

static const char conflist[] =
	"{\"cniVersion\":\"1.1.0\",\"name\":\"rtb\",\"plugins\":[{\"type\":\"noop\"}]}\n";

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n ? v[n / 2] : 0;
}

static double ms_since(unsigned long long t)
{
	return (double)(util_now_ns() - t) / 1e6;
}

/* The noop plugin alone, as the runtime would run it. */
static const char *netns;

static double bare_exec(const char *dir)
{
	char ns_env[300];

	char exe[512], path[600];
	char *env[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=bare", ns_env,
			"CNI_IFNAME=eth0", path, NULL };
	const char *conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"rtb\",\"type\":\"noop\"}";
	struct util_spawn sp = { 0 };
	struct util_spawn_result r;
	unsigned long long t;

	snprintf(ns_env, sizeof(ns_env), "CNI_NETNS=%s", netns);
	snprintf(exe, sizeof(exe), "%s/noop", dir);
	snprintf(path, sizeof(path), "CNI_PATH=%s", dir);
	sp.path = exe;
	sp.envp = env;
	sp.in = conf;
	sp.in_len = strlen(conf);
	sp.out_max = 1 << 16;
	sp.err_max = 4096;
	t = util_now_ns();
	if (util_spawn_run(&sp, &r) < 0)
		return -1;
	util_spawn_result_free(&r);
	return ms_since(t);
}

#define GC_SAMPLES 5

/* The median of GC_SAMPLES GCs keeping the cache; -1 on failure. */
static double gc_median(struct ccni_runtime *rt, struct ccni_error *err)
{
	struct ccni_network *net = NULL;
	double t[GC_SAMPLES];

	if (ccni_network_load(rt, "rtb", &net, err) < 0)
		return -1;
	for (int i = 0; i < GC_SAMPLES; i++) {
		unsigned long long t0 = util_now_ns();

		if (ccni_gc_cached(rt, net, err) < 0) {
			ccni_network_free(net);
			return -1;
		}
		t[i] = ms_since(t0);
	}
	ccni_network_free(net);
	return median(t, GC_SAMPLES);
}

static int one_count(const char *dir, int cached, int samples)
{
	char tmp[] = "/tmp/rtbench.XXXXXX", conf_dir[128], cache_dir[128], file[160], cid[64];
	struct ccni_runtime_opts opts = { .plugin_path = dir };
	struct ccni_runtime *rt = NULL;
	struct ccni_network *net = NULL;
	struct ccni_error err = CCNI_ERROR_INIT;
	double *add = calloc((size_t)samples, sizeof(double));
	double *del = calloc((size_t)samples, sizeof(double));
	double *bare = calloc((size_t)samples, sizeof(double));
	unsigned long long t;
	FILE *f;
	int rc = 1;

	if (!mkdtemp(tmp) || !add || !del || !bare)
		goto out;
	snprintf(conf_dir, sizeof(conf_dir), "%s/net.d", tmp);
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", tmp);
	snprintf(file, sizeof(file), "%s/10-rtb.conflist", conf_dir);
	mkdir(conf_dir, 0755);
	f = fopen(file, "w");
	if (!f)
		goto out;
	fputs(conflist, f);
	fclose(f);
	opts.conf_dir = conf_dir;
	opts.cache_dir = cache_dir;
	if (ccni_runtime_new(&opts, &rt, &err) < 0 || ccni_network_load(rt, "rtb", &net, &err) < 0)
		goto out;
	for (int i = 0; i < cached; i++) {
		struct ccni_attachment a = { .container_id = cid, .netns = netns };

		snprintf(cid, sizeof(cid), "filler-%d", i);
		if (ccni_add(rt, net, &a, NULL, &err) < 0)
			goto out;
	}
	ccni_network_free(net);
	net = NULL;
	for (int i = 0; i < samples; i++) {
		struct ccni_attachment a = { .container_id = cid, .netns = netns };

		snprintf(cid, sizeof(cid), "sample-%d", i);
		t = util_now_ns();
		if (ccni_network_load(rt, "rtb", &net, &err) < 0 || ccni_add(rt, net, &a, NULL, &err) < 0)
			goto out;
		add[i] = ms_since(t);
		t = util_now_ns();
		if (ccni_del(rt, net, &a, &err) < 0)
			goto out;
		del[i] = ms_since(t);
		ccni_network_free(net);
		net = NULL;
		bare[i] = bare_exec(dir);
	}
	{
		double a = median(add, samples), d = median(del, samples), b = median(bare, samples);
		double g = gc_median(rt, &err);

		if (g < 0)
			goto out;
		printf("%8d %10.3f %10.3f %10.3f %12.3f %12.3f %10.3f\n", cached, a, d, b, a - b,
		       d - b, g);
	}
	rc = 0;
out:
	if (err.code)
		fprintf(stderr, "rtbench: %s\n", err.msg);
	ccni_error_clear(&err);
	ccni_network_free(net);
	ccni_runtime_free(rt);
	free(add);
	free(del);
	free(bare);
	{
		char cmd[160];

		/* a benchmark, not a plugin: removing its own temp dir this way is fine */
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "rtbench: could not remove %s\n", tmp);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int samples = 200, o, rc = 0;
	char counts[256] = "0,1000,10000", *save = NULL;

	while ((o = getopt(argc, argv, "n:c:")) != -1) {
		switch (o) {
		case 'n': samples = atoi(optarg); break;
		case 'c': snprintf(counts, sizeof(counts), "%s", optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 2 || samples < 1)
		goto usage;
	netns = argv[optind + 1];
	printf("%8s %10s %10s %10s %12s %12s %10s\n", "cached", "add-med", "del-med", "noop-exec",
	       "add-overhd", "del-overhd", "gc-med");
	for (char *c = strtok_r(counts, ",", &save); c; c = strtok_r(NULL, ",", &save))
		rc |= one_count(argv[optind], atoi(c), samples);
	printf("(ms, medians of %d, gc of %d; overhead = runtime call - bare exec of the same "
	       "plugin)\n",
	       samples, GC_SAMPLES);
	return rc;
usage:
	fprintf(stderr, "usage: rtbench [-n SAMPLES] [-c CACHED,...] NOOP_DIR NETNS\n");
	return 2;
}
