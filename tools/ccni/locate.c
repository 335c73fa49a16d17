/* SPDX-License-Identifier: Apache-2.0 */
/*
 * locate.c — a small JSON scanner that walks text and names each value by
 * its key path, to point validation messages at file:line:column (jansson
 * keeps no positions for values); and the value a key path names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ccni/locate.h"

struct scan {
	const char *s;
	int line, col;
	const char *want;
	struct json_pos *pos;
	int found;
	int depth;
};

static void adv(struct scan *sc)
{
	if (*sc->s == '\n') {
		sc->line++;
		sc->col = 1;
	} else {
		sc->col++;
	}
	sc->s++;
}

static void ws(struct scan *sc)
{
	while (*sc->s == ' ' || *sc->s == '\t' || *sc->s == '\n' || *sc->s == '\r')
		adv(sc);
}

/* Copy a string token (without quotes, escapes kept raw) into buf. */
static int string(struct scan *sc, char *buf, size_t len)
{
	size_t n = 0;

	if (*sc->s != '"')
		return -1;
	adv(sc);
	while (*sc->s && *sc->s != '"') {
		if (*sc->s == '\\' && sc->s[1]) {
			if (n + 1 < len)
				buf[n++] = *sc->s;
			adv(sc);
		}
		if (n + 1 < len)
			buf[n++] = *sc->s;
		adv(sc);
	}
	if (!*sc->s)
		return -1;
	adv(sc);
	if (len)
		buf[n] = '\0';
	return 0;
}

static void mark(struct scan *sc, const char *path, int line, int col)
{
	if (!sc->found && strcmp(path, sc->want) == 0) {
		sc->pos->line = line;
		sc->pos->column = col;
		sc->found = 1;
	}
}

static int value(struct scan *sc, const char *path)
{
	char sub[512], key[256];

	if (++sc->depth > 64)
		return -1;
	ws(sc);
	if (*sc->s == '{') {
		adv(sc);
		ws(sc);
		if (*sc->s == '}') {
			adv(sc);
			sc->depth--;
			return 0;
		}
		for (;;) {
			int line, col;

			ws(sc);
			line = sc->line;
			col = sc->col;
			if (string(sc, key, sizeof(key)) < 0)
				return -1;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			mark(sc, sub, line, col);
			ws(sc);
			if (*sc->s != ':')
				return -1;
			adv(sc);
			if (value(sc, sub) < 0)
				return -1;
			ws(sc);
			if (*sc->s == ',') {
				adv(sc);
				continue;
			}
			if (*sc->s == '}') {
				adv(sc);
				break;
			}
			return -1;
		}
	} else if (*sc->s == '[') {
		size_t i = 0;

		adv(sc);
		ws(sc);
		if (*sc->s == ']') {
			adv(sc);
			sc->depth--;
			return 0;
		}
		for (;; i++) {
			ws(sc);
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			mark(sc, sub, sc->line, sc->col);
			if (value(sc, sub) < 0)
				return -1;
			ws(sc);
			if (*sc->s == ',') {
				adv(sc);
				continue;
			}
			if (*sc->s == ']') {
				adv(sc);
				break;
			}
			return -1;
		}
	} else if (*sc->s == '"') {
		if (string(sc, key, 0) < 0)
			return -1;
	} else {
		if (!*sc->s)
			return -1;
		while (*sc->s && !strchr(",]} \t\r\n", *sc->s))
			adv(sc);
	}
	sc->depth--;
	return 0;
}

int json_locate(const char *text, const char *path, struct json_pos *pos)
{
	struct scan sc = { text, 1, 1, path, pos, 0, 0 };

	pos->line = pos->column = 0;
	value(&sc, "");
	return sc.found ? 0 : -1;
}

json_t *json_path_get(json_t *root, const char *path)
{
	const char *p = path;
	json_t *v = root;

	while (v && *p) {
		if (*p == '[') {
			char *end;
			unsigned long i = strtoul(p + 1, &end, 10);

			if (end == p + 1 || *end != ']')
				return NULL;
			v = json_array_get(v, i);
			p = end + 1;
		} else {
			char key[256];
			size_t n;

			json_t *next;

			if (*p == '.')
				p++;
			n = strcspn(p, ".[");
			if (!n || n >= sizeof(key))
				return NULL;
			memcpy(key, p, n);
			key[n] = '\0';
			next = json_object_get(v, key);
			/* a key with dots in it ("sysctl": {"net.ipv4.ip_forward": ...}) */
			if (!next && (next = json_object_get(v, p)))
				n = strlen(p);
			v = next;
			p += n;
		}
	}
	return v;
}
