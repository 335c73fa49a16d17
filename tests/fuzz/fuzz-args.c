/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz CNI_ARGS and the address parsers: any bytes in, an error or a value
 * out, no leak, and every parsed address or prefix survives format + parse.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ccni/args.h>
#include <ccni/ip.h>

static void check_args(const char *s)
{
	static const char *const known[] = { "IP", "MAC", "K8S_POD_NAME", "K8S_POD_NAMESPACE",
					     NULL };
	struct ccni_args a;
	struct ccni_error e = CCNI_ERROR_INIT;

	if (ccni_args_parse(s, &a, &e) < 0) {
		if (e.code != CCNI_ERR_INVALID_ENV || !e.msg)
			abort();
		ccni_error_clear(&e);
		return;
	}
	if (a.n > CCNI_ARGS_MAX_PAIRS)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		const char *v = ccni_args_get(&a, a.pairs[i].key);
		size_t last = i;

		/* get gives the value of the last pair with the key. */
		for (size_t j = i + 1; j < a.n; j++)
			if (strcmp(a.pairs[j].key, a.pairs[i].key) == 0)
				last = j;
		if (!a.pairs[i].key[0] || v != a.pairs[last].value)
			abort();
	}
	if (ccni_args_check_known(&a, known, &e) < 0) {
		if (e.code != CCNI_ERR_UNSUPPORTED_FIELD || a.ignore_unknown)
			abort();
		ccni_error_clear(&e);
	}
	ccni_args_free(&a);
}

static void check_ip(const char *s)
{
	struct ccni_ip ip, again;
	struct ccni_ipnet net, net_again;
	char buf[CCNI_IPNET_STRLEN];
	uint8_t mac[6];

	if (ccni_ip_parse(s, &ip) == 0) {
		ccni_ip_format(&ip, buf);
		if (ccni_ip_parse(buf, &again) < 0 || !ccni_ip_equal(&ip, &again))
			abort();
		again = ip;
		if (ccni_ip_add(&again, 1000) != ccni_ip_add(&again, -1000) ||
		    !ccni_ip_equal(&ip, &again))
			abort();
	}
	if (ccni_ipnet_parse(s, &net) == 0) {
		struct ccni_ipnet network = ccni_ipnet_network(&net);
		struct ccni_ip last = ccni_ipnet_last(&net);

		if (net.prefix > ccni_ip_bits(&net.ip))
			abort();
		ccni_ipnet_format(&net, buf);
		if (ccni_ipnet_parse(buf, &net_again) < 0 || !ccni_ipnet_equal(&net, &net_again))
			abort();
		if (!ccni_ipnet_contains(&net, &net.ip) || !ccni_ipnet_contains(&net, &network.ip) ||
		    !ccni_ipnet_contains(&net, &last) || !ccni_ipnet_overlaps(&net, &network) ||
		    ccni_ip_cmp(&network.ip, &last) > 0)
			abort();
	}
	if (ccni_mac_parse(s, mac) == 0) {
		uint8_t again_mac[6];

		ccni_mac_format(mac, buf);
		if (ccni_mac_parse(buf, again_mac) < 0 || memcmp(mac, again_mac, 6) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 2 * CCNI_ARGS_MAX_LEN)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_args(s);
	check_ip(s);
	free(s);
	return 0;
}
