/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nftset.h — adding and deleting elements of ccni's own nftables sets and
 * maps with one netlink batch, without libnftables: no parser, no ruleset
 * cache, no library to load. The per-container hot path of ipMasq and
 * portmap; everything else (tables, chains, listings) goes through
 * nftables_run/nftables_query.
 *
 * Keys and data are written in the kernel's layout: each component of a
 * concatenation takes a multiple of 4 bytes (nftset_put_*). Internal.
 */
#ifndef CCNI_NET_NFTSET_H
#define CCNI_NET_NFTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

#define NFTSET_KEY_MAX 64

struct nftset_val {
	uint8_t b[NFTSET_KEY_MAX];
	size_t len;
};

struct nftset_elem {
	const char *set;         /* set or map name */
	struct nftset_val key;
	struct nftset_val key_end; /* len 0: none (only interval concatenations) */
	struct nftset_val data;    /* len 0: a set element */
	const char *jump;        /* a verdict map's element: jump to this chain */
	const char *comment;     /* NULL: none */
};

/* Components of a key or data value. */
void nftset_put_ip(struct nftset_val *v, const struct ccni_ip *ip);
void nftset_put_port(struct nftset_val *v, uint16_t port);
void nftset_put_proto(struct nftset_val *v, uint8_t proto);

/* One atomic batch adding (add) or deleting elements of table (family,
 * name). Returns 0; or -1 with err set, err->errnum the kernel's errno:
 * ENOENT (table, set or element missing), EEXIST (a map key already bound
 * to other data), ... */
int nftset_elems(int family, const char *table, bool add, const struct nftset_elem *elems, int n,
		 struct ccni_error *err);

/* Add elements to a table made on first use: when the batch fails because
 * the table (or a set) is missing, setup(arg) makes it (a racing creator
 * wins harmlessly: setup ignores "exists") and the batch is tried once
 * more. Errors as nftset_elems, or setup's. */
int nftset_add_ensuring(int family, const char *table, const struct nftset_elem *elems, int n,
			int (*setup)(void *arg, struct ccni_error *err), void *arg,
			struct ccni_error *err);

/* Look one element of an inet-family set up by key, straight from the
 * kernel (no listing): 0 when it exists, its comment in comment ("" when
 * none) and a map element's data in *data (may be NULL), 1 when it does
 * not, -1 on error. */
int nftset_elem_get(const char *table, const char *set, const struct nftset_val *key, char *comment,
		    size_t comment_len, struct nftset_val *data, struct ccni_error *err);
/* Close a NETLINK_NETFILTER socket without waiting. The last close of
 * such a socket makes the kernel finish freeing whatever any nftables
 * deletion on the machine left for after its RCU grace period, holding
 * nf_tables' commit mutex: 5 to 15 ms whenever a deletion is that recent.
 * So the last reference goes to a keeper, a detached process started on
 * the first call, which closes what it holds 200 ms after this process
 * ends, when nothing is left to wait for. Falls back to close(). */
void nftset_close(int fd);

/* Delete those of elems (of inet table `table`) whose comment is tag, one
 * lookup each and one batch: an element another attachment holds now (its
 * address given to someone else since) is left alone. *missing (may be
 * NULL) counts the elements absent or not ours. 0, or -1 with err. */
int nftset_del_owned(const char *table, struct nftset_elem *elems, int n, const char *tag,
		     int *missing, struct ccni_error *err);

/* Does chain exist in inet table? 1, 0, or -1 on error. */
int nftset_chain_exists(const char *table, const char *chain, struct ccni_error *err);

#endif
