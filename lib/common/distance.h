/* SPDX-License-Identifier: Apache-2.0 */
/* distance.h — how far apart two short names are, for "did you mean"
 * suggestions (config keys, plugin types). Internal. */
#ifndef CCNI_DISTANCE_H
#define CCNI_DISTANCE_H

#include <stddef.h>

/* Edit distance (insertions, deletions, substitutions), ignoring case;
 * names of 63 bytes or more are "far" (99). */
size_t util_distance(const char *a, const char *b);
/* Is b a likely typo of a (at most 1 edit for names shorter than 5 bytes,
 * 2 for longer ones)? */
int util_close(const char *a, const char *b);

#endif
