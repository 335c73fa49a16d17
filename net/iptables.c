/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iptables.c — the optional iptables backends, for nodes that must keep
 * iptables rules (kube-proxy and friends). No stable C library exists for
 * iptables, so this is the one place a plugin runs a program: one
 * iptables-restore --noflush per address family and call, fed on stdin,
 * without a shell. Chains and comments are the reference's, so both can
 * remove each other's rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "lib/common/sha512.h"
#include "lib/common/spawn.h"
#include "net/iptables.h"

#define IPT_SCRIPT_MAX 8192

/* "CNI-" and the first 24 hex digits of SHA-512(name + id). */
void iptables_chain_name(const char *network, const char *id, char out[29])
{
	sha512_name("CNI-", network, id, out, 29);
}

bool iptables_chain_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > IPTABLES_CHAIN_MAX)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.", s[i]))
			return false;
	return true;
}

static const char *restore_binary(bool v6)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
	static char path[64];

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], v6 ? "ip6tables-restore" : "iptables-restore");
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/* Feed one script to (ip6)iptables-restore --noflush. */
int iptables_restore(bool v6, const char *script, struct ccni_error *err)
{
	const char *bin = restore_binary(v6);
	char *argv[] = { (char *)(v6 ? "ip6tables-restore" : "iptables-restore"), "--noflush",
			 "--wait", NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct util_spawn s = { 0 };
	struct util_spawn_result r;
	int rc = 0;

	if (!bin)
		return ccni_error_set(err, CCNI_ERR_FIREWALL,
				      "%s not found: install iptables or use the nftables backend",
				      argv[0]);
	s.path = bin;
	s.argv = argv;
	s.envp = envp;
	s.in = script;
	s.in_len = strlen(script);
	s.out_max = 65536;
	s.err_max = 4096;
	s.timeout_ms = 60000;
	if (util_spawn_run(&s, &r) < 0)
		return ccni_error_errno(err, CCNI_ERR_FIREWALL, errno, "cannot run %s", bin);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		ccni_error_set(err, CCNI_ERR_FIREWALL, "%s refused the change: %.300s", argv[0],
			       r.err_len ? r.err : "(no message)");
		ccni_error_set_details(err, "input:\n%.2000s", script);
		rc = -1;
	}
	util_spawn_result_free(&r);
	return rc;
}

int iptables_masq(bool add, const struct ccni_ipnet *addrs, int n, const char *network,
	      const char *container_id, struct ccni_error *err)
{
	char chain[29], comment[320];

	iptables_chain_name(network, container_id, chain);
	/* Go's %q of the two strings, as the reference writes the comment,
	 * escaped once more for iptables-restore's quoting. */
	snprintf(comment, sizeof(comment), "name: \\\"%s\\\" id: \\\"%s\\\"", network, container_id);
	for (int fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;
		char script[IPT_SCRIPT_MAX];
		size_t off = 0;
		bool any = false;

		off += (size_t)snprintf(script + off, sizeof(script) - off, "*nat\n");
		if (add)
			off += (size_t)snprintf(script + off, sizeof(script) - off, ":%s - [0:0]\n", chain);
		for (int i = 0; i < n && off < sizeof(script); i++) {
			char ip[CCNI_IP_STRLEN], net[CCNI_IPNET_STRLEN];
			struct ccni_ipnet nw;

			if (addrs[i].ip.family != af)
				continue;
			any = true;
			nw = ccni_ipnet_network(&addrs[i]);
			ccni_ip_format(&addrs[i].ip, ip);
			ccni_ipnet_format(&nw, net);
			if (add)
				off += (size_t)snprintf(
					script + off, sizeof(script) - off,
					"-A %s -d %s -j ACCEPT -m comment --comment \"%s\"\n"
					"-A %s ! -d %s -j MASQUERADE -m comment --comment \"%s\"\n"
					"-A POSTROUTING -s %s -j %s -m comment --comment \"%s\"\n",
					chain, net, comment, chain, fam ? "ff00::/8" : "224.0.0.0/4", comment,
					ip, chain, comment);
			else
				off += (size_t)snprintf(script + off, sizeof(script) - off,
							"-D POSTROUTING -s %s/%d -j %s -m comment --comment \"%s\"\n",
							ip, fam ? 128 : 32, chain, comment);
		}
		if (!any)
			continue;
		if (!add)
			off += (size_t)snprintf(script + off, sizeof(script) - off, "-F %s\n-X %s\n", chain,
						chain);
		if (off + 8 >= sizeof(script))
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "iptables: too many addresses");
		snprintf(script + off, sizeof(script) - off, "COMMIT\n");
		if (iptables_restore(fam == 1, script, err) < 0) {
			struct ccni_error e = CCNI_ERROR_INIT;
			char retry[128];

			if (add)
				return -1;
			/* DEL: a rule already gone fails the batch; drop the chain alone. */
			ccni_error_clear(err);
			snprintf(retry, sizeof(retry), "*nat\n-F %s\n-X %s\nCOMMIT\n", chain, chain);
			iptables_restore(fam == 1, retry, &e);
			ccni_error_clear(&e);
		}
	}
	return 0;
}
