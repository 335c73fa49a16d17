/* SPDX-License-Identifier: Apache-2.0 */
/*
 * macspoof.c — macspoofchk on nftables: one chain per checked bridge port,
 * reached through a verdict map by the port's name, dropping frames whose
 * source MAC is not the container's.
 *
 *   table bridge ccni_spoof: prerouting
 *     iifname vmap @ports            port name -> its chain
 *   chain port-NAME
 *     ether saddr != MAC drop
 */
#include <stdio.h>
#include <string.h>

#include <ccni/ip.h>

#include "net/macspoof.h"
#include "net/nftables.h"

static const char spoof_setup[] =
	"create table bridge ccni_spoof { comment \"ccni: macspoofchk\"; }\n"
	"add map bridge ccni_spoof ports { type ifname : verdict; }\n"
	"add chain bridge ccni_spoof prerouting { type filter hook prerouting priority -300; policy accept; }\n"
	"add rule bridge ccni_spoof prerouting iifname vmap @ports\n";

/* Run the element batch; when the table is missing, make it (a racing
 * creator wins harmlessly: "create table" fails and the batch with it) and
 * try again. */
static int with_table(const char *setup, const char *script, struct ccni_error *err)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	if (nftables_run(script, false, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	nftables_run(setup, false, &e); /* EEXIST when another ADD made it first */
	ccni_error_clear(&e);
	return nftables_run(script, false, err);
}

/* Delete elements one batch at a time; missing ones are fine. */
static int delete_each(char *script)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	char *save = NULL;

	if (nftables_run(script, true, &e) == 0)
		return 0;
	ccni_error_clear(&e);
	for (char *line = strtok_r(script, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		nftables_run(line, true, &e);
		ccni_error_clear(&e);
	}
	return 0;
}

/* One chain per checked port, reached through the "ports" verdict map by
 * the port's name: DEL needs only the name, whatever the MAC is by then. */
int macspoof_add(const char *ifname, const uint8_t mac[6], struct ccni_error *err)
{
	char script[512], m[18];

	ccni_mac_format(mac, m);
	snprintf(script, sizeof(script),
		 "add chain bridge ccni_spoof port-%s\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "add rule bridge ccni_spoof port-%s ether saddr != %s drop\n"
		 "add element bridge ccni_spoof ports { \"%s\" : jump port-%s }\n",
		 ifname, ifname, ifname, m, ifname, ifname);
	if (with_table(spoof_setup, script, err) < 0)
		return ccni_error_prefix(err, "macspoofchk");
	return 0;
}

int macspoof_del(const char *ifname, struct ccni_error *err)
{
	char script[512];

	(void)err;
	snprintf(script, sizeof(script),
		 "delete element bridge ccni_spoof ports { \"%s\" }\n"
		 "flush chain bridge ccni_spoof port-%s\n"
		 "delete chain bridge ccni_spoof port-%s\n",
		 ifname, ifname, ifname);
	return delete_each(script);
}
