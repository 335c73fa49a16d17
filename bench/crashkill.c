/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crashkill — run a command and SIGKILL it, or one of the processes it
 * started, at a random moment: the crash trials' (bench/crash.sh) way of
 * stopping a runtime or a plugin at an arbitrary point of its work.
 *
 *   crashkill [-u MAX_US] [-s SEED] [-m group|runtime|plugin] -- CMD ARGS...
 *
 * CMD runs in a process group of its own. After a delay drawn uniformly
 * from [0, MAX_US) microseconds:
 *   group    kills the whole group: the runtime, its plugins and whatever
 *            they forked that is still in the group (a node losing power,
 *            as far as these processes are concerned);
 *   runtime  kills CMD alone, its plugins run on without it;
 *   plugin   kills one process of the group other than CMD, the newest,
 *            waiting (polling every 50 us) until there is one.
 * After a kill it waits (up to 30 s) until no process is left in the group,
 * so that whatever runs next (a DEL, a GC) does not race an orphaned plugin
 * still at work: a runtime restarting after a crash finds its plugins gone.
 * Prints one line "killed MODE COMM after US us" (COMM: the newest process
 * of the group, the plugin at work) or "finished first after US us" on
 * stderr, and exits with CMD's own status (128+9 when killed). CMD still
 * running 60 s after a kill is hung: the group is killed, a line
 * "hung: ..." names the newest process, and the status is 125.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HANG_US 60000000ULL /* CMD may take this long to end after a kill */

static unsigned long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000ULL + (unsigned long long)t.tv_nsec / 1000;
}

/* The process-group id and command name of a pid from /proc/PID/stat. */
static int proc_stat(pid_t pid, pid_t *pgrp, char comm[32])
{
	char path[64], buf[512], *close_paren;
	FILE *f;
	size_t n;
	int pg = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 2, "%*c %*d %d", &pg) != 1)
		return -1;
	*pgrp = pg;
	if (comm) {
		char *open_paren = strchr(buf, '(');

		n = open_paren ? (size_t)(close_paren - open_paren - 1) : 0;
		if (n > 31)
			n = 31;
		memcpy(comm, open_paren ? open_paren + 1 : "", n);
		comm[n] = '\0';
	}
	return 0;
}

/* The newest process of group pgid other than leader (pids grow, short of
 * wrapping), or 0. */
static pid_t newest_in_group(pid_t pgid, pid_t leader, char comm[32])
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t best = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name), pg;
		char c[32];

		if (pid <= 0 || pid == leader || pid < best || proc_stat(pid, &pg, c) < 0 ||
		    pg != pgid)
			continue;
		best = pid;
		memcpy(comm, c, sizeof(c));
	}
	closedir(d);
	return best;
}

static void usage(void)
{
	fprintf(stderr, "usage: crashkill [-u MAX_US] [-s SEED] [-m group|runtime|plugin] -- CMD...\n");
	exit(2);
}

/* Has the child ended? Reaps it then, into *status. */
static int ended(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == pid;
}

int main(int argc, char **argv)
{
	unsigned long max_us = 20000, seed = (unsigned long)now_us() ^ (unsigned long)getpid();
	const char *mode = "group";
	char comm[32] = "";
	int o, status = 0, done;
	unsigned long long t0, delay;
	pid_t pid, victim = 0;

	while ((o = getopt(argc, argv, "+u:s:m:")) != -1) {
		if (o == 'u')
			max_us = strtoul(optarg, NULL, 10);
		else if (o == 's')
			seed = strtoul(optarg, NULL, 10);
		else if (o == 'm')
			mode = optarg;
		else
			usage();
	}
	if (optind >= argc || (strcmp(mode, "group") && strcmp(mode, "runtime") && strcmp(mode, "plugin")))
		usage();
	srandom((unsigned)seed);
	delay = max_us ? (unsigned long long)random() % max_us : 0;
	t0 = now_us();
	if ((pid = fork()) < 0)
		return perror("crashkill: fork"), 2;
	if (pid == 0) {
		setpgid(0, 0);
		execvp(argv[optind], argv + optind);
		perror("crashkill: exec");
		_exit(127);
	}
	setpgid(pid, pid); /* both sides, so that no kill precedes it */
	while (!(done = ended(pid, &status)) && now_us() - t0 < delay)
		usleep(delay - (now_us() - t0) > 200 ? 100 : 20);
	if (!done && mode[0] == 'p')
		while (!(done = ended(pid, &status)) && !(victim = newest_in_group(pid, pid, comm)))
			usleep(50);
	if (done) {
		fprintf(stderr, "crashkill: finished first after %llu us\n", now_us() - t0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (!victim && !newest_in_group(pid, pid, comm))
		proc_stat(pid, &(pid_t){ 0 }, comm);
	if (mode[0] == 'g')
		kill(-pid, SIGKILL);
	else
		kill(mode[0] == 'r' ? pid : victim, SIGKILL);
	fprintf(stderr, "crashkill: killed %s %s after %llu us\n", mode, comm, now_us() - t0);
	/* CMD must end by itself within HANG_US; one that does not is hung
	 * (waiting for a process the kill took, say): the group is killed so
	 * that the trials go on, and the line says so */
	unsigned long long t1 = now_us();

	while (!(done = ended(pid, &status)) && now_us() - t1 < HANG_US)
		usleep(1000);
	if (!done) {
		newest_in_group(pid, pid, comm);
		kill(-pid, SIGKILL);
		fprintf(stderr, "crashkill: hung: %s still running %llu s after the kill (newest: %s); killed the group\n",
			argv[optind], HANG_US / 1000000, comm);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return 125;
	}
	for (t1 = now_us(); now_us() - t1 < 30000000 && newest_in_group(pid, 0, comm);)
		usleep(200);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
