/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cnibench — drive CNI plugins the way a runtime does (spawn, config on
 * stdin, wait) for many fresh network namespaces, and compare plugin sets
 * side by side in the same run.
 *
 *   cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] CONF NAME=DIR...
 *
 * CONF is one plugin config (the first plugin of a chain runs its IPAM by
 * delegation, as with a runtime). Each NAME=DIR is a plugin directory
 * (CNI_PATH); rounds interleave them so machine noise hits both alike. Per
 * set it reports ADD and DEL median/p90 in ms, the peak RSS of any plugin
 * process (wait4), with -p the pods/s of PARALLEL concurrent ADDs and the
 * number of duplicate addresses handed out, and the ratio between sets.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/common/spawn.h"
#include "lib/common/util.h"

#define MAX_SETS 4

struct set {
	const char *name, *dir;
	double *add_ms, *del_ms;
	size_t n_add, n_del;
	long max_rss_kb;
	double pods_per_s;
	int dups, failures;
};

struct bench {
	const char *conf;
	char type[64];
	int pods, rounds, parallel;
	struct set sets[MAX_SETS];
	int n_sets;
};

static int netns_make(const char *path)
{
	int fd, st;
	pid_t pid;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void netns_drop(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* Run one verb; returns elapsed ms, or -1 on failure. *out gets stdout. */
static double run(struct set *s, const struct bench *b, const char *cmd, const char *cid,
		  const char *netns, char **out, long *rss)
{
	char e_cmd[64], e_cid[128], e_ns[160], e_path[512];
	char *env[] = { e_cmd, e_cid, e_ns, "CNI_IFNAME=eth0", e_path, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char exe[512];
	char *argv[] = { (char *)b->type, NULL };
	struct util_spawn sp = { 0 };
	struct util_spawn_result r;
	unsigned long long t;
	double ms;

	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", cmd);
	snprintf(e_cid, sizeof(e_cid), "CNI_CONTAINERID=%s", cid);
	snprintf(e_ns, sizeof(e_ns), "CNI_NETNS=%s", netns);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s", s->dir);
	snprintf(exe, sizeof(exe), "%s/%s", s->dir, b->type);
	sp.path = exe;
	sp.argv = argv;
	sp.envp = env;
	sp.in = b->conf;
	sp.in_len = strlen(b->conf);
	sp.out_max = 1 << 20;
	sp.err_max = 4096;
	t = util_now_ns();
	if (util_spawn_run(&sp, &r) < 0)
		return -1;
	ms = (double)(util_now_ns() - t) / 1e6;
	*rss = r.usage.ru_maxrss;
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		fprintf(stderr, "cnibench: %s %s %s failed: %s %s\n", s->name, cmd, cid, r.out, r.err);
		ms = -1;
	}
	if (out)
		*out = r.out ? strdup(r.out) : NULL;
	util_spawn_result_free(&r);
	return ms;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_d);
	return v[(size_t)((double)(n - 1) * p + 0.5)];
}

static void one_round(struct bench *b, struct set *s, int round)
{
	char (*ns)[96] = calloc((size_t)b->pods, sizeof(*ns));
	char cid[64];
	long rss;

	for (int i = 0; i < b->pods; i++) {
		snprintf(ns[i], sizeof(ns[i]), "/run/netns/cnibench-%d-%s-%d", (int)getpid(), s->name, i);
		if (netns_make(ns[i]) < 0) {
			fprintf(stderr, "cnibench: cannot make netns %s\n", ns[i]);
			exit(1);
		}
	}
	for (int i = 0; i < b->pods; i++) {
		double ms;

		snprintf(cid, sizeof(cid), "bench-%d-%d", round, i);
		ms = run(s, b, "ADD", cid, ns[i], NULL, &rss);
		if (ms < 0)
			s->failures++;
		else
			s->add_ms[s->n_add++] = ms;
		if (rss > s->max_rss_kb)
			s->max_rss_kb = rss;
	}
	for (int i = 0; i < b->pods; i++) {
		double ms;

		snprintf(cid, sizeof(cid), "bench-%d-%d", round, i);
		ms = run(s, b, "DEL", cid, ns[i], NULL, &rss);
		if (ms < 0)
			s->failures++;
		else
			s->del_ms[s->n_del++] = ms;
		if (rss > s->max_rss_kb)
			s->max_rss_kb = rss;
		netns_drop(ns[i]);
	}
	free(ns);
}

struct worker {
	struct bench *b;
	struct set *s;
	int first, count;
	char (*ns)[96];
	char **results;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	long rss;
	char cid[64];

	for (int i = w->first; i < w->first + w->count; i++) {
		snprintf(cid, sizeof(cid), "par-%d", i);
		if (run(w->s, w->b, "ADD", cid, w->ns[i], &w->results[i], &rss) < 0)
			__atomic_add_fetch(&w->s->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void parallel(struct bench *b, struct set *s)
{
	int n = b->pods * 2, per = (n + b->parallel - 1) / b->parallel;
	char (*ns)[96] = calloc((size_t)n, sizeof(*ns));
	char **results = calloc((size_t)n, sizeof(char *));
	pthread_t th[64];
	struct worker w[64];
	json_t *seen = json_object();
	unsigned long long t;
	long rss;

	for (int i = 0; i < n; i++) {
		snprintf(ns[i], sizeof(ns[i]), "/run/netns/cnibench-p%d-%s-%d", (int)getpid(), s->name, i);
		if (netns_make(ns[i]) < 0)
			exit(1);
	}
	t = util_now_ns();
	for (int k = 0; k < b->parallel; k++) {
		w[k] = (struct worker){ b, s, k * per, per, ns, results };
		if (w[k].first + per > n)
			w[k].count = n - w[k].first;
		pthread_create(&th[k], NULL, work, &w[k]);
	}
	for (int k = 0; k < b->parallel; k++)
		pthread_join(th[k], NULL);
	s->pods_per_s = (double)n / ((double)(util_now_ns() - t) / 1e9);
	for (int i = 0; i < n; i++) {
		json_t *j = results[i] ? json_loads(results[i], 0, NULL) : NULL;
		json_t *ips = json_object_get(j, "ips"), *ip;
		size_t k;
		char cid[64];

		json_array_foreach(ips, k, ip) {
			const char *a = json_string_value(json_object_get(ip, "address"));

			if (!a)
				continue;
			if (json_object_get(seen, a))
				s->dups++;
			json_object_set_new(seen, a, json_true());
		}
		json_decref(j);
		free(results[i]);
		snprintf(cid, sizeof(cid), "par-%d", i);
		run(s, b, "DEL", cid, ns[i], NULL, &rss);
		netns_drop(ns[i]);
	}
	json_decref(seen);
	free(results);
	free(ns);
}

int main(int argc, char **argv)
{
	struct bench b = { .pods = 20, .rounds = 3, .parallel = 0 };
	const char *json_out = NULL;
	json_t *report, *sets;
	size_t len;
	char *conf;
	json_t *cj;
	int o;

	while ((o = getopt(argc, argv, "n:r:p:o:")) != -1) {
		switch (o) {
		case 'n': b.pods = atoi(optarg); break;
		case 'r': b.rounds = atoi(optarg); break;
		case 'p': b.parallel = atoi(optarg); break;
		case 'o': json_out = optarg; break;
		default:
			fprintf(stderr, "usage: cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] CONF NAME=DIR...\n");
			return 2;
		}
	}
	if (argc - optind < 2 || b.pods < 1 || b.rounds < 1 || b.parallel > 64) {
		fprintf(stderr, "usage: cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] CONF NAME=DIR...\n");
		return 2;
	}
	conf = util_read_file(argv[optind], 1 << 20, &len, false);
	cj = conf ? json_loads(conf, 0, NULL) : NULL;
	if (!cj || !json_is_string(json_object_get(cj, "type"))) {
		fprintf(stderr, "cnibench: %s: not a plugin config with a \"type\"\n", argv[optind]);
		return 2;
	}
	snprintf(b.type, sizeof(b.type), "%s", json_string_value(json_object_get(cj, "type")));
	json_decref(cj);
	b.conf = conf;
	util_mkdir_p("/run/netns", 0755);
	for (int i = optind + 1; i < argc && b.n_sets < MAX_SETS; i++) {
		struct set *s = &b.sets[b.n_sets++];
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			fprintf(stderr, "cnibench: %s: expected NAME=DIR\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		s->name = argv[i];
		s->dir = eq + 1;
		s->add_ms = calloc((size_t)(b.pods * b.rounds), sizeof(double));
		s->del_ms = calloc((size_t)(b.pods * b.rounds), sizeof(double));
	}
	/* Warm-up (page cache, first bridge creation), not counted: the
	 * samples land in a copy of the set whose counters are dropped. */
	for (int k = 0; k < b.n_sets; k++) {
		struct bench w = b;
		struct set tmp = b.sets[k];

		w.pods = 1;
		one_round(&w, &tmp, -1 - k);
	}
	for (int r = 0; r < b.rounds; r++)
		for (int k = 0; k < b.n_sets; k++)
			one_round(&b, &b.sets[(k + r) % b.n_sets], r);
	if (b.parallel > 0)
		for (int k = 0; k < b.n_sets; k++)
			parallel(&b, &b.sets[k]);

	report = json_object();
	sets = json_array();
	printf("%-10s %9s %9s %9s %9s %9s %9s %7s %5s\n", "set", "add-med", "add-p90", "del-med",
	       "del-p90", "rss-kB", "pods/s", "dups", "fail");
	for (int k = 0; k < b.n_sets; k++) {
		struct set *s = &b.sets[k];
		double am = pct(s->add_ms, s->n_add, 0.5), a9 = pct(s->add_ms, s->n_add, 0.9);
		double dm = pct(s->del_ms, s->n_del, 0.5), d9 = pct(s->del_ms, s->n_del, 0.9);

		printf("%-10s %9.2f %9.2f %9.2f %9.2f %9ld %9.1f %7d %5d\n", s->name, am, a9, dm, d9,
		       s->max_rss_kb, s->pods_per_s, s->dups, s->failures);
		json_array_append_new(sets, json_pack("{s:s,s:f,s:f,s:f,s:f,s:I,s:f,s:i,s:i,s:i}", "name",
						      s->name, "add_median_ms", am, "add_p90_ms", a9,
						      "del_median_ms", dm, "del_p90_ms", d9, "max_rss_kb",
						      (json_int_t)s->max_rss_kb, "pods_per_s", s->pods_per_s,
						      "duplicates", s->dups, "failures", s->failures, "samples",
						      (int)s->n_add));
	}
	if (b.n_sets >= 2) {
		struct set *a = &b.sets[0];

		for (int k = 1; k < b.n_sets; k++) {
			struct set *s = &b.sets[k];
			double ra = pct(a->add_ms, a->n_add, 0.5) / pct(s->add_ms, s->n_add, 0.5);
			double rd = pct(a->del_ms, a->n_del, 0.5) / pct(s->del_ms, s->n_del, 0.5);

			printf("%s vs %s: ADD %.2fx faster, DEL %.2fx faster, RSS %.2fx smaller%s\n",
			       s->name, a->name, ra, rd,
			       s->max_rss_kb ? (double)a->max_rss_kb / (double)s->max_rss_kb : 0.0,
			       b.parallel ? "" : "");
			if (b.parallel && a->pods_per_s > 0)
				printf("%s vs %s: %d parallel ADDs %.2fx the pods/s\n", s->name, a->name,
				       b.parallel, s->pods_per_s / a->pods_per_s);
		}
	}
	json_object_set_new(report, "pods", json_integer(b.pods));
	json_object_set_new(report, "rounds", json_integer(b.rounds));
	json_object_set_new(report, "parallel", json_integer(b.parallel));
	json_object_set_new(report, "sets", sets);
	if (json_out)
		json_dump_file(report, json_out, JSON_INDENT(2));
	json_decref(report);
	for (int k = 0; k < b.n_sets; k++)
		if (b.sets[k].failures)
			return 1;
	return 0;
}
