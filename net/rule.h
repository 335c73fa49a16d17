/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule.h — policy routing rules ("ip rule") in one namespace. The listings
 * dump every rule of the socket's namespace: use them only inside a
 * container's namespace, which holds a handful. Internal.
 */
#ifndef CCNI_NET_RULE_H
#define CCNI_NET_RULE_H

#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

struct nl_sock;
struct nl_msg;

/* The request adding "from SRC lookup TABLE" (unit tests). */
struct nl_msg *rule_from_msg(const struct ccni_ipnet *src, uint32_t table);

/* The tables that the rules of every family look up, in rule order,
 * repeats included. *tables is malloc'd (NULL when there are none). */
int rule_tables(struct nl_sock *sk, uint32_t **tables, size_t *n, struct ccni_error *err);

/* Add "from SRC lookup TABLE" with no priority of its own: the kernel gives
 * it the one just above the last rule before "main", as `ip rule add` does.
 * Like that command, adding the same rule twice makes two rules. */
int rule_add_from(struct nl_sock *sk, const struct ccni_ipnet *src, uint32_t table,
		  struct ccni_error *err);

/* Delete every rule whose source address (whatever its prefix length) is
 * one of addrs[0..n), and only those looking up `table` when it is not 0.
 * Keeps going past a failed deletion and then returns -1 with the last
 * failure; otherwise the number of rules deleted. */
int rule_del_from(struct nl_sock *sk, const struct ccni_ip *addrs, size_t n, uint32_t table,
		  struct ccni_error *err);

#endif
