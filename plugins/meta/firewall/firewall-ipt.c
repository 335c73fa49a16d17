/* SPDX-License-Identifier: Apache-2.0 */
/*
 * firewall-ipt.c — the iptables backend, with the reference's chains and
 * rules (filter table): FORWARD -> CNI-FORWARD -> the admin chain, and per
 * container address "-d IP -m conntrack --ctstate RELATED,ESTABLISHED -j
 * ACCEPT" and "-s IP -j ACCEPT"; ingressPolicy "same-bridge" adds the
 * per-bridge rules of CNI-ISOLATION-STAGE-1/2 (kept on DEL, as the
 * reference: other containers may still use the bridge). Per address family
 * an ADD is a read-only "-C" pass (everything already there: a repeated
 * ADD) and one iptables-restore --noflush whose "-C" lines verify the
 * shared chains while "-A" appends the container's rules; only when that
 * fails (first use) are the chains made, one idempotent step at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "net/iptables.h"
#include "plugins/meta/firewall/firewall.h"

#define IPT_MAX 16384
#define ISO1 "CNI-ISOLATION-STAGE-1"
#define ISO2 "CNI-ISOLATION-STAGE-2"
#define CM_RULES "-m comment --comment \"CNI firewall plugin rules\""
#define CM_ADMIN "-m comment --comment \"CNI firewall plugin admin overrides\""
#define CM_SB "-m comment --comment \"CNI firewall plugin rules (ingressPolicy: same-bridge)\""
/* The reference as packaged (v1.1 to v1.6) writes the same-bridge comment on
 * every isolation rule (later versions: "same-bridge|isolated" on the shared
 * ones); "-C" compares comments, so ccni writes what the installed one does. */
#define CM_ANY CM_SB

struct shared {
	char chain[32];
	char rule[256];
	bool insert; /* -I 1 (else -A) when missing */
};

/* The shared rules this configuration needs, in the order they are made. */
static int shared_rules(const struct firewall_conf *c, struct shared *s)
{
	int n = 0;

	snprintf(s[n].chain, sizeof(s[n].chain), "FORWARD");
	snprintf(s[n].rule, sizeof(s[n].rule), CM_RULES " -j CNI-FORWARD");
	s[n++].insert = true;
	snprintf(s[n].chain, sizeof(s[n].chain), "CNI-FORWARD");
	snprintf(s[n].rule, sizeof(s[n].rule), CM_ADMIN " -j %s", c->admin_chain);
	s[n++].insert = true;
	if (!c->same_bridge)
		return n;
	snprintf(s[n].chain, sizeof(s[n].chain), "FORWARD");
	snprintf(s[n].rule, sizeof(s[n].rule), CM_ANY " -j " ISO1);
	s[n++].insert = true;
	snprintf(s[n].chain, sizeof(s[n].chain), ISO1);
	snprintf(s[n].rule, sizeof(s[n].rule), "-i %s ! -o %s " CM_SB " -j " ISO2, c->bridge,
		 c->bridge);
	s[n++].insert = true;
	snprintf(s[n].chain, sizeof(s[n].chain), ISO1);
	snprintf(s[n].rule, sizeof(s[n].rule), CM_ANY " -j RETURN");
	s[n++].insert = false;
	snprintf(s[n].chain, sizeof(s[n].chain), ISO2);
	snprintf(s[n].rule, sizeof(s[n].rule), "-o %s " CM_ANY " -j DROP", c->bridge);
	s[n++].insert = true;
	snprintf(s[n].chain, sizeof(s[n].chain), ISO2);
	snprintf(s[n].rule, sizeof(s[n].rule), CM_ANY " -j RETURN");
	s[n++].insert = false;
	return n;
}

/* The container's rules of one family, with op ("-A", "-D", "-C"). */
static size_t own_rules(const struct firewall_conf *c, bool v6, const char *op, char *s,
			size_t off, size_t len)
{
	for (int i = 0; i < c->n_addrs && off < len; i++) {
		char a[CCNI_IP_STRLEN];

		if ((c->addrs[i].ip.family == AF_INET6) != v6)
			continue;
		ccni_ip_format(&c->addrs[i].ip, a);
		off += (size_t)snprintf(s + off, len - off,
					"%s CNI-FORWARD -d %s/%d -m conntrack --ctstate "
					"RELATED,ESTABLISHED -j ACCEPT\n"
					"%s CNI-FORWARD -s %s/%d -j ACCEPT\n",
					op, a, v6 ? 128 : 32, op, a, v6 ? 128 : 32);
	}
	return off;
}

static bool has_family(const struct firewall_conf *c, bool v6)
{
	for (int i = 0; i < c->n_addrs; i++)
		if ((c->addrs[i].ip.family == AF_INET6) == v6)
			return true;
	return false;
}

static int restore1(bool v6, const char *line)
{
	char s[1100];
	struct ccni_error e = CCNI_ERROR_INIT;
	int rc;

	snprintf(s, sizeof(s), "*filter\n%s\nCOMMIT\n", line);
	rc = iptables_restore(v6, s, &e);
	ccni_error_clear(&e);
	return rc;
}

/* First use: make the chains and shared rules that are missing. */
static void setup(const struct firewall_conf *c, bool v6)
{
	struct shared sh[8];
	int n = shared_rules(c, sh);
	char line[1024];

	restore1(v6, "-N CNI-FORWARD");
	snprintf(line, sizeof(line), "-N %s", c->admin_chain);
	restore1(v6, line);
	if (c->same_bridge) {
		restore1(v6, "-N " ISO1);
		restore1(v6, "-N " ISO2);
	}
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "-C %.31s %.255s", sh[i].chain, sh[i].rule);
		if (restore1(v6, line) == 0)
			continue;
		if (sh[i].insert)
			snprintf(line, sizeof(line), "-I %.31s 1 %.255s", sh[i].chain, sh[i].rule);
		else
			snprintf(line, sizeof(line), "-A %.31s %.255s", sh[i].chain, sh[i].rule);
		restore1(v6, line);
	}
}

static int del_family(const struct firewall_conf *c, bool v6)
{
	_cleanup_free_ char *s = malloc(IPT_MAX);
	struct ccni_error e = CCNI_ERROR_INIT;
	size_t off;

	if (!s)
		return -1;
	off = (size_t)snprintf(s, IPT_MAX, "*filter\n");
	off = own_rules(c, v6, "-D", s, off, IPT_MAX);
	if (off + 8 >= IPT_MAX)
		return -1;
	snprintf(s + off, IPT_MAX - off, "COMMIT\n");
	if (iptables_restore(v6, s, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	/* Some rule was gone already: remove the others one by one. */
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, "-D ", 3))
			restore1(v6, line);
	return 0;
}

int firewall_ipt_add(const struct firewall_conf *c, struct ccni_error *err)
{
	struct shared sh[8];
	int n = shared_rules(c, sh);

	for (int fam = 0; fam < 2; fam++) {
		_cleanup_free_ char *s = malloc(IPT_MAX);
		size_t off;

		if (!has_family(c, fam))
			continue;
		if (!s)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		/* A repeated ADD finds everything in place (the reference appends
		 * uniquely): a read-only "-C" pass first. */
		off = (size_t)snprintf(s, IPT_MAX, "*filter\n");
		for (int i = 0; i < n; i++)
			off += (size_t)snprintf(s + off, IPT_MAX - off, "-C %s %s\n", sh[i].chain,
						sh[i].rule);
		off = own_rules(c, fam, "-C", s, off, IPT_MAX);
		if (off + 8 >= IPT_MAX)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "firewall: too many addresses");
		snprintf(s + off, IPT_MAX - off, "COMMIT\n");
		if (iptables_restore(fam, s, err) == 0)
			continue;
		ccni_error_clear(err);
		off = (size_t)snprintf(s, IPT_MAX, "*filter\n");
		for (int i = 0; i < n; i++)
			off += (size_t)snprintf(s + off, IPT_MAX - off, "-C %s %s\n", sh[i].chain,
						sh[i].rule);
		off = own_rules(c, fam, "-A", s, off, IPT_MAX);
		if (off + 8 >= IPT_MAX)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "firewall: too many addresses");
		snprintf(s + off, IPT_MAX - off, "COMMIT\n");
		if (iptables_restore(fam, s, err) == 0)
			continue;
		ccni_error_clear(err);
		setup(c, fam);
		if (iptables_restore(fam, s, err) == 0)
			continue;
		if (fam == 1 && has_family(c, false))
			del_family(c, false); /* undo the IPv4 half */
		return ccni_error_prefix(err, "firewall");
	}
	return 0;
}

int firewall_ipt_del(const struct firewall_conf *c, struct ccni_error *err)
{
	for (int fam = 0; fam < 2; fam++)
		if (has_family(c, fam) && del_family(c, fam) < 0)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

int firewall_ipt_check(const struct firewall_conf *c, struct ccni_error *err)
{
	struct shared sh[8];
	int n = shared_rules(c, sh);

	for (int fam = 0; fam < 2; fam++) {
		_cleanup_free_ char *s = malloc(IPT_MAX);
		size_t off;

		if (!has_family(c, fam))
			continue;
		if (!s)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		off = (size_t)snprintf(s, IPT_MAX, "*filter\n");
		for (int i = 0; i < 2 && i < n; i++) /* FORWARD and admin jumps, as the reference */
			off += (size_t)snprintf(s + off, IPT_MAX - off, "-C %s %s\n", sh[i].chain,
						sh[i].rule);
		off = own_rules(c, fam, "-C", s, off, IPT_MAX);
		if (off + 8 >= IPT_MAX)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "firewall: too many addresses");
		snprintf(s + off, IPT_MAX - off, "COMMIT\n");
		if (iptables_restore(fam, s, err) < 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", err->msg ? err->msg : "");
			ccni_error_clear(err);
			return ccni_error_set(err, CCNI_ERR_CHECK_FAILED,
					      "firewall: expected %s rules in chains FORWARD/CNI-FORWARD "
					      "are missing: %.400s",
					      fam ? "ip6tables" : "iptables", msg);
		}
	}
	return 0;
}
