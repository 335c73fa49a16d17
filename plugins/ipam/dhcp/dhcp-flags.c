/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-flags.c — `dhcp daemon`'s command line, read as the reference's Go
 * flag package reads it (-name value, -name=value, --name, a bare boolean,
 * durations such as 10s, 1m30s, 500ms), with the reference's flags and
 * defaults and a few of ours. Errors and -h print the usage, as Go does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"

enum kind { F_STRING, F_BOOL, F_DURATION };

struct flag {
	const char *name;
	enum kind kind;
	const char *usage;
	const char *def; /* shown in the usage */
	size_t off, size;
};

#define S(field) offsetof(struct dhcpd_opts, field), sizeof(((struct dhcpd_opts *)0)->field)
static const struct flag flags[] = {
	{ "autostart", F_BOOL, "started by the dhcp plugin (not for use by hand)", NULL, S(autostart) },
	{ "broadcast", F_BOOL, "broadcast DHCP leases", NULL, S(broadcast) },
	{ "hostprefix", F_STRING, "optional prefix to host root", NULL, S(hostprefix) },
	{ "idle-exit", F_DURATION, "exit after holding no lease for this long (0: never)", NULL,
	  S(idle_exit_ms) },
	{ "logfile", F_STRING, "log to this file instead of stderr", NULL, S(logfile) },
	{ "pidfile", F_STRING, "optional path to write daemon PID to", NULL, S(pidfile) },
	{ "resendmax", F_DURATION, "optional dhcp client max resend delay between requests", "1m2s",
	  S(resendmax_ms) },
	{ "resendtimeout", F_DURATION,
	  "optional dhcp client resend timeout, no more retries after this timeout", "3m28s",
	  S(resendtimeout_ms) },
	{ "socketpath", F_STRING, "optional dhcp server socketpath", NULL, S(socket_path) },
	{ "timeout", F_DURATION, "optional dhcp client timeout duration for each request", "10s",
	  S(timeout_ms) },
};
#undef S

static void usage(FILE *f)
{
	fprintf(f, "Usage of daemon:\n");
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		fprintf(f, "  -%s%s\n    \t%s%s%s%s\n", flags[i].name,
			flags[i].kind == F_STRING ? " string" :
			flags[i].kind == F_DURATION ? " duration" : "",
			flags[i].usage, flags[i].def ? " (default " : "", flags[i].def ? flags[i].def : "",
			flags[i].def ? ")" : "");
}

/* Go's time.ParseDuration, into milliseconds (rounded up to whole ms). */
int dhcp_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
		      { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	double total = 0, sign = 1;

	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	if (streq(s, "0")) {
		*ms = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		double v = 0, scale = 1;
		bool digits = false;
		size_t best = 0, k, pick = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			v = v * 10 + (*s - '0');
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
				v += (*s - '0') * (scale /= 10);
		if (!digits)
			return -1;
		/* the longest unit that matches: "ms" before "m" */
		for (k = 0; k < ARRAY_SIZE(units); k++)
			if (!strncmp(s, units[k].unit, strlen(units[k].unit)) &&
			    strlen(units[k].unit) > best) {
				best = strlen(units[k].unit);
				pick = k;
			}
		if (!best)
			return -1; /* missing or unknown unit */
		total += v * units[pick].ns;
		s += best;
	}
	if (total > 9.2e18)
		return -1;
	/* up to a whole millisecond (no libm for one ceil) */
	*ms = (int64_t)(total / 1e6);
	if ((double)*ms < total / 1e6)
		(*ms)++;
	*ms = (int64_t)sign * *ms;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (streq(v, yes[i]))
			return *out = true, 0;
		if (streq(v, no[i]))
			return *out = false, 0;
	}
	return -1;
}

static int set_flag(struct dhcpd_opts *o, const struct flag *f, const char *name,
		    const char *value)
{
	char *field = (char *)o + f->off;

	switch (f->kind) {
	case F_BOOL:
		if (parse_bool(value, (bool *)field) == 0)
			return 0;
		fprintf(stderr, "invalid boolean value \"%s\" for -%s: parse error\n", value, name);
		return -1;
	case F_DURATION:
		if (dhcp_parse_duration(value, (int64_t *)field) == 0)
			return 0;
		fprintf(stderr, "invalid value \"%s\" for flag -%s: parse error\n", value, name);
		return -1;
	case F_STRING:
		if (strlen(value) < f->size) {
			snprintf(field, f->size, "%s", value);
			return 0;
		}
		fprintf(stderr, "invalid value \"%.64s...\" for flag -%s: too long\n", value, name);
		return -1;
	}
	return -1;
}

/* One argument (and maybe the next); how many it used, 0 to stop, -1 or
 * -2 (help) on error. */
static int one(struct dhcpd_opts *o, char **args, int n)
{
	const char *s = args[0], *name, *eq;
	char key[64];
	size_t klen;

	if (strlen(s) < 2 || s[0] != '-')
		return 0;
	name = s + 1 + (s[1] == '-');
	if (s[1] == '-' && !s[2])
		return -3; /* "--": the end of flags */
	if (!*name || *name == '-' || *name == '=') {
		fprintf(stderr, "bad flag syntax: %s\n", s);
		return -1;
	}
	eq = strchr(name, '=');
	klen = eq ? (size_t)(eq - name) : strlen(name);
	snprintf(key, sizeof(key), "%.*s", (int)(klen < 63 ? klen : 63), name);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (!streq(flags[i].name, key))
			continue;
		if (eq)
			return set_flag(o, &flags[i], key, eq + 1) < 0 ? -1 : 1;
		if (flags[i].kind == F_BOOL)
			return set_flag(o, &flags[i], key, "true") < 0 ? -1 : 1;
		if (n < 2) {
			fprintf(stderr, "flag needs an argument: -%s\n", key);
			return -1;
		}
		return set_flag(o, &flags[i], key, args[1]) < 0 ? -1 : 2;
	}
	if (streq(key, "h") || streq(key, "help"))
		return -2;
	fprintf(stderr, "flag provided but not defined: -%s\n", key);
	return -1;
}

/* 0, or the exit status (2 on error, 0 for -h) after printing the usage. */
int dhcp_flags_parse(struct dhcpd_opts *o, int argc, char **argv, int *status)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->resendmax_ms = 62000;
	o->resendtimeout_ms = 208000;
	o->idle_exit_ms = -1; /* unset: see the caller */
	for (int i = 0; i < argc;) {
		int used = one(o, argv + i, argc - i);

		if (used == 0 || used == -3)
			break; /* as Go: the first non-flag ends the flags */
		if (used < 0) {
			usage(stderr);
			*status = used == -2 ? 0 : 2;
			return -1;
		}
		i += used;
	}
	return 0;
}
