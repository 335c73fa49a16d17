/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cnibench — drive CNI plugins the way a runtime does (spawn, config on
 * stdin, wait) for many fresh network namespaces, and compare plugin sets
 * side by side in the same run.
 *
 *   cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] [-x CMD] CONF NAME=DIR...
 *
 * CONF is one plugin config (it runs its IPAM by delegation, as with a
 * runtime) or a conflist: then every plugin runs in order on ADD with the
 * previous result as prevResult, and in reverse order on DEL with the final
 * ADD result, as libcni does; a pod's time is the sum of its plugin runs.
 * Capability arguments go into each plugin object as "runtimeConfig". The
 * text @POD@ in CONF becomes the pod's 4-digit index (unique among the
 * pods alive at once), e.g. "hostPort": 3@POD@ for distinct host ports, and
 * @SET@ the set's name (a daemon socket of each set's own). -x CMD runs a
 * shell command before every timed ADD, outside the timing (to stop a
 * daemon, so the ADD has to start one). Each NAME=DIR is a plugin directory
 * (CNI_PATH); rounds interleave them so machine noise hits both alike. Per
 * set it reports ADD and DEL median/p90 in ms, the peak RSS of any plugin
 * process and the most anonymous memory one held at exit (from a few
 * more pods run through rssprobe, so that the figures are the plugin's own
 * and not this program's), with -p the pods/s of PARALLEL concurrent ADDs and the
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

/* The peak-RSS pass runs each plugin through this launcher (rssprobe.c);
 * NULL in the timed rounds, where RSS is not recorded. */
static const char *rssprobe;

struct set {
	const char *name, *dir;
	double *add_ms, *del_ms;
	size_t n_add, n_del;
	long max_rss_kb;
	long max_anon_kb; /* the most memory of its own a plugin held at exit */
	double pods_per_s;
	int dups, failures;
	/* chains: time spent in each plugin (sums over every pod), by position */
	double plug_add[16], plug_del[16];
	char plug_type[16][64];
};

struct bench {
	const char *conf;
	char type[64];
	bool chain; /* conf is a conflist */
	int pods, rounds, parallel;
	const char *pre_add; /* -x: a shell command run (untimed) before each timed ADD */
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

/* Run one plugin; returns elapsed ms, or -1 on failure. *out gets stdout. */
static double run_one(struct set *s, const char *type, const char *conf, const char *cmd,
		      const char *cid, const char *netns, char **out, long *rss)
{
	char e_cmd[64], e_cid[128], e_ns[160], e_path[512];
	char *env[] = { e_cmd, e_cid, e_ns, "CNI_IFNAME=eth0", e_path, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char exe[512];
	char *argv[] = { (char *)type, NULL };
	char *pargv[] = { "rssprobe", exe, (char *)type, NULL };
	struct util_spawn sp = { 0 };
	struct util_spawn_result r;
	unsigned long long t;
	double ms;

	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", cmd);
	snprintf(e_cid, sizeof(e_cid), "CNI_CONTAINERID=%s", cid);
	snprintf(e_ns, sizeof(e_ns), "CNI_NETNS=%s", netns);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s", s->dir);
	snprintf(exe, sizeof(exe), "%s/%s", s->dir, type);
	sp.path = rssprobe ? rssprobe : exe;
	sp.argv = rssprobe ? pargv : argv;
	sp.envp = env;
	sp.in = conf;
	sp.in_len = strlen(conf);
	sp.out_max = 1 << 20;
	sp.err_max = 4096;
	t = util_now_ns();
	if (util_spawn_run(&sp, &r) < 0)
		return -1;
	ms = (double)(util_now_ns() - t) / 1e6;
	*rss = 0;
	if (rssprobe && r.err) {
		const char *m = strstr(r.err, "rssprobe-maxrss-kb ");

		*rss = m ? atol(m + 19) : 0;
		m = strstr(r.err, "rssprobe-anon-kb ");
		if (m && atol(m + 17) > s->max_anon_kb)
			s->max_anon_kb = atol(m + 17);
	}
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		fprintf(stderr, "cnibench: %s %s %s %s failed: %s %s\n", s->name, type, cmd, cid, r.out,
			r.err);
		ms = -1;
	}
	if (out)
		*out = r.out ? strdup(r.out) : NULL;
	util_spawn_result_free(&r);
	return ms;
}

/* conf with every @POD@ replaced by the pod's index and every @SET@ by
 * the set's name (a daemon socket per set, say); malloc'd. */
static char *for_pod(const char *conf, int pod, const char *set)
{
	char num[8];
	const char *from[2] = { "@POD@", "@SET@" }, *to[2] = { num, set };
	size_t len = strlen(conf) + 1, n = 0;
	char *out;

	snprintf(num, sizeof(num), "%04d", pod % 10000);
	for (const char *p = conf; *p; p++)
		for (int k = 0; k < 2; k++)
			if (!strncmp(p, from[k], 5))
				len += strlen(to[k]);
	out = malloc(len);
	if (!out)
		return NULL;
	for (const char *p = conf; *p;) {
		int k;

		for (k = 0; k < 2 && strncmp(p, from[k], 5); k++)
			;
		if (k < 2) {
			memcpy(out + n, to[k], strlen(to[k]));
			n += strlen(to[k]);
			p += 5;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* Run a verb for one pod: the plugin, or the chain (ADD in order with
 * prevResult; DEL in reverse with final, the pod's ADD result). */
static double run(struct set *s, const struct bench *b, const char *cmd, int pod, const char *cid,
		  const char *netns, const char *final, char **out, long *rss)
{
	bool add = strcmp(cmd, "ADD") == 0;
	char *conf = for_pod(b->conf, pod, s->name), *prev = final ? strdup(final) : NULL;
	json_t *doc = b->chain && conf ? json_loads(conf, 0, NULL) : NULL;
	json_t *plugins = json_object_get(doc, "plugins");
	size_t n = b->chain ? json_array_size(plugins) : 1;
	double total = 0;

	*rss = 0;
	if (!conf || (b->chain && !n))
		total = -1;
	for (size_t i = 0; i < n && total >= 0; i++) {
		json_t *p = json_array_get(plugins, add ? i : n - 1 - i);
		json_t *pr = prev ? json_loads(prev, 0, NULL) : NULL;
		char *text = NULL, *o = NULL;
		const char *type = b->type;
		double ms;
		long r = 0;

		if (p) {
			json_object_set(p, "name", json_object_get(doc, "name"));
			json_object_set(p, "cniVersion", json_object_get(doc, "cniVersion"));
			if (pr)
				json_object_set(p, "prevResult", pr);
			text = json_dumps(p, JSON_COMPACT);
			type = json_string_value(json_object_get(p, "type"));
		}
		ms = type && (text || !b->chain) ?
			     run_one(s, type, text ? text : conf, cmd, cid, netns, add ? &o : NULL, &r) :
			     -1;
		free(text);
		json_decref(pr);
		if (r > *rss)
			*rss = r;
		if (ms < 0) {
			free(o);
			total = -1;
			break;
		}
		total += ms;
		if (b->chain && (add ? i : n - 1 - i) < 16) {
			size_t k = add ? i : n - 1 - i;

			snprintf(s->plug_type[k], sizeof(s->plug_type[k]), "%s", type);
			*(add ? &s->plug_add[k] : &s->plug_del[k]) += ms;
		}
		if (add) {
			free(prev);
			prev = o;
		}
	}
	json_decref(doc);
	free(conf);
	if (out && total >= 0)
		*out = prev;
	else
		free(prev);
	return total;
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
	char **results = calloc((size_t)b->pods, sizeof(char *));
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
		if (b->pre_add && round >= 0 && system(b->pre_add) != 0)
			fprintf(stderr, "cnibench: -x %s failed\n", b->pre_add);
		ms = run(s, b, "ADD", i, cid, ns[i], NULL, &results[i], &rss);
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
		ms = run(s, b, "DEL", i, cid, ns[i], results[i], NULL, &rss);
		if (ms < 0)
			s->failures++;
		else
			s->del_ms[s->n_del++] = ms;
		if (rss > s->max_rss_kb)
			s->max_rss_kb = rss;
		free(results[i]);
		netns_drop(ns[i]);
	}
	free(results);
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
		if (run(w->s, w->b, "ADD", i, cid, w->ns[i], NULL, &w->results[i], &rss) < 0)
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
		snprintf(cid, sizeof(cid), "par-%d", i);
		run(s, b, "DEL", i, cid, ns[i], results[i], NULL, &rss);
		free(results[i]);
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

	while ((o = getopt(argc, argv, "n:r:p:o:x:")) != -1) {
		switch (o) {
		case 'n': b.pods = atoi(optarg); break;
		case 'r': b.rounds = atoi(optarg); break;
		case 'p': b.parallel = atoi(optarg); break;
		case 'o': json_out = optarg; break;
		case 'x': b.pre_add = optarg; break;
		default:
			fprintf(stderr, "usage: cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] [-x CMD] CONF NAME=DIR...\n");
			return 2;
		}
	}
	if (argc - optind < 2 || b.pods < 1 || b.rounds < 1 || b.parallel > 64) {
		fprintf(stderr, "usage: cnibench [-n PODS] [-r ROUNDS] [-p PARALLEL] [-o JSON] [-x CMD] CONF NAME=DIR...\n");
		return 2;
	}
	conf = util_read_file(argv[optind], 1 << 20, &len, false);
	{
		/* validate with the placeholders filled in */
		char *filled = conf ? for_pod(conf, 0, "set") : NULL;

		cj = filled ? json_loads(filled, 0, NULL) : NULL;
		free(filled);
	}
	if (cj && json_is_array(json_object_get(cj, "plugins"))) {
		b.chain = true;
		if (!json_is_string(json_object_get(cj, "name")) ||
		    !json_is_string(json_object_get(cj, "cniVersion")) ||
		    !json_array_size(json_object_get(cj, "plugins"))) {
			fprintf(stderr, "cnibench: %s: a conflist needs name, cniVersion and plugins\n",
				argv[optind]);
			return 2;
		}
	} else if (!cj || !json_is_string(json_object_get(cj, "type"))) {
		fprintf(stderr, "cnibench: %s: not a plugin config with a \"type\" nor a conflist\n",
			argv[optind]);
		return 2;
	} else {
		snprintf(b.type, sizeof(b.type), "%s", json_string_value(json_object_get(cj, "type")));
	}
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
	/* Peak RSS: a few pods more through rssprobe (beside this binary),
	 * their times dropped as in the warm-up. */
	{
		char self[512];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 16);

		if (l > 0) {
			self[l] = '\0';
			snprintf(strrchr(self, '/') ? strrchr(self, '/') + 1 : self, 16, "rssprobe");
			rssprobe = access(self, X_OK) == 0 ? self : NULL;
		}
		for (int k = 0; rssprobe && k < b.n_sets; k++) {
			struct bench w = b;
			struct set tmp = b.sets[k];

			w.pods = b.pods < 5 ? b.pods : 5;
			tmp.add_ms = calloc((size_t)w.pods, sizeof(double));
			tmp.del_ms = calloc((size_t)w.pods, sizeof(double));
			tmp.n_add = tmp.n_del = 0;
			one_round(&w, &tmp, 1000 + k);
			b.sets[k].max_rss_kb = tmp.max_rss_kb;
			b.sets[k].max_anon_kb = tmp.max_anon_kb;
			free(tmp.add_ms);
			free(tmp.del_ms);
		}
		if (!rssprobe)
			fprintf(stderr, "cnibench: no rssprobe beside cnibench: peak RSS not measured\n");
		rssprobe = NULL;
	}
	if (b.parallel > 0)
		for (int k = 0; k < b.n_sets; k++)
			parallel(&b, &b.sets[k]);

	report = json_object();
	sets = json_array();
	printf("%-10s %9s %9s %9s %9s %9s %9s %9s %7s %5s\n", "set", "add-med", "add-p90", "del-med",
	       "del-p90", "rss-kB", "anon-kB", "pods/s", "dups", "fail");
	for (int k = 0; k < b.n_sets; k++) {
		struct set *s = &b.sets[k];
		double am = pct(s->add_ms, s->n_add, 0.5), a9 = pct(s->add_ms, s->n_add, 0.9);
		double dm = pct(s->del_ms, s->n_del, 0.5), d9 = pct(s->del_ms, s->n_del, 0.9);

		printf("%-10s %9.2f %9.2f %9.2f %9.2f %9ld %9ld %9.1f %7d %5d\n", s->name, am, a9, dm, d9,
		       s->max_rss_kb, s->max_anon_kb, s->pods_per_s, s->dups, s->failures);
		json_array_append_new(sets, json_pack("{s:s,s:f,s:f,s:f,s:f,s:I,s:I,s:f,s:i,s:i,s:i}", "name",
						      s->name, "add_median_ms", am, "add_p90_ms", a9,
						      "del_median_ms", dm, "del_p90_ms", d9, "max_rss_kb",
						      (json_int_t)s->max_rss_kb, "max_anon_kb",
						      (json_int_t)s->max_anon_kb, "pods_per_s", s->pods_per_s,
						      "duplicates", s->dups, "failures", s->failures, "samples",
						      (int)s->n_add));
	}
	for (int k = 0; b.chain && k < b.n_sets; k++) {
		struct set *s = &b.sets[k];

		printf("%s, mean ms per plugin (ADD/DEL):", s->name);
		for (int i = 0; i < 16 && s->plug_type[i][0]; i++)
			printf(" %s %.2f/%.2f", s->plug_type[i], s->plug_add[i] / (double)(s->n_add ?: 1),
			       s->plug_del[i] / (double)(s->n_del ?: 1));
		printf("\n");
	}
	if (b.n_sets >= 2) {
		struct set *a = &b.sets[0];

		for (int k = 1; k < b.n_sets; k++) {
			struct set *s = &b.sets[k];
			double ra = pct(a->add_ms, a->n_add, 0.5) / pct(s->add_ms, s->n_add, 0.5);
			double rd = pct(a->del_ms, a->n_del, 0.5) / pct(s->del_ms, s->n_del, 0.5);

			printf("%s vs %s: ADD %.2fx faster, DEL %.2fx faster, RSS %.2fx smaller, "
			       "own memory %.2fx smaller\n",
			       s->name, a->name, ra, rd,
			       s->max_rss_kb ? (double)a->max_rss_kb / (double)s->max_rss_kb : 0.0,
			       s->max_anon_kb ? (double)a->max_anon_kb / (double)s->max_anon_kb : 0.0);
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
