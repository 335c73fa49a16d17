/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz what host-local reads from its dataDir: reservation files
 * ("ID\r\nIFNAME", or the reference's old "ID"), last_reserved_ip.N and the
 * attachment records (.ccni/NETWORK/HASH: "ID\r\nIFNAME\r\nIP..."), as its
 * verbs read them: the real plugin (ADD, DEL, CHECK, GC; files only, no
 * kernel work) runs in-process on a store the input writes.
 *
 * An input is text:
 *   COMMAND\n
 *   --- NAME\nCONTENT\n      (any number of files)
 * COMMAND is ADD, DEL, CHECK or GC (anything else: ADD). NAME is a file of
 * the network's directory ("10.1.2.3", "last_reserved_ip.0", "lock", a temp
 * file ...; '/' and ".." are dropped), or "record" / "record2": the records
 * of the attachment the verb works on (ctr1/eth0) and of another one
 * (ctr2/eth0). The config is fixed: two range sets, 10.1.2.0/29 and
 * fd00::/125, small enough that allocation meets the input's files.
 * Invariants: an error has a CNI code and a message; nothing leaks or is
 * undefined (ASan, UBSan).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccni/plugin.h>

#include "lib/common/sha512.h"
#include "plugins/ipam/host-local/hl.h"

static char dir[256], net_dir[300], rec_dir[300];

static const char conf_fmt[] =
	"{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"host-local\","
	"\"cni.dev/valid-attachments\":[{\"containerID\":\"ctr2\",\"ifname\":\"eth0\"}],"
	"\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.1.2.2/29\"},"
	"{\"address\":\"fd00::2/125\"}]},"
	"\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":"
	"[[{\"subnet\":\"10.1.2.0/29\"}],[{\"subnet\":\"fd00::/125\"}]]}}";

/* The record's name: 32 hex digits of SHA-512("ID\r\nIFNAME"). */
static void record_name(const char *id, char out[33])
{
	char key[64];
	uint8_t h[64];

	snprintf(key, sizeof(key), "%s\r\neth0", id);
	sha512(key, strlen(key), h);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static void put_file(const char *name, const uint8_t *content, size_t len)
{
	char clean[128], path[512], rec[33];
	size_t k = 0;
	int fd;

	if (strcmp(name, "record") == 0 || strcmp(name, "record2") == 0) {
		record_name(name[6] ? "ctr2" : "ctr1", rec);
		snprintf(path, sizeof(path), "%s/%s", rec_dir, rec);
	} else {
		for (const char *c = name; *c && k < sizeof(clean) - 1; c++)
			if (*c != '/')
				clean[k++] = *c;
		clean[k] = '\0';
		if (!k || strcmp(clean, ".") == 0 || strcmp(clean, "..") == 0)
			return;
		snprintf(path, sizeof(path), "%s/%s", net_dir, clean);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	if (write(fd, content, len) < 0) {
		/* a full tmpfs is not the plugin's problem */
	}
	close(fd);
}

static void remove_store(void)
{
	char p[320];

	empty_dir(net_dir);
	empty_dir(rec_dir);
	rmdir(rec_dir);
	snprintf(p, sizeof(p), "%s/.ccni", dir);
	rmdir(p);
	rmdir(net_dir);
	rmdir(dir);
}

/* Write the "--- NAME\n" sections of [p, end). */
static void put_files(const uint8_t *p, const uint8_t *end)
{
	static const char mark[] = "--- ";

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p)), *next;
		char name[128];
		size_t n;

		if ((size_t)(end - p) < 4 || memcmp(p, mark, 4) != 0 || !nl)
			return;
		n = (size_t)(nl - p - 4);
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p + 4, n);
		name[n] = '\0';
		p = nl + 1;
		next = memmem(p, (size_t)(end - p), "\n--- ", 5);
		put_file(name, p, (size_t)((next ? next : end) - p));
		p = next ? next + 1 : end;
	}
}

/* Once per process: the store under /dev/shm (removed at exit), the
 * config naming it, stdin and stdout. */
static int setup(int *in, int *out, char *conf, size_t len)
{
	char ccni_dir[320];

	snprintf(dir, sizeof(dir), "/dev/shm/ccni-fuzz-hl.%d", (int)getpid());
	snprintf(net_dir, sizeof(net_dir), "%s/net1", dir);
	snprintf(ccni_dir, sizeof(ccni_dir), "%s/.ccni", dir);
	snprintf(rec_dir, sizeof(rec_dir), "%s/.ccni/net1", dir);
	snprintf(conf, len, conf_fmt, dir);
	mkdir(dir, 0755);
	mkdir(net_dir, 0755);
	mkdir(ccni_dir, 0755);
	mkdir(rec_dir, 0755);
	atexit(remove_store);
	*in = memfd_create("stdin", MFD_CLOEXEC);
	*out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return *in < 0 || *out < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	static char conf[1024];
	static const char *const cmds[] = { "ADD", "DEL", "CHECK", "GC" };
	char env_cmd[32] = "CNI_COMMAND=ADD", cmd[16];
	char *envp[] = { env_cmd, "CNI_CONTAINERID=ctr1", "CNI_NETNS=/nonexistent/netns",
			 "CNI_IFNAME=eth0", "CNI_PATH=/nonexistent", NULL };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;

	if (in < 0 && setup(&in, &out, conf, sizeof(conf)) < 0)
		abort();
	memcpy(cmd, data, n < sizeof(cmd) - 1 ? n : sizeof(cmd) - 1);
	cmd[n < sizeof(cmd) - 1 ? n : sizeof(cmd) - 1] = '\0';
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			snprintf(env_cmd, sizeof(env_cmd), "CNI_COMMAND=%s", cmds[i]);
	empty_dir(net_dir);
	empty_dir(rec_dir);
	if (nl)
		put_files(nl + 1, data + size);
	if (ftruncate(in, 0) < 0 || pwrite(in, conf, strlen(conf), 0) != (ssize_t)strlen(conf) ||
	    lseek(in, 0, SEEK_SET) != 0)
		abort();
	ccni_plugin_run(&plugin_host_local, envp, in, out);
	return 0;
}
